#!/bin/sh
# The short fuzz run of `make check`: run.sh for FUZZ_SMOKE_SECONDS (20).
exec "${SHELL:-/bin/sh}" "${top_srcdir:?}/tests/fuzz/run.sh" "$1" \
	"${FUZZ_SMOKE_SECONDS:-20}"
