/* SPDX-License-Identifier: MIT */
/*
 * The driver's queue set-up (see vguest/driver.h): the ring parts zeroed and
 * marked, the books of heads, creation, reuse across fuzz inputs, restart
 * and relocation.  Building, publishing and reaping chains are driver.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "driver_internal.h"

/* ---- ring parts ---- */

/* What each byte of the three parts is (VG_MEM_KINDS), so faults and diffs can name it. */
static void mark_parts(struct vg_drv *d)
{
	struct vg_mem *m = d->mem;
	uint32_t q = d->size;

	vg_mem_mark(m, d->desc, vg_desc_bytes(q), VG_K_DESC);
	vg_mem_mark(m, d->avail + VG_AVAIL_FLAGS, 2, VG_K_AVAIL_FLAGS);
	vg_mem_mark(m, d->avail + VG_AVAIL_IDX, 2, VG_K_AVAIL_IDX);
	vg_mem_mark(m, d->avail + 4, 2 * (uint64_t)q, VG_K_AVAIL_RING);
	vg_mem_mark(m, d->avail + vg_used_event_off(q), 2, VG_K_USED_EVENT);
	vg_mem_mark(m, d->used + VG_USED_FLAGS, 2, VG_K_USED_FLAGS);
	vg_mem_mark(m, d->used + VG_USED_IDX, 2, VG_K_USED_IDX);
	vg_mem_mark(m, d->used + 4, (uint64_t)VG_USED_ELEM_SIZE * q, VG_K_USED_ELEM);
	vg_mem_mark(m, d->used + vg_avail_event_off(q), 2, VG_K_AVAIL_EVENT);
}

/* SPLIT-ANS-1: the driver hands the device zeroed rings (best effort: parts may be bogus). */
static void zero_parts(struct vg_drv *d)
{
	(void)vg_mem_fill(d->mem, d->desc, 0, vg_desc_bytes(d->size));
	(void)vg_mem_fill(d->mem, d->avail, 0, vg_avail_bytes(d->size));
	(void)vg_mem_fill(d->mem, d->used, 0, vg_used_bytes(d->size));
}

/* Books for @size heads from the driver's stores: nothing is allocated once the largest queue was seen. */
static bool alloc_books(struct vg_drv *d, uint32_t size)
{
	uint16_t *fn = vg_store_get(&d->books[0], size * sizeof(*d->free_next), false);
	struct vg_head *h = vg_store_get(&d->books[1], size * sizeof(*d->head), false);
	uint16_t *sh = vg_store_get(&d->books[2], size * sizeof(*d->slot_head), false);
	bool *sx = vg_store_get(&d->books[3], size * sizeof(*d->slot_hostile), false);

	if (!fn || !h || !sh || !sx)
		return false;
	d->free_next = fn;
	d->head = h;
	d->slot_head = sh;
	d->slot_hostile = sx;
	return true;
}

static void free_books(struct vg_drv *d)
{
	for (unsigned i = 0; i < 4; i++)
		vg_store_free(&d->books[i]);
	d->free_next = NULL;
	d->head = NULL;
	d->slot_head = NULL;
	d->slot_hostile = NULL;
}

/*
 * Every record new: no buffers, no tables (what the heads kept refers to
 * nothing now).  Only the records used since the last clear and those never
 * cleared are written: a fuzz input on a queue of 32768 uses few or none, and
 * the full clear was a fifth of the instructions replaying the rings corpus.
 */
static void clear_heads(struct vg_drv *d)
{
	uint32_t used = d->heads_used < d->size ? d->heads_used : d->size;

	/* Only [0, size) is addressable now: the books' store poisons the rest under ASan. */
	memset(d->head, 0, used * sizeof(*d->head));
	if (d->size > d->heads_zeroed) {
		memset(d->head + d->heads_zeroed, 0, (d->size - d->heads_zeroed) * sizeof(*d->head));
		d->heads_zeroed = d->size;
	} else if (d->heads_used > d->size) {
		d->heads_zeroed = d->size; /* records past a smaller queue keep what they held */
	}
	d->heads_used = 0;
	d->nbufs = 0;
}

struct vg_drv *vg_drv_create_at(struct vg_mem *m, uint32_t size, uint64_t features, uint64_t desc,
				uint64_t avail, uint64_t used)
{
	struct vg_drv *d;

	if (!m || !vg_queue_size_ok(size))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->mem = m;
	if (vg_drv_reuse(d, size, features, desc, avail, used) != 0) {
		vg_drv_destroy(d);
		return NULL;
	}
	return d;
}

int vg_drv_reuse(struct vg_drv *d, uint32_t size, uint64_t features, uint64_t desc, uint64_t avail,
		 uint64_t used)
{
	struct vg_drv keep;

	if (!vg_queue_size_ok(size) || !alloc_books(d, size))
		return -1;
	keep = *d;
	memset(d, 0, sizeof(*d));
	d->mem = keep.mem;
	memcpy(d->books, keep.books, sizeof(d->books));
	d->free_next = keep.free_next;
	d->head = keep.head;
	d->slot_head = keep.slot_head;
	d->slot_hostile = keep.slot_hostile;
	d->heads_used = keep.heads_used;
	d->heads_zeroed = keep.heads_zeroed;
	d->bufs = keep.bufs;
	d->capbufs = keep.capbufs;
	d->size = size;
	d->features = features;
	d->desc = desc;
	d->avail = avail;
	d->used = used;
	d->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)size << 20) ^ features;
	clear_heads(d);
	mark_parts(d);
	vg_drv_restart(d, false);
	return 0;
}

/* A ring part from the mem's cursor, its guard bytes marked as the part's. */
static uint64_t alloc_part(struct vg_mem *m, uint64_t len, uint64_t align, enum vg_kind guard)
{
	uint64_t gpa = vg_mem_alloc(m, len, align);

	if (gpa)
		vg_mem_mark(m, gpa + len, VG_ALLOC_GUARD, guard);
	return gpa;
}

struct vg_drv *vg_drv_create(struct vg_mem *m, uint32_t size, uint64_t features)
{
	uint64_t desc, avail, used;

	if (!m || !vg_queue_size_ok(size))
		return NULL;
	desc = alloc_part(m, vg_desc_bytes(size), VG_DESC_ALIGN, VG_K_GUARD_DESC);
	avail = alloc_part(m, vg_avail_bytes(size), VG_AVAIL_ALIGN, VG_K_GUARD_AVAIL);
	used = alloc_part(m, vg_used_bytes(size), VG_USED_ALIGN, VG_K_GUARD_USED);
	if (!desc || !avail || !used)
		return NULL;
	return vg_drv_create_at(m, size, features, desc, avail, used);
}

void vg_drv_destroy(struct vg_drv *d)
{
	if (!d)
		return;
	free_books(d);
	free(d->bufs);
	free(d);
}

void vg_drv_use_zones(struct vg_drv *d, struct vg_zone rz, struct vg_zone wz)
{
	d->rzone = rz;
	d->wzone = wz;
	d->own_zones = true;
}

/*
 * [i] = i + 1, the in-order free list of the largest queue, copied at every
 * restart: a loop per restart (not vectorised under the fuzzers' sanitizers
 * and coverage) was a tenth of a fuzz run at queue size 32768.  Filled once,
 * when the library loads, so no caller can race its filling.
 */
static uint16_t ascending[VG_MAX_QUEUE];

__attribute__((constructor)) static void fill_ascending(void)
{
	for (uint32_t i = 0; i < VG_MAX_QUEUE; i++)
		ascending[i] = (uint16_t)(i + 1);
}

/* The free list, in order or permuted: heads then come out of order. */
static void init_free_list(struct vg_drv *d, bool shuffle)
{
	uint32_t q = d->size;

	memcpy(d->free_next, ascending, (q - 1) * sizeof(*d->free_next));
	d->free_next[q - 1] = 0;
	d->free_head = 0;
	if (shuffle && q > 1) {
		uint16_t *order = malloc(q * sizeof(*order));

		if (!order)
			abort(); /* the driver cannot keep its books: no result is sound */
		for (uint32_t i = 0; i < q; i++)
			order[i] = (uint16_t)i;
		for (uint32_t i = q - 1; i > 0; i--) {
			uint32_t j = (uint32_t)(vg__rng_next(d) % (i + 1));
			uint16_t t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (uint32_t i = 0; i < q; i++)
			d->free_next[order[i]] = order[(i + 1) % q];
		d->free_head = order[0];
		free(order);
	}
	d->num_free = q;
}

void vg_drv_restart(struct vg_drv *d, bool shuffle)
{
	zero_parts(d);
	init_free_list(d, shuffle);
	/* Buffers and tables stay allocated for reuse; only the state goes (past heads_used it is zero). */
	for (uint32_t i = 0; i < d->heads_used; i++) {
		d->head[i].state = VG_HEAD_FREE;
		d->head[i].hostile = false;
	}
	memset(d->slot_head, 0, d->size * sizeof(*d->slot_head));
	memset(d->slot_hostile, 0, d->size * sizeof(*d->slot_hostile));
	d->avail_idx = d->avail_pub = d->last_used = 0;
	d->exposed = 0;
	d->kick_pending = false;
}

int vg_drv_relocate(struct vg_drv *d, uint32_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
	if (!vg_queue_size_ok(size) || !alloc_books(d, size))
		return -1;
	d->size = size;
	d->desc = desc;
	d->avail = avail;
	d->used = used;
	clear_heads(d);
	mark_parts(d);
	vg_drv_restart(d, false);
	return 0;
}

void vg_drv_start_at(struct vg_drv *d, uint16_t idx)
{
	vg_mem_store16(d->mem, d->avail + VG_AVAIL_IDX, idx, true);
	d->avail_idx = d->avail_pub = d->last_used = idx;
}
