# Shared by the HTTP benchmarks (bench/run.sh, bench/alloc.sh), sourced:
# it checks for wrk and makes tmp, a scratch directory removed at exit with
# every process start started (pids). The caller sets dur (seconds per
# figure) and, before token, api (the server's /api/v1 URL).
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

# The CPU time (s) process $1 has used, from /proc: its user and system ticks
proc_cpu() { sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($12 + $13) / hz}'; }

# $1 = url, rest = wrk options; prints "rps p99ms" (conns= connections, default 32). It also
# writes $tmp/cpu_us: the CPU time a request cost, in microseconds, wrk's own and (when
# cpu_pid names the server) the server's, over the whole run.
measure() {
	local url=$1; shift
	local s0=0 s1=0
	if [ -n "${cpu_pid:-}" ]; then s0=$(proc_cpu "$cpu_pid"); fi
	times > "$tmp/times0"
	wrk -t2 -c"${conns:-32}" -d"${dur}s" --latency "$@" "$url" > "$tmp/wrk.out"
	times > "$tmp/times1"
	if [ -n "${cpu_pid:-}" ]; then s1=$(proc_cpu "$cpu_pid"); fi
	local rps p99
	rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
	p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$tmp/wrk.out")
	if grep -q "Non-2xx" "$tmp/wrk.out"; then echo "bench: non-2xx responses for $url" >&2; cat "$tmp/wrk.out" >&2; exit 1; fi
	# times: the second line is the children's user and system time (1m2.345s 0m0.678s)
	{ tail -1 "$tmp/times0"; tail -1 "$tmp/times1"; } | awk -v s0="$s0" -v s1="$s1" \
		-v n="$(awk '/requests in/ {print $1}' "$tmp/wrk.out")" '
		function sec(t,  m) { m = t; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", t); sub(/s$/, "", t); return m * 60 + t }
		{ c[NR] = sec($1) + sec($2) }
		END { printf "%.1f\n", (c[2] - c[1] + s1 - s0) * 1e6 / n }' > "$tmp/cpu_us"
	echo "$rps $p99"
}

start() { # $1 = name, rest = command; waits for its first line
	"${@:2}" > "$tmp/$1.out" 2> "$tmp/$1.err" & pids+=($!)
	for _ in $(seq 100); do [ -s "$tmp/$1.out" ] && return; sleep 0.05; done
	echo "bench: $1 did not start" >&2; cat "$tmp/$1.err" >&2; exit 1
}

# A demo account's bearer token: token LOGIN
token() { curl -s "$api/auth/login" -H 'Content-Type: application/json' -d "{\"login\":\"$1\",\"password\":\"jiesu-demo\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }

# The case every intake figure records, and a wrk script that posts it: post_lua FILE [BODY]
case_body='{"type":"complaint","title":"小区门口占道经营","content":"每天晚上有流动摊贩占道经营，噪音大、垃圾多，请相关部门处理。","address":"石景山区八宝山街道某小区南门","requester":{"name":"张三","phone":"13812345678"},"place":{"street":"110107001"}}'
# The same case placed from its coordinates (in 八宝山街道) under category CATEGORY, so it is
# dispatched to the street at once (直派): placed_body CATEGORY
placed_body() {
	printf '%s' "$case_body" | sed "s|\"place\":{\"street\":\"110107001\"}|\"category\":$1,\"location\":{\"lat\":39.9075,\"lon\":116.2350,\"crs\":\"wgs84\"}|"
}
post_lua() {
	cat > "$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '${2:-$case_body}'
LUA
}

# A wrk script that reads a case drawn at random from ids LO to HI (seeded, so runs draw alike): random_lua FILE LO HI
random_lua() {
	printf 'math.randomseed(7)\nrequest = function() return wrk.format("GET", "/api/v1/cases/" .. math.random(%d, %d)) end\n' \
		"$2" "$3" > "$1"
}
