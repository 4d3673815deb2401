/* SPDX-License-Identifier: MIT */
/*
 * Copies, fills and compares of whole ranges the guest computed itself (its
 * regions, their shadows, the stores that hold them): under ASan the C
 * library's own routines, past the interceptors (bulk.c says why).
 */
#ifndef VGUEST_SRC_BULK_H
#define VGUEST_SRC_BULK_H

#include <stdbool.h>
#include <stddef.h>

void vg__copy(void *dst, const void *src, size_t n);
void vg__set(void *dst, int byte, size_t n);
bool vg__same(const void *a, const void *b, size_t n);

#endif /* VGUEST_SRC_BULK_H */
