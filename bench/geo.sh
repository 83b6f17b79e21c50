#!/usr/bin/env bash
# Point lookup (bench/geo.c): agreement with NYC's own Community Boards and
# lookups per second beside a bare GEOS loop, written into
# docs/PERFORMANCE.md as its own section between the markers below (the
# rest of the file is left alone; bench/run.sh rewrites the file, so make
# bench runs this after it).
# Usage: bench/geo.sh [POINTS]   (default 1000000; make bench-smoke uses 100000)
# The NYC data is test-only and read from ../shared/data (JIESU_DATA=DIR to
# change); without it the NYC rows say so and the Beijing rows still run.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
data="${JIESU_DATA:-../shared/data}"
make -s build/bench/geo
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
build/bench/geo "$data" "$n" | tee "$tmp"

# field LINE_PREFIX KEY: the value of KEY=... on the line starting with LINE_PREFIX
field() { awk -v p="$1" -v k="$2" 'index($0, p) == 1 { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$tmp"; }
pct() { awk -v v="$1" 'BEGIN { printf "%.2f%%", v * 100 }'; }
num() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
row() { # $1 = line prefix, $2 = label
	local j b c i r
	j=$(field "$1 " jiesu); b=$(field "$1 " bare); c=$(field "$1 " bare_contains); i=$(field "$1 " bare_intersects)
	r=$(field "$1 " ratio)
	echo "| $2 | $(num "$j") | $(num "$b") | bare loop (contains $(num "$c"), intersects $(num "$i"): the faster) | $r |"
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f1 --complement | sed 's/^ *//')
{
	echo "<!-- geo:begin -->"
	echo "## Point lookup"
	echo
	echo "Measured $(date -u +%Y-%m-%d) on one core of the machine above ($cpu), GEOS $(geos-config --version),"
	echo "with \`bench/geo.sh $n\` (\`build/bench/geo\`): $n random points in the bounding box of each set"
	echo "of boundaries, resolved by \`geo_resolve_point\` (the full answer: codes, flags and the evidence"
	echo "sentence) and, in the same run, by a bare loop over the same stored polygons read with GEOS's"
	echo "own GeoJSON reader, prepared, in a GEOS STRtree, one GEOS predicate per candidate. The three"
	echo "loops run interleaved in blocks of 20,000 points, 7 rounds; each loop's time is the sum of its"
	echo "best round per block, in thread CPU time."
	echo
	echo "| what | jiesu | baseline | baseline is | ratio |"
	echo "|---|---|---|---|---|"
	nyc=false
	grep -q '^agreement ' "$tmp" && nyc=true
	if $nyc; then
		g=$(field "agreement " geocoded); m=$(field "agreement " matched); s=$(field "agreement " share)
		u=$(field "agreement " unspecified); f=$(field "agreement " flagged); x=$(field "agreement " mismatched)
		echo "| NYC 311 sample (2011): geocoded rows whose district is the row's own Community Board | $(pct "$s") ($m of $g) | 98.5% | the target (the data's README: about 98.5% agree) | |"
		row "speed nyc" "NYC community districts (71, WGS84), points/s"
	else
		echo "| NYC agreement and speed | not measured | | $data/us is absent (test-only data) | |"
	fi
	row "speed beijing" "Beijing demo districts (16, GCJ-02), points/s"
	row "speed beijing_wgs84_input" "Beijing, points given in WGS84 (converted to GCJ-02 first), points/s"
	echo
	if $nyc; then
		echo "Of the $g geocoded NYC rows, $u says \"Unspecified\" (counted as not matching), $f lies in no"
		echo "district (flagged for a decision) and $x resolve to another district: the next one over, or a"
		echo "park or airport the map draws as an area of its own (164 Central Park, 355 Prospect Park, 480"
		echo "LaGuardia, ...). Without the \"Unspecified\" row the share is"
		echo "$(awk -v m="$m" -v g="$g" -v u="$u" 'BEGIN { printf "%.2f%%", 100 * m / (g - u) }')."
		echo
	fi
	echo "Reading the figures: a point costs jiesu what the bare loop costs, plus the evidence sentence"
	echo "and, for a point outside every polygon but inside some polygon's envelope, one query of the"
	echo "edge tree (is it on a boundary?). Points given in another system than the boundaries' pay for"
	echo "the conversion (WGS84 → GCJ-02, the published trigonometric formula) on top."
	echo "<!-- geo:end -->"
} > "$tmp.md"

doc=docs/PERFORMANCE.md
if grep -q '<!-- geo:begin -->' "$doc"; then
	awk -v f="$tmp.md" '/<!-- geo:begin -->/ { while ((getline l < f) > 0) print l; skip = 1; next }
		/<!-- geo:end -->/ { skip = 0; next } !skip' "$doc" > "$doc.new"
	mv "$doc.new" "$doc"
else
	{ echo; cat "$tmp.md"; } >> "$doc"
fi
rm -f "$tmp.md"
echo "bench: wrote the point lookup section of $doc"
