#!/usr/bin/env bash
# Browser tests of the workbench against a real jiesu with the demo data.
#
#   web/tests/run.sh BUILD/jiesu [WEB_DIR]
#
# Creates a temporary demo database, starts jiesu on a free loopback port
# (with --web-dir WEB_DIR when given, else the pages embedded in the binary),
# waits for /healthz, runs web/tests/e2e.mjs in headless Chromium, stops the
# server and removes the temporary files. Skips (exit 0, "skip:") only when
# node or /usr/bin/chromium is missing, or node is older than playwright-core
# needs (its package.json "engines").
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
web="$(dirname "$here")"
bin="${1:-}"
webdir="${2:-}"

if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "usage: web/tests/run.sh PATH/TO/jiesu [WEB_DIR]  (no executable at '${bin}')" >&2
	exit 2
fi
if ! command -v node >/dev/null 2>&1; then
	echo "skip: node is not installed (scripts/deps.sh installs it)"
	exit 0
fi
# The node playwright-core needs (">=20"): from its package.json, or before
# `npm ci` from package-lock.json. Prints the range when this node is older.
node_too_old() {
	(cd "$web" && node -e '
var fs = require("fs"), e = null;
try { e = JSON.parse(fs.readFileSync("node_modules/playwright-core/package.json", "utf8")).engines; } catch (x) {}
if (!e) try { e = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages["node_modules/playwright-core"].engines; } catch (x) {}
var r = ((e && e.node) || "").trim(), m = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(r);
if (!m) process.exit(0);
var want = [+m[1], +(m[2] || 0), +(m[3] || 0)], have = process.versions.node.split(".").map(Number);
for (var i = 0; i < 3; i++) {
	if (have[i] > want[i]) break;
	if (have[i] < want[i]) { console.log(r); break; }
}')
}
need="$(node_too_old || true)"
if [ -n "$need" ]; then
	echo "skip: node $(node -p process.versions.node) is older than playwright-core needs ($need)"
	exit 0
fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
	echo "skip: ${CHROMIUM:-/usr/bin/chromium} is not installed (apt-get install chromium)"
	exit 0
fi
if [ ! -d "$web/node_modules/playwright-core" ]; then
	(cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/jiesu-e2e.XXXXXX")"
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A fixed clock: deadlines, countdowns and the assessment period are the same on every run.
export JIESU_NOW="${JIESU_NOW:-2026-03-02T09:00:00+08:00}"
start=$(date +%s)
"$bin" init --db "$tmp/e2e.db" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; exit 1; }

args=(serve --db "$tmp/e2e.db" --listen 127.0.0.1:0 --sweep-seconds 0)
[ -n "$webdir" ] && args+=(--web-dir "$webdir")
"$bin" "${args[@]}" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!

url=""
for _ in $(seq 1 100); do
	url="$(sed -n 's|^jiesu listening on \(http://[^/]*\)/.*|\1|p' "$tmp/serve.out" | head -1)"
	[ -n "$url" ] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "e2e: jiesu serve exited:" >&2; cat "$tmp/serve.err" >&2; exit 1
	fi
	sleep 0.1
done
[ -n "$url" ] || { echo "e2e: jiesu did not say where it listens" >&2; cat "$tmp/serve.err" >&2; exit 1; }
for _ in $(seq 1 100); do
	if node -e "fetch('$url/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then break; fi
	sleep 0.1
done

rc=0
JIESU_URL="$url" node "$here/e2e.mjs" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "e2e: server log (last 30 lines):" >&2
	tail -n 30 "$tmp/serve.err" >&2 || true
fi
echo "e2e: $(( $(date +%s) - start )) s in all (database, server and browser)"
exit "$rc"
