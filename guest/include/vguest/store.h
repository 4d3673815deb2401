/* SPDX-License-Identifier: MIT */
/*
 * A buffer kept across fuzz inputs.  It only grows, so once the largest input
 * has been seen nothing is allocated or faulted in per input; and under ASan
 * everything past what the current input asked for is poisoned, so an
 * overrun of this input's part is still caught as if it were a fresh
 * allocation of exactly that size.
 */
#ifndef VGUEST_STORE_H
#define VGUEST_STORE_H

#include <stdbool.h>
#include <stddef.h>

struct vg_store {
	void *p;
	size_t cap;  /* bytes allocated */
	size_t open; /* bytes the last user got: the only addressable ones under ASan */
};

/**
 * @p n bytes (n >= 1) from @p s, zeroed when @p zero, else holding whatever
 * the last user left; the bytes past n are poisoned.  @return NULL when out
 * of memory (the store is then as before).
 */
void *vg_store_get(struct vg_store *s, size_t n, bool zero);
/**
 * No user until the next vg_store_get(): the memory stays allocated, and under
 * ASan all of it is poisoned, so a use after this shows as one.
 */
void vg_store_close(struct vg_store *s);
/**
 * For one object of @p n bytes created and destroyed per fuzz input: the
 * store's block when no one holds it, else a fresh malloc (a second object
 * alive at once).  Not cleared.  @return NULL when out of memory.
 */
void *vg_store_lend(struct vg_store *s, size_t n);
/** Give back what vg_store_lend() gave: the store's block is closed, a malloc'd one freed. */
void vg_store_return(struct vg_store *s, void *p);
/** Release the memory; the store is empty again. */
void vg_store_free(struct vg_store *s);

#endif /* VGUEST_STORE_H */
