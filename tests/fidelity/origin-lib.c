/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 The pristine authors */
/* The library observe-target finds through RUNPATH $ORIGIN/lib only. */
int origin_value(void);

int origin_value(void)
{
	return 42;
}
