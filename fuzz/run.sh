#!/usr/bin/env bash
# Run every libFuzzer target in build dir $1 (default build-fuzz) for $2
# seconds each (default 60) on its seeds in fuzz/corpus/<name>/. New inputs
# go to $1/fuzz-corpus/<name>/ (kept between runs, never into git), crashes
# to $1/fuzz-crashes/<name>/. Prints one line per target (executions and
# crashes found) and a total; exits non-zero if any target found a crash,
# a leak, a timeout or ran out of memory. `make fuzz` calls this.
set -uo pipefail
cd "$(dirname "$0")/.."
b="${1:-build-fuzz}"
secs="${2:-60}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
total=0; found=0; lines=(); broken=()
for t in "$b"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=${t##*/fuzz_}
	seeds=fuzz/corpus/$name
	scratch=$b/fuzz-corpus/$name
	crashes=$b/fuzz-crashes/$name
	log=$b/fuzz-logs/$name.log
	rm -rf "$crashes"
	mkdir -p "$scratch" "$crashes" "${log%/*}"
	echo "== $name: $secs s on $seeds (log: $log)"
	"$t" -max_total_time="$secs" -timeout=25 -print_final_stats=1 -artifact_prefix="$crashes/" \
		"$scratch" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	n=$(find "$crashes" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	[ $rc -ne 0 ] && [ "$n" -eq 0 ] && n=1 # died without leaving an input: count it all the same
	total=$((total + ${execs:-0})); found=$((found + n))
	lines+=("$(printf '%-12s %12s execs %6s crashes' "$name" "${execs:-?}" "$n")")
	if [ "$n" -gt 0 ]; then
		broken+=("$name")
		grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|^fuzz' "$log"
		ls "$crashes"
	fi
done
printf 'fuzz: %s\n' "${lines[@]}"
echo "fuzz: ${#lines[@]} targets, $total executions, $found crashes"
[ ${#broken[@]} -gt 0 ] && echo "fuzz: crashed: ${broken[*]} (inputs in $b/fuzz-crashes/)"
[ ${#lines[@]} -gt 0 ] && [ ${#broken[@]} -eq 0 ]
