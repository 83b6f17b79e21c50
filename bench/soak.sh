#!/usr/bin/env bash
# Soak (issue 7 part 8): MINUTES of mixed load on one server — cases
# recorded, read at random, inboxes listed, the health check, the deadline
# sweep running every minute — with no 5xx allowed, the server's resident
# memory sampled every 10 s, and `jiesu verify` on the database at the end.
# Fails (exit 1) on any 5xx, on memory growing past the bound after the
# warm-up, or on anything verify finds. Not run by CI: `make soak`
# (SOAK_MINUTES=30 by default). Writes its figures to build/soak.md.
# Usage: bench/soak.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-30}"
bound_mib="${SOAK_GROWTH_MIB:-32}" # allowed growth of RSS after the first fifth of the run
command -v wrk >/dev/null || { echo "soak: wrk is not installed (apt-get install wrk)"; exit 1; }
make -s build/jiesu
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

build/jiesu init --db "$tmp/soak.db" --demo > /dev/null 2>&1
JIESU_LOG=warn build/jiesu serve --db "$tmp/soak.db" --listen 127.0.0.1:0 --sweep-seconds 60 > "$tmp/out" 2> "$tmp/err" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/out" ] && break; sleep 0.1; done
base=$(sed -n 's|.*listening on \(http://[^/]*\)/.*|\1|p' "$tmp/out")
[ -n "$base" ] || { echo "soak: the server did not start"; cat "$tmp/err"; exit 1; }
token() { curl -s "$base/api/v1/auth/login" -H 'Content-Type: application/json' -d "{\"login\":\"$1\",\"password\":\"jiesu-demo\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
agent=$(token agent)
handler=$(token babaoshan.handler)
body='{"type":"complaint","title":"小区门口占道经营","content":"每天晚上有流动摊贩占道经营，噪音大、垃圾多，请相关部门处理。","address":"石景山区八宝山街道某小区南门","requester":{"name":"张三","phone":"13812345678"},"place":{"street":"110107001"},"auto_dispatch":true}'
# the mix, per request: 30% record a case, 40% read one at random, 20% a street's inbox, 10% /healthz;
# each connection waits 40 ms after each reply (about 16 connections × 25/s = 400 requests/s)
cat > "$tmp/mix.lua" <<LUA
local made = 1
counts = {} -- global: done() reads each thread's through thread:get
local statuses = {}
function setup(thread) table.insert(statuses, thread) end
function init(args) counts = {} end
function delay() return 40 end
request = function()
	local r = math.random(100)
	if r <= 30 then
		made = made + 1
		return wrk.format("POST", "/api/v1/cases", {["Authorization"] = "Bearer $agent", ["Content-Type"] = "application/json"}, '$body')
	elseif r <= 70 then
		return wrk.format("GET", "/api/v1/cases/" .. math.random(1, made), {["Authorization"] = "Bearer $agent"})
	elseif r <= 90 then
		return wrk.format("GET", "/api/v1/cases?inbox=doing&sort=due&per_page=20", {["Authorization"] = "Bearer $handler"})
	end
	return wrk.format("GET", "/healthz")
end
response = function(status, headers, body)
	local k = math.floor(status / 100) .. "xx"
	counts[k] = (counts[k] or 0) + 1
end
function done(summary, latency, requests)
	local all = {}
	for _, t in ipairs(statuses) do
		local c = t:get("counts") or {}
		for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
	end
	for k, v in pairs(all) do io.write("status " .. k .. " " .. v .. "\n") end
	io.write(string.format("p99_ms %.1f\n", latency:percentile(99) / 1000))
end
LUA
echo "soak: $minutes min of mixed load on $base (pid $pid)"
: > "$tmp/rss"
( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$pid/status" >> "$tmp/rss"; sleep 10; done ) &
wrk -t2 -c16 -d"${minutes}m" --latency -s "$tmp/mix.lua" "$base/" > "$tmp/wrk.out"
cat "$tmp/wrk.out"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
n=$(wc -l < "$tmp/rss")
warm=$((n / 5 > 0 ? n / 5 : 1))
rss_warm=$(head -n "$warm" "$tmp/rss" | sort -n | tail -1)
rss_max=$(sort -n "$tmp/rss" | tail -1)
rss_end=$(tail -1 "$tmp/rss")
x5=$(awk '/^status 5xx/ {print $3}' "$tmp/wrk.out"); x5=${x5:-0}
x2=$(awk '/^status 2xx/ {print $3}' "$tmp/wrk.out"); x2=${x2:-0}
x4=$(awk '/^status 4xx/ {print $3}' "$tmp/wrk.out"); x4=${x4:-0}
p99=$(awk '/^p99_ms/ {print $2}' "$tmp/wrk.out")
cases=$(sqlite3 "$tmp/soak.db" 'SELECT count(*) FROM cases')
verify=$(build/jiesu verify --db "$tmp/soak.db" | tail -3 | tr '\n' ' ')
growth=$(( (rss_max - rss_warm) / 1024 ))
ok=1
[ "$x5" -eq 0 ] || { echo "soak: $x5 replies were 5xx"; ok=0; }
[ "$growth" -le "$bound_mib" ] || { echo "soak: resident memory grew $growth MiB after the warm-up (bound $bound_mib)"; ok=0; }
case "$verify" in *"verify: ok"*) ;; *) echo "soak: verify found problems: $verify"; ok=0 ;; esac
mkdir -p build
cat > build/soak.md <<MD
Soak, $(date -u +%Y-%m-%d), $(nproc) cores: $minutes min, 16 connections each pausing 40 ms
(30% intake, 40% a random case, 20% a street's inbox, 10% /healthz; the sweep every minute).
Replies: $x2 2xx, $x4 4xx, $x5 5xx; p99 ${p99} ms; $cases cases at the end.
Resident memory: $((rss_warm / 1024)) MiB at the end of the warm-up (first fifth), at most
$((rss_max / 1024)) MiB, $((rss_end / 1024)) MiB at the end (growth after warm-up ${growth} MiB, bound ${bound_mib} MiB).
jiesu verify: $verify
MD
cat build/soak.md
[ "$ok" -eq 1 ] && echo "soak: passed" || { echo "soak: FAILED"; exit 1; }
