/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/*
 * libpristine-bench-empty.so: a shared object with nothing in it, built
 * as the shim is. Preloading it costs what any preload costs; the shim's
 * own cost is what it takes beyond (bench/shim.c).
 */
typedef int bench_empty_object;
