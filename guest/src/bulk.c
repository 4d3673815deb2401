/* SPDX-License-Identifier: MIT */
/*
 * Bulk byte work on guest memory (see bulk.h).  Under ASan its interceptors
 * of memcpy, memset and memcmp test the shadow of every range (an eighth
 * of its bytes again), and under libFuzzer the memcmp interceptor also
 * hands each compare to the value profile: for the device-write oracle's
 * region-sized snapshots and compares that was about a tenth of a rings
 * input, spent on ranges computed here from the region's own size.  So
 * under ASan the routines are looked up past the interposers, once
 * (RTLD_NEXT from the executable: the C library's where ASan is linked
 * statically, as clang does; gcc's shared libasan comes first in the
 * lookup and keeps its checks).  Every access the device or the oracles
 * make through the guest's pointers is still checked; only these copies of
 * whole, known ranges are not.  Without ASan (and under MSan, whose
 * interceptors carry what is initialised) they are the plain calls.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include "bulk.h"

#include <string.h>

#include "asan.h"

#ifdef VG_ASAN
#include <dlfcn.h>

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

/* Racing first calls store the same pointers; real_cmp, stored last, says all three are there. */
static void ready(void)
{
	if (__atomic_load_n(&real_cmp, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&real_copy, (copy_fn)lookup("memcpy", (void *)memcpy), __ATOMIC_RELAXED);
	__atomic_store_n(&real_set, (set_fn)lookup("memset", (void *)memset), __ATOMIC_RELAXED);
	__atomic_store_n(&real_cmp, (cmp_fn)lookup("memcmp", (void *)memcmp), __ATOMIC_RELEASE);
}

void vg__copy(void *dst, const void *src, size_t n)
{
	ready();
	__atomic_load_n(&real_copy, __ATOMIC_RELAXED)(dst, src, n);
}

void vg__set(void *dst, int byte, size_t n)
{
	ready();
	__atomic_load_n(&real_set, __ATOMIC_RELAXED)(dst, byte, n);
}

bool vg__same(const void *a, const void *b, size_t n)
{
	ready();
	return __atomic_load_n(&real_cmp, __ATOMIC_RELAXED)(a, b, n) == 0;
}
#else
void vg__copy(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }

void vg__set(void *dst, int byte, size_t n) { memset(dst, byte, n); }

bool vg__same(const void *a, const void *b, size_t n) { return memcmp(a, b, n) == 0; }
#endif
