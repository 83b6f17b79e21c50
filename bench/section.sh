#!/usr/bin/env bash
# Put one benchmark's section into docs/PERFORMANCE.md, leaving the others
# alone: bench/section.sh NAME FILE replaces what stands between
# <!-- NAME:begin --> and <!-- NAME:end --> with FILE (which carries the
# two markers itself), or appends FILE when the document has no such
# section yet. Every bench script writes its figures through this.
set -euo pipefail
name="$1" file="$2"
doc="${PERFORMANCE_DOC:-docs/PERFORMANCE.md}"
[ -f "$doc" ] || printf '# Performance\n' > "$doc"
if grep -q "<!-- $name:begin -->" "$doc"; then
	awk -v f="$file" -v b="<!-- $name:begin -->" -v e="<!-- $name:end -->" \
		'$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
		 $0 == e { skip = 0; next } !skip' "$doc" > "$doc.new"
	mv "$doc.new" "$doc"
else
	{ echo; cat "$file"; } >> "$doc"
fi
