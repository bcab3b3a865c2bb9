#!/bin/sh
# Stands for the fuzz smoke tests when configure found no libFuzzer.
echo "1..0 # SKIP ${FUZZ_MISSING:-clang with libFuzzer not found}"
