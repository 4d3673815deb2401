/* SPDX-License-Identifier: MIT */
/*
 * Bulk byte work on guest memory (see bulk.h).  Under the fuzzers, ASan's
 * interceptors of memcpy, memset and memcmp test the shadow of every range
 * (an eighth of its bytes again), and the memcmp interceptor also hands
 * each compare to libFuzzer's value profile: for the device-write oracle's
 * region-sized snapshots and compares that was about a tenth of a rings
 * input, spent on ranges this file computed from the region's own size.
 * So the routines are looked up past the interposers (RTLD_NEXT from the
 * executable that links this library: the C library's), once.  Every
 * access the device or the oracles make through the guest's pointers is
 * still checked; only these copies of whole, known ranges are not.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include "bulk.h"

#include <dlfcn.h>
#include <string.h>

typedef void *(*copy_fn)(void *, const void *, size_t);
typedef void *(*set_fn)(void *, int, size_t);
typedef int (*cmp_fn)(const void *, const void *, size_t);

static copy_fn real_copy;
static set_fn real_set;
static cmp_fn real_cmp;

/* The C library's routine @name, or @fallback (the interposed one) if it cannot be found. */
static void *lookup(const char *name, void *fallback)
{
	void *p = dlsym(RTLD_NEXT, name);

	return p ? p : fallback;
}

/* Racing first calls store the same pointers: no lock is needed. */
static void resolve(void)
{
	real_copy = (copy_fn)lookup("memcpy", (void *)memcpy);
	real_set = (set_fn)lookup("memset", (void *)memset);
	__atomic_store_n(&real_cmp, (cmp_fn)lookup("memcmp", (void *)memcmp), __ATOMIC_RELEASE);
}

static void ready(void)
{
	if (!__atomic_load_n(&real_cmp, __ATOMIC_ACQUIRE))
		resolve();
}

void vg__copy(void *dst, const void *src, size_t n)
{
	ready();
	real_copy(dst, src, n);
}

void vg__set(void *dst, int byte, size_t n)
{
	ready();
	real_set(dst, byte, n);
}

bool vg__same(const void *a, const void *b, size_t n)
{
	ready();
	return real_cmp(a, b, n) == 0;
}
