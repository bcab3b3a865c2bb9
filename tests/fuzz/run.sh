#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# run.sh HARNESS SECONDS: fuzzes for SECONDS from the harness's seeds (made
# by make-seeds), its regression cases and the corpus kept in the build
# tree (fuzz/corpus/NAME, which grows run after run). Prints the number of
# executions; a crash leaves its input as fuzz/crash-NAME-* and fails.
set -u
harness=$1
seconds=$2
name=$(basename "$harness" .fuzz)
dir=$(dirname "$harness")
srcdir=${top_srcdir:?}/tests/fuzz
mkdir -p "$dir/corpus/$name" "$dir/seeds"
rm -rf "$dir/seeds/$name"
"$dir/make-seeds" "$name" "$dir/seeds/$name" || exit 1
regress=
[ -d "$srcdir/regress/$name" ] && regress=$srcdir/regress/$name
log=$dir/$name.fuzz-log
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$dir/crash-$name-" \
	"$dir/corpus/$name" "$dir/seeds/$name" $regress >"$log" 2>&1
status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
echo "fuzz $name: ${execs:-?} executions in ${seconds}s, exit $status"
if [ $status -ne 0 ]; then
	tail -n 40 "$log"
	echo "the input is in $dir/crash-$name-*; add it to" \
		"tests/fuzz/regress/$name/ once fixed"
	exit 1
fi
exit 0
