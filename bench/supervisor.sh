#!/usr/bin/env bash
# The requests of a district supervisor's page (web/src/pages/Supervisor.jsx:
# the count of its district's cases in each state and overdue, then the
# lists), and of its search page without a unit (web/src/pages/CaseSearch.jsx:
# every case the district may see, then some filters; then its own cases
# within dates), timed one by one over HTTP against `jiesu serve` on a database
# bench/gen.c wrote, from a dropped page cache (the database file's pages
# only). Prints one line per request: seconds, query, total.
# Usage: bench/supervisor.sh DB [DISTRICT]   (default 110105, 朝阳区; the
#   supervisor is gen's account gen.DISTRICT.supervisor)
#   JIESU_BIN=FILE   serve with this binary (default build/jiesu)
#   The first open of a database made by an older jiesu migrates it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: bench/supervisor.sh DB [DISTRICT]" >&2; exit 2; }
db="$1" district="${2:-110105}" bin="${JIESU_BIN:-build/jiesu}" port=18203
[ -f "$db" ] || { echo "supervisor.sh: $db: no such database (make one with bench/gen.sh)" >&2; exit 1; }
python3 -c "import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)" "$db"
JIESU_LOG=warn "$bin" serve --db "$db" --listen 127.0.0.1:$port --sweep-seconds 0 > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
api=http://127.0.0.1:$port/api/v1
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break; sleep 0.2; done
tok=$(curl -s "$api/auth/login" -H 'Content-Type: application/json' \
	-d "{\"login\":\"gen.$district.supervisor\",\"password\":\"jiesu-demo\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$tok" ] || { echo "supervisor.sh: cannot log in as gen.$district.supervisor" >&2; exit 1; }
out=$(mktemp)
t() {
	local s
	s=$(curl -s -m 600 -o "$out" -w "%{time_total}" -H "Authorization: Bearer $tok" "$api/cases?$1")
	echo "$s $1 $(grep -o '"total":[0-9]*' "$out")"
}
for s in dispatched accepted in_progress returned parked replied closed; do t "unit=$district&status=$s&per_page=1"; done
t "unit=$district&overdue=true&per_page=1"
t "unit=$district&status=dispatched&page=1&per_page=20"
t "unit=$district&per_page=100"
t "unit=$district&status=closed&page=1&per_page=20"
for q in "" "status=dispatched&" "status=closed&" "overdue=true&" "from=2025-12-01&"; do t "${q}page=1&per_page=20"; done
# the district's own cases within dates (a list by unit: what it leads)
t "unit=$district&from=2025-12-01&to=2026-01-01&page=1&per_page=20"
t "unit=$district&from=2025-06-01&to=2025-07-01&page=1&per_page=20"
rm -f "$out"
