#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# `pristine-bench --quick` completes and writes a well-formed CSV (every
# method in every cell: each target, parent and pinning) and a well-formed
# SVG. Timing is not asserted: this is a smoke run on a shared machine.
set -u
. "${top_srcdir:?}/tests/tap.sh"
bench=${top_builddir:?}/src/pristine-bench
out=${tests_builddir:?}/bench-quick
csv=$out.csv
svg=$out.svg
acsv=$out-async.csv
rm -f "$csv" "$svg" "$acsv"

if ! timeout 300 "$bench" --quick --csv "$csv" --svg "$svg" \
	--async-csv "$acsv" >"$out.txt" 2>&1
then
	bad "pristine-bench --quick failed; its output:
$(cat "$out.txt")"
	finish
fi
ok "pristine-bench --quick completes"

# The shim's cells (issue 17): its load cost, three preloads for each of
# the two programs; the make workload, measured or said to be skipped.
rows=$(sed -n '/^shim load cost:/,/^  target:/p' "$out.txt" |
	grep -Ec '^  (true|fork) +(none|empty|shim) +[0-9]')
if [ "$rows" = 6 ]; then
	ok "the shim's load cost: 6 rows"
else
	bad "the shim's load cost: $rows rows
$(sed -n '/^shim load cost:/,$p' "$out.txt")"
fi
if grep -Eq '^  (plain|shim|POOL=2) +[0-9.]+ +[0-9.]+$' "$out.txt" ||
   sed -n '/^workload: make/,$p' "$out.txt" | grep -q 'skipped'; then
	ok "the make workload: measured, or skipped with its reason"
else
	bad "the make workload
$(sed -n '/^workload: make/,$p' "$out.txt")"
fi

# CSV: the header, eleven fields a row, sane numbers, posix_spawn's ratio
# 1, and every method in each of the 18 blocks the plan must produce.
why=$(awk -F, '
function bad(why) { print FILENAME ":" NR ": " why ": " $0; err = 1 }
NR == 1 {
	if ($0 != "method,target,parent,pinning,metric,median_us,p99_us,ratio,parent_bytes,parent_maps,plot")
		bad("header")
	next
}
{
	if (NF != 11) { bad("not 11 fields"); next }
	if ($9 !~ /^[0-9]+$/ || $10 !~ /^[0-9]+$/ || $11 !~ /^[01]$/)
		bad("parent size, mappings or plot flag")
	for (i = 6; i <= 8; i++)
		if ($i !~ /^[0-9]+\.[0-9]+$/ || $i + 0 <= 0)
			bad("field " i " is not a positive number")
	if ($7 + 0 < $6 + 0)
		bad("p99 below the median")
	if ($1 == "posix_spawn" && $8 != "1.0000")
		bad("posix_spawn ratio is not 1")
	if ($5 != "spawn_wait" && $5 != "first_insn")
		bad("unknown metric")
	if ($5 == "first_insn" && $2 != "static")
		bad("first_insn for a target that writes no stamp")
	block = $2 "," $3 "," $4 "," $5
	cells[block "," $1]++
	blocks[block] = 1
	names[$1] = 1
}
END {
	split("fork+execve vfork+execve posix_spawn pristine_spawn pristine-kernel", want, " ")
	for (m in want)
		if (!(want[m] in names)) { print "no method " want[m]; err = 1 }
	split("small threads large", parents, " ")
	split("pinned unpinned", pins, " ")
	split("true,spawn_wait static,spawn_wait static,first_insn", tm, " ")
	for (p in parents) for (q in pins) for (t in tm) {
		split(tm[t], x, ",")
		b = x[1] "," parents[p] "," pins[q] "," x[2]
		if (!(b in blocks)) { print "no cells for " b; err = 1 }
	}
	for (b in blocks) for (m in names)
		if (cells[b "," m] != 1) {
			print b " has " cells[b "," m] + 0 " rows for " m
			err = 1
		}
	exit err
}' "$csv") && ok "the CSV is well-formed, every method in every cell" ||
bad "the CSV:
$why"

# SVG: well-formed XML when python3 is there, and in any case an svg root,
# two panels' worth of lines, one legend entry per method.
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import sys, xml.dom.minidom as d
doc = d.parse(sys.argv[1])
assert doc.documentElement.tagName == "svg", "root is not svg"' "$svg" &&
	ok "the SVG is well-formed XML" || bad "$svg is not well-formed XML"
else
	skip "the SVG is well-formed XML" "python3 not found"
fi
head -2 "$svg" | grep -q '<svg ' && tail -1 "$svg" | grep -q '^</svg>$' &&
ok "the SVG has its <svg> root, not cut short" ||
bad "$svg: no <svg> root, or cut short"
lines=$(grep -c '<polyline' "$svg")
methods=$(cut -d, -f1 "$csv" | sed 1d | sort -u | wc -l)
# Two log panels with every method, two linear ones without fork+execve.
expect_lines="$lines polylines for $methods methods in four panels"
[ "$lines" -eq $((4 * methods - 2)) ] && ok "$expect_lines" || bad "$expect_lines"
grep -q 'the same without fork+execve, linear scale from 0' "$svg" &&
ok "the second row: the other methods on a linear scale" ||
bad "no linear row without fork+execve in $svg"
missing=
for m in $(cut -d, -f1 "$csv" | sed 1d | sort -u); do
	grep -q ">$m</text>" "$svg" || missing="$missing $m"
done
[ -z "$missing" ] && ok "every method in the legend" ||
bad "not in the legend:$missing"
# --replot draws the same plot again from the CSV alone (the same lines
# and labels; a coordinate may differ in its last digit, the CSV's
# medians being rounded to 0.01 us).
if "$bench" --replot "$csv" --svg "$out-replot.svg" 2>"$out.err" &&
   [ "$(grep -c '<polyline' "$out-replot.svg")" = "$lines" ] &&
   [ "$(grep -o '>[^<]*</text>' "$svg")" = \
     "$(grep -o '>[^<]*</text>' "$out-replot.svg")" ]; then
	ok "--replot: the same lines and labels from the CSV"
else
	bad "--replot: $(cat "$out.err"; diff "$svg" "$out-replot.svg" | head)"
fi
rm -f "$out-replot.svg" "$out.err"
# The asynchronous run: both sections in the text; in its CSV, for each
# target, seven in-call cells per block (fresh, pool) and three dispatch
# methods, posix_spawn's ratios 1.
grep -q '^async: time inside the calls per spawn' "$out.txt" &&
grep -q '^async: dispatch' "$out.txt" &&
ok "the asynchronous run's two sections" ||
bad "no asynchronous run's sections in $out.txt"
why=$(awk -F, '
function bad(why) { print FILENAME ":" NR ": " why ": " $0; err = 1 }
NR == 1 {
	if ($0 != "measure,target,source,method,value,p99,ratio") bad("header")
	next
}
{
	if (NF != 7) { bad("not 7 fields"); next }
	if ($5 !~ /^[0-9]+\.[0-9]+$/ || $5 + 0 <= 0) bad("value")
	if ($4 == "posix_spawn" && $7 != "1.0000") bad("posix_spawn ratio")
	n[$1 "," $2]++
}
END {
	split("true static", t, " ")
	for (i in t) {
		if (n["in_call_us," t[i]] != 14) bad(t[i] ": not 14 in-call cells")
		if (n["dispatch_per_s," t[i]] != 3 ||
		    n["dispatch_cpu_us," t[i]] != 3) bad(t[i] ": dispatch cells")
	}
	exit err
}' "$acsv") && ok "the asynchronous run's CSV is well-formed" ||
bad "the asynchronous run's CSV:
$why"
rm -f "$acsv"
note "bench quick: $(sed 1d "$csv" | wc -l) cells, $methods methods;" \
	"$(tail -1 "$out.txt")"
finish
