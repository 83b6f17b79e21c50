#!/usr/bin/env bash
# The memory allocator: jiesu as built (gperftools' tcmalloc in place of the
# C library's malloc: MALLOC_LIBS in the Makefile) beside the same sources
# built with the C library's malloc (MALLOC_LIBS= into build-glibc/), in the
# same run and on the same machine: the generator writing a year of CASES
# cases, then the server on that year (intake, a case read again, a case
# read at random). The two builds take turns, ROUNDS times each, each
# round on a year of its own. Writes the alloc section of
# docs/PERFORMANCE.md (PERFORMANCE_DOC names another file).
# Usage: bench/alloc.sh [CASES] [SECONDS] [ROUNDS]   (default 100000 10 2)
#   BENCH_THREADS=N   the server's worker threads (default one per core)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}" dur="${2:-10}" rounds="${3:-2}"
make -s build/jiesu build/bench/gen
make -s B=build-glibc MALLOC_LIBS= build-glibc/jiesu build-glibc/bench/gen
source bench/http_lib.sh
post_lua "$tmp/post.lua"
api=http://127.0.0.1:18183/api/v1

declare -A fig # fig[build,what] = the rounds' figures, space-separated
add() { fig[$1,$2]+="$3 "; }
for r in $(seq "$rounds"); do
	for b in build build-glibc; do
		db="$tmp/$b-$r.db"
		echo "alloc: round $r, $b: gen $n cases"
		TIMEFORMAT='%R %U'
		{ time "$b/bench/gen" --db "$db" --cases "$n" --quiet > /dev/null; } 2> "$tmp/time"
		read -r wall cpu < "$tmp/time"
		add "$b" gen_rate "$(awk -v n="$n" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')"
		add "$b" gen_cpu "$cpu"
		JIESU_LOG=warn start "jiesu-$b-$r" "$b/jiesu" serve --db "$db" --listen 127.0.0.1:18183 --sweep-seconds 0 \
			${BENCH_THREADS:+--threads "$BENCH_THREADS"}
		jpid=${pids[-1]}
		agent=$(token agent)
		read -r rps p99 < <(conns=64 measure "$api/cases" -H "Authorization: Bearer $agent" -s "$tmp/post.lua")
		add "$b" intake "$rps"; add "$b" intake_p99 "$p99"
		read -r rps p99 < <(measure "$api/cases/1" -H "Authorization: Bearer $agent")
		add "$b" again "$rps"
		random_lua "$tmp/random.lua" 1 "$n"
		read -r rps p99 < <(measure "$api/cases" -H "Authorization: Bearer $agent" -s "$tmp/random.lua")
		add "$b" random "$rps"
		add "$b" rss "$(awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$jpid/status")"
		kill "$jpid"; wait "$jpid" 2>/dev/null || true
		rm -f "$db" "$db-wal" "$db-shm"
	done
done

mean() { echo "$1" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.2f", s / NF }'; }
row() { # what, key
	local a="${fig[build,$2]}" g="${fig[build-glibc,$2]}"
	echo "| $1 | ${a% } | ${g% } | $(awk -v a="$(mean "$a")" -v g="$(mean "$g")" 'BEGIN { printf "%.2f", a / g }') |"
}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
cat > "$tmp/alloc.md" <<MD
<!-- alloc:begin -->
## Memory allocator

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($cpu), SQLite $(sqlite3 --version | cut -d' ' -f1), with
\`bench/alloc.sh $n $dur $rounds\`: jiesu as built, with gperftools' tcmalloc in place of the C library's
malloc (the Makefile's \`MALLOC_LIBS\`), beside the same sources built with the C library's malloc
(\`make B=build-glibc MALLOC_LIBS=\`), taking turns, $rounds rounds each, each round on a year of
its own: the generator writing $n cases, then the server on that year (its worker threads:
${BENCH_THREADS:-one per core}; wrk as in the HTTP section, $dur s a figure). Each cell holds the rounds' figures; the ratio is
of their means.

| what | tcmalloc | C library | ratio |
|---|---|---|---|
$(row "the generator, cases/s" gen_rate)
$(row "the generator, CPU seconds" gen_cpu)
$(row "record a case (64 connections, durable commit), cases/s" intake)
$(row "p99 latency of recording, ms" intake_p99)
$(row "a case read again by the same account, req/s" again)
$(row "a case read at random (nothing kept), req/s" random)
$(row "the server's peak resident memory, MiB" rss)

Why: Debian builds SQLite without its lookaside allocator (\`OMIT_LOOKASIDE\` in
\`PRAGMA compile_options\`), so each statement step takes its small allocations from malloc:
perf on the generator found malloc and free at 16% of its time with the C library's (2026-11-29).
The server's worker threads allocate at once, which tcmalloc serves from per-thread caches. The
cost is memory it keeps for reuse (the last row). mimalloc (Debian's libmimalloc2.0) gained about
half as much on the generator, jemalloc nothing (tried 2026-11-29 with \`LD_PRELOAD\`).
<!-- alloc:end -->
MD
bench/section.sh alloc "$tmp/alloc.md"
cat "$tmp/alloc.md"
