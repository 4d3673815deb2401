/* SPDX-License-Identifier: MIT */
/* The fuzzed driver (see driver_ops.h). */
#include "driver_ops.h"

#include <string.h>

#include "vguest/layout.h"

void driver_init(struct fuzz_driver *drv, struct fz_image *im)
{
	memset(drv, 0, sizeof(*drv));
	drv->im = im;
}

/* The harness re-reads the used ring into its expectations only after such writes. */
static void note(struct fuzz_driver *drv, uint64_t gpa, uint64_t len)
{
	if (image_touches_used(drv->im, gpa, len))
		drv->wrote_used = true;
}

static void desc_at(struct fuzz_driver *drv, uint64_t table, uint32_t i, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t next)
{
	vg_drv_write_table_desc(drv->im->drv, table, i, addr, len, flags, next);
	note(drv, table + 16ull * i, 16);
}

static void put16(struct fuzz_driver *drv, uint64_t gpa, uint16_t v)
{
	vg_mem_store16(drv->im->mem, gpa, v, false);
	note(drv, gpa, 2);
}

/* Space in the data window for @len bytes (16-aligned), wrapping round. */
static uint64_t data_alloc(struct fuzz_driver *drv, uint32_t len)
{
	uint64_t at;

	drv->data_cursor = (drv->data_cursor + 15) & ~15u;
	if (drv->data_cursor + len > DATA_LEN)
		drv->data_cursor = 0;
	at = DATA_GPA + drv->data_cursor;
	drv->data_cursor += len;
	return at;
}

/* A chain as a Linux driver would build it; where it goes may still be hostile. */
static void add_chain(struct fuzz_driver *drv, const struct script_vals *op)
{
	struct vg_drv *d = drv->im->drv;
	uint32_t q = d->size;
	unsigned nr = op->v[0] % 4, nw = op->v[1] % 4, mode = op->v[2] % 3, n, ndirect;
	uint32_t len = 1 + 8 * (uint32_t)op->v[3];
	uint16_t head = drv->next_desc % q, at = head;
	uint64_t table = 0;

	if (nr + nw == 0)
		nr = 1;
	n = nr + nw;
	ndirect = mode == 0 ? n : mode == 1 ? 0 : 1;
	if (ndirect < n)
		table = data_alloc(drv, 16 * (n - ndirect));
	for (unsigned i = 0; i < n; i++) {
		uint64_t buf = data_alloc(drv, len);
		uint16_t w = i >= nr ? VG_DESC_F_WRITE : 0;

		if (i < ndirect) {
			uint16_t next = (uint16_t)((at + 1) % q);

			desc_at(drv, d->desc, at, buf, len, (uint16_t)(w | (i + 1 < n ? VG_DESC_F_NEXT : 0)), next);
			at = next;
		} else {
			desc_at(drv, table, i - ndirect, buf, len,
				(uint16_t)(w | (i + 1 < n ? VG_DESC_F_NEXT : 0)), (uint16_t)(i - ndirect + 1));
		}
	}
	if (table) {
		desc_at(drv, d->desc, at, table, 16 * (n - ndirect), VG_DESC_F_INDIRECT, 0);
		at = (uint16_t)((at + 1) % q);
	}
	drv->next_desc = at;
	put16(drv, d->avail + vg_avail_slot(q, d->avail_idx), head);
	d->avail_idx++;
}

static void poke(struct fuzz_driver *drv, uint64_t gpa, const uint8_t *b, unsigned n)
{
	(void)vg_mem_write(drv->im->mem, gpa, b, n); /* nothing if unmapped: the driver may be wrong */
	note(drv, gpa, n);
}

void driver_apply(struct fuzz_driver *drv, const struct script_vals *op)
{
	struct vg_drv *d = drv->im->drv;
	const uint64_t *v = op->v;
	uint32_t q = d->size;
	uint8_t b[8];

	switch (op->op) {
	case DOP_DESC:
		desc_at(drv, d->desc, (uint32_t)(v[0] % q), DATA_GPA + v[1], (uint32_t)v[2], (uint16_t)v[3],
			(uint16_t)v[4]);
		break;
	case DOP_DESC_RAW:
		desc_at(drv, d->desc, (uint32_t)(v[0] % q), v[1], (uint32_t)v[2], (uint16_t)v[3], (uint16_t)v[4]);
		break;
	case DOP_IND:
		desc_at(drv, DATA_GPA + v[0], (uint32_t)v[1], DATA_GPA + v[2], (uint32_t)v[3], (uint16_t)v[4],
			(uint16_t)v[5]);
		break;
	case DOP_AVAIL:
		put16(drv, d->avail + vg_avail_slot(q, (uint16_t)v[0]), (uint16_t)v[1]);
		break;
	case DOP_AVAIL_IDX:
		d->avail_idx = (uint16_t)(vg_drv_avail_idx(d) + v[0]);
		put16(drv, d->avail + VG_AVAIL_IDX, d->avail_idx);
		break;
	case DOP_AVAIL_FLAGS:
		put16(drv, d->avail + VG_AVAIL_FLAGS, (uint16_t)v[0]);
		break;
	case DOP_USED_EVENT:
		put16(drv, vg_drv_used_event_gpa(d), (uint16_t)v[0]);
		break;
	case DOP_ADD:
		add_chain(drv, op);
		break;
	case DOP_PUBLISH:
		__atomic_thread_fence(__ATOMIC_RELEASE);
		put16(drv, d->avail + VG_AVAIL_IDX, d->avail_idx);
		break;
	case DOP_POKE:
		vg_put_le(b, v[1], 8);
		poke(drv, DATA_GPA + v[0], b, 8);
		break;
	case DOP_USED_INIT:
		vg_put_le(b, v[1], 4);
		vg_put_le(b + 4, v[2], 4);
		poke(drv, d->used + vg_used_slot(q, (uint16_t)v[0]), b, 8);
		break;
	default:
		break;
	}
}
