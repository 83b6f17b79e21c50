#!/usr/bin/env bash
# Build jiesu, create the demo database (Beijing's real districts, streets and
# communities, departments, categories, holiday calendars, demo accounts) if it
# does not exist yet, and serve it. Usage: scripts/demo.sh [HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
listen="${1:-127.0.0.1:8080}"
db="${JIESU_DB:-jiesu-demo.db}"
scripts/deps.sh
make -s -j"$(nproc)"
if [ ! -f "$db" ]; then
	build/jiesu init --db "$db" --demo
else
	echo "using existing $db (delete it to start afresh)"
	build/jiesu init --logins
fi
echo
echo "jiesu: open http://${listen}/ in a browser and log in with a demo login above (password jiesu-demo); the API is under http://${listen}/api/v1 (docs/API.md)"
exec build/jiesu serve --db "$db" --listen "$listen"
