#!/usr/bin/env bash
# The reads of a working day (bench/reads.c) on a database bench/gen.c
# wrote: the unit inbox's four tabs for every street and department that
# leads an open case, the month's rankings, and the unit counts of a month,
# a quarter and the year (kept per day against the plain scan, which must
# agree). Writes the reads section of docs/PERFORMANCE.md (between the
# reads markers; the rest of the file is left alone).
# Usage: bench/reads.sh DB [ROUNDS [SCAN_ROUNDS [SCAN_SPANS]]]   (ROUNDS default 3; the
#   plain scans, the baseline of the unit counts, in the first SCAN_ROUNDS only: default
#   ROUNDS; and for the first SCAN_SPANS of month, quarter, year: default 3)
#   e.g. bench/gen.sh 1000000 && bench/reads.sh build/gen/year-1000000.db
#   The first open of a database made by an older jiesu migrates it (writes
#   it): run on a copy if the original must stay as it is.
#   READS_BIN=FILE   use this binary (no make)
#   READS_COLD=1   the first round of the inboxes from the disk (reads --cold)
#   PERFORMANCE_DOC=FILE   write the section there instead (bench/section.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] && [ $# -le 4 ] || { echo "usage: bench/reads.sh DB [ROUNDS [SCAN_ROUNDS [SCAN_SPANS]]]" >&2; exit 2; }
db="$1" rounds="${2:-3}" scan_rounds="${3:-${2:-3}}" scan_spans="${4:-3}"
bin="${READS_BIN:-build/bench/reads}"
[ -n "${READS_BIN:-}" ] || make -s build/bench/reads
"$bin" --db "$db" --rounds "$rounds" --scan-rounds "$scan_rounds" --scan-spans "$scan_spans" \
	${READS_COLD:+--cold} --write build/reads.md
bench/section.sh reads build/reads.md
echo "reads.sh: wrote the reads section of ${PERFORMANCE_DOC:-docs/PERFORMANCE.md}"
