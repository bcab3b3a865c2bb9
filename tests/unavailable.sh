#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# A test this build could not make (see the end of tests/Makefile.am):
# FILE holds the reason, reported as one skipped test in TAP.
reason=$(cat "$1") || reason="unavailable in this build"
printf '1..0 # SKIP %s\n' "$reason"
