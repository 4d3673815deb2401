/* SPDX-License-Identifier: MIT */
/*
 * A region's shadow (VG_MEM_SHADOW), page by page: a page whose shadow is
 * all zero is a flag, not 4 KiB of zeros.  Most of a fuzz image's guest
 * memory stays zero (a descriptor table of 32768 entries with a few
 * written), so adding a region writes no shadow, a snapshot copies only the
 * pages that hold something, and the device-write oracle compares an
 * untouched page with one page of zeros, which stays in the cache, instead
 * of with its own copy.  A flagged page's bytes are stale; they are made
 * zero (opened) before anything is written to them or read from them one
 * by one, which only this file and diff_region (mem_watch.c) do.
 */
#include "mem_internal.h"

#include "bulk.h"

const unsigned char vg__zero_page[VG_SHADOW_PAGE];

/* The length of page @p of @r (the last may be short). */
static uint64_t page_len(const struct vg_region *r, uint64_t p)
{
	uint64_t off = p * VG_SHADOW_PAGE;

	return r->size - off < VG_SHADOW_PAGE ? r->size - off : VG_SHADOW_PAGE;
}

static uint64_t pages_of(uint64_t size) { return (size + VG_SHADOW_PAGE - 1) / VG_SHADOW_PAGE; }

bool vg__shadow_start(struct vg_mem *m, struct vg_region *r, unsigned slot)
{
	uint64_t n = pages_of(r->size);

	r->shadow = vg_store_get(&m->shadows[slot], r->size, false);
	r->shadow_zero = vg_store_get(&m->shadow_zero[slot], n, false);
	if (!r->shadow || !r->shadow_zero)
		return false;
	vg__set(r->shadow_zero, 1, n);
	return true;
}

void vg__shadow_open_page(const struct vg_region *r, uint64_t p)
{
	if (r->shadow_zero[p]) {
		vg__set(r->shadow + p * VG_SHADOW_PAGE, 0, page_len(r, p));
		r->shadow_zero[p] = 0;
	}
}

static void shadow_open(const struct vg_region *r, uint64_t off, uint64_t n)
{
	if (n == 0)
		return;
	for (uint64_t p = off / VG_SHADOW_PAGE; p <= (off + n - 1) / VG_SHADOW_PAGE; p++)
		vg__shadow_open_page(r, p);
}

void vg__shadow_write(const struct vg_region *r, uint64_t off, const void *src, uint64_t n)
{
	shadow_open(r, off, n);
	vg__copy(r->shadow + off, src, n);
}

/* A fill with zeros leaves a zero page zero: the driver zeroes whole rings that are zero already. */
void vg__shadow_fill(const struct vg_region *r, uint64_t off, int byte, uint64_t n)
{
	uint64_t end = off + n;

	for (uint64_t at = off; at < end;) {
		uint64_t p = at / VG_SHADOW_PAGE, stop = (p + 1) * VG_SHADOW_PAGE < end ? (p + 1) * VG_SHADOW_PAGE : end;

		if (!(r->shadow_zero[p] && (unsigned char)byte == 0)) {
			vg__shadow_open_page(r, p);
			vg__set(r->shadow + at, byte, stop - at);
		}
		at = stop;
	}
}

/* The shadow of @r becomes its driver-view contents: a page of zeros is flagged, not copied. */
void vg__shadow_take(const struct vg_region *r)
{
	uint64_t n = pages_of(r->size);

	for (uint64_t p = 0; p < n; p++) {
		uint64_t off = p * VG_SHADOW_PAGE, len = page_len(r, p);

		r->shadow_zero[p] = vg__same(r->drv + off, vg__zero_page, len);
		if (!r->shadow_zero[p])
			vg__copy(r->shadow + off, r->drv + off, len);
	}
}
