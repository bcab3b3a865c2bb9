#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright (C) 2026 The pristine authors
# Stands for the fuzz smoke tests when configure found no libFuzzer.
echo "1..0 # SKIP ${FUZZ_MISSING:-clang with libFuzzer not found}"
