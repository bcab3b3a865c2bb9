#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# The short fuzz run of `make check`: run.sh for FUZZ_SMOKE_SECONDS (20).
exec "${SHELL:-/bin/sh}" "${top_srcdir:?}/tests/fuzz/run.sh" "$1" \
	"${FUZZ_SMOKE_SECONDS:-20}"
