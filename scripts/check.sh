#!/usr/bin/env bash
# Run every unit and integration test binary in build dir $1, replay the
# fuzz corpora through its fuzz targets, then the browser tests of the web
# workbench against that build's jiesu, and print one summary line
# "check: N passed, N failed". Exit non-zero if any failed.
set -uo pipefail
b="${1:-build}"
passed=0; failed=0; broken=()
run() {
	local t="$1" out rc p f
	echo "== $t"
	out=$(JIESU_BIN="$b/jiesu" "$t" 2>&1); rc=$?
	echo "$out"
	# a binary may run several cmocka groups: add up every group's summary
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {if (NR) print s}')
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {if (NR) print s}')
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ]; then
		broken+=("$t")
		[ -z "$f" ] && failed=$((failed + 1))
	fi
}
for t in "$b"/tests/unit/test_* "$b"/tests/integration/test_*; do
	[ -x "$t" ] && run "$t"
done
# The fuzz targets without libFuzzer (fuzz/replay.c): every file of every
# corpus through each target, one test per target.
corpus=(fuzz/corpus/*/*)
for t in "$b"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	echo "== $t (${#corpus[@]} corpus files)"
	if out=$("$t" "${corpus[@]}" 2>&1); then
		echo "$out" | tail -1
		passed=$((passed + 1))
	else
		echo "$out" | tail -40
		echo "$out" | grep -a '^replay: ' | tail -1 | sed 's/^replay: /failed on /'
		broken+=("$t"); failed=$((failed + 1))
	fi
done
# The browser tests: one test here (their steps are listed in their output).
if [ -f web/tests/run.sh ]; then
	echo "== web/tests/run.sh $b/jiesu"
	out=$(bash web/tests/run.sh "$b/jiesu" 2>&1); rc=$?
	echo "$out"
	if [ $rc -ne 0 ]; then
		broken+=("web/tests/run.sh"); failed=$((failed + 1))
	elif ! echo "$out" | grep -q '^skip:'; then
		passed=$((passed + 1))
	fi
fi
[ ${#broken[@]} -gt 0 ] && echo "failing: ${broken[*]}"
echo "check: $passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ] && [ "$failed" -eq 0 ]
