#!/bin/sh
# Stands for the fuzz smoke tests when configure found no libFuzzer.
echo "SKIP: ${FUZZ_MISSING:-clang with libFuzzer not found}"
exit 77
