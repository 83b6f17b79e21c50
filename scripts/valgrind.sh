#!/usr/bin/env bash
# make valgrind: the unit tests and the integration suite under valgrind's
# memcheck (not in CI: about 40 minutes on two cores). Each unit test binary
# runs under valgrind itself; each integration test runs as usual with
# JIESU_VALGRIND set, so the harness starts every jiesu process (servers,
# commands) under valgrind with one log each (tests/integration/harness.c).
# Then every log is read: the run fails if a test failed, or a log shows a
# memory error or a definitely lost block, and lists them.
#
#   scripts/valgrind.sh [BUILD_DIR]       (default build-vg; make valgrind builds it)
#   VALGRIND_UNIT=0 scripts/valgrind.sh   the integration suite only
#   VALGRIND_TESTS="test_flow test_web"   only these integration tests
#
# Logs: BUILD_DIR/valgrind/vg-PROGRAM-PID.log; the summary is printed and
# written to BUILD_DIR/valgrind.md. A log without a summary is a process
# that was killed (test_crash's SIGKILL does that on purpose): listed, not
# failed — there was no exit to check.
set -uo pipefail
cd "$(dirname "$0")/.."
b="${1:-build-vg}"
logs="$b/valgrind"
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/deps.sh installs it)"; exit 1; }
[ -x "$b/jiesu" ] || { echo "valgrind: no $b/jiesu (make B=$b)"; exit 1; }
rm -rf "$logs"
mkdir -p "$logs"
# The same options as the harness gives (harness.c, vg_init).
# A child forked and exec'd by a test (test_gazetteer's system("rm -rf")) writes no log.
opts=(--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --error-exitcode=99
      --child-silent-after-fork=yes --suppressions=tests/valgrind.supp)
start=$(date +%s)
broken=()

if [ "${VALGRIND_UNIT:-1}" != 0 ]; then
	for t in "$b"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		echo "== valgrind $t"
		if ! nice valgrind "${opts[@]}" --log-file="$logs/vg-unit-$(basename "$t")-%p.log" "$t" >"$logs/$(basename "$t").out" 2>&1; then
			tail -20 "$logs/$(basename "$t").out"
			broken+=("$t")
		fi
		grep -h '^\[  \(PASSED\|FAILED\)  \]' "$logs/$(basename "$t").out"
	done
fi

for t in "$b"/tests/integration/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if [ -n "${VALGRIND_TESTS:-}" ] && ! [[ " $VALGRIND_TESTS " == *" $name "* ]]; then
		continue
	fi
	echo "== $t (jiesu under valgrind)"
	t0=$(date +%s)
	if ! JIESU_VALGRIND="$logs" JIESU_BIN="$b/jiesu" nice "$t" >"$logs/$name.out" 2>&1; then
		tail -40 "$logs/$name.out"
		broken+=("$t")
	fi
	grep -h '^\[  \(PASSED\|FAILED\)  \]\|^skip:' "$logs/$name.out"
	echo "   $(( $(date +%s) - t0 )) s"
done

# Every log: a process checked has an ERROR SUMMARY line.
checked=0; errors=0; lost=0; killed=(); bad=()
for f in "$logs"/vg-*.log; do
	[ -f "$f" ] || continue
	if ! grep -q 'ERROR SUMMARY:' "$f"; then
		killed+=("$f: $(sed -n 's/^==[0-9]*== Command: //p' "$f" | head -1)")
		continue
	fi
	checked=$((checked + 1))
	e=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tail -1 | tr -d ,)
	l=$(sed -n 's/^==[0-9]*==[ ]*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tail -1 | tr -d ,)
	errors=$((errors + ${e:-0})); lost=$((lost + ${l:-0}))
	if grep -Eq 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$f"; then
		bad+=("$f: $(sed -n 's/^==[0-9]*== Command: //p' "$f" | head -1)")
	fi
done
secs=$(( $(date +%s) - start ))
{
	echo "valgrind: $checked processes checked, $errors errors, $lost bytes definitely lost," \
		"${#killed[@]} killed before their summary, $((secs / 60)) min $((secs % 60)) s"
	for k in "${killed[@]}"; do echo "  killed: $k"; done
	for x in "${bad[@]}"; do echo "  FOUND: $x"; done
	for x in "${broken[@]}"; do echo "  failing test: $x (output in $logs/$(basename "$x").out)"; done
} | tee "$b/valgrind.md"
[ ${#bad[@]} -eq 0 ] && [ ${#broken[@]} -eq 0 ]
