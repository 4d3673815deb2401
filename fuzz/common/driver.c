/* SPDX-License-Identifier: MIT */
/* The fuzzed driver (see driver.h). */
#include "driver.h"

#include <string.h>

/*
 * Every driver write goes through here, noting whether it landed in the used
 * ring, so that the ops target re-reads the model's used ring only then.
 */
static void dwrite(struct fuzz_driver *drv, struct fuzz_guest *g, uint64_t gpa, const void *src,
		   uint64_t len)
{
	uint64_t lo = g->cfg.used_gpa, hi = lo + virtq_used_bytes(g->cfg.size);

	if (guest_write(g, gpa, src, len) && gpa < hi && gpa + len > lo)
		drv->wrote_used = true;
}

static void dput16(struct fuzz_driver *drv, struct fuzz_guest *g, uint64_t gpa, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	dwrite(drv, g, gpa, b, 2);
}

static void put_desc(struct fuzz_driver *drv, struct fuzz_guest *g, uint64_t at, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t b[16];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(addr >> (8 * i));
	for (int i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(len >> (8 * i));
	b[12] = (uint8_t)flags;
	b[13] = (uint8_t)(flags >> 8);
	b[14] = (uint8_t)next;
	b[15] = (uint8_t)(next >> 8);
	dwrite(drv, g, at, b, 16); /* nothing if unmapped: the driver may be wrong */
}

void driver_init(struct fuzz_driver *drv, struct fuzz_guest *g)
{
	(void)g;
	memset(drv, 0, sizeof(*drv));
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

/* A chain as a Linux driver would build it; placement may still be hostile. */
static void add_chain(struct fuzz_driver *drv, struct fuzz_guest *g, const struct script_vals *op)
{
	const struct virtq_queue_config *c = &g->cfg;
	unsigned nr = op->v[0] % 4, nw = op->v[1] % 4, mode = op->v[2] % 3, n;
	uint32_t len = 1 + 8 * (uint32_t)op->v[3];
	unsigned ndirect, i;
	uint16_t head = drv->next_desc % c->size, d = head;
	uint64_t table = 0;

	if (nr + nw == 0)
		nr = 1;
	n = nr + nw;
	ndirect = mode == 0 ? n : mode == 1 ? 0 : 1;
	if (ndirect < n)
		table = data_alloc(drv, 16 * (n - ndirect));
	for (i = 0; i < n; i++) {
		uint64_t buf = data_alloc(drv, len);
		uint16_t w = i >= nr ? 2 : 0;

		if (i < ndirect) {
			uint16_t next = (uint16_t)((d + 1) % c->size);
			bool more = i + 1 < n;

			put_desc(drv, g, c->desc_gpa + 16ull * d, buf, len, (uint16_t)(w | (more ? 1 : 0)), next);
			d = next;
		} else {
			put_desc(drv, g, table + 16ull * (i - ndirect), buf, len,
				 (uint16_t)(w | (i + 1 < n ? 1 : 0)), (uint16_t)(i - ndirect + 1));
		}
	}
	if (table) {
		put_desc(drv, g, c->desc_gpa + 16ull * d, table, 16 * (n - ndirect), 4, 0);
		d = (uint16_t)((d + 1) % c->size);
	}
	drv->next_desc = d;
	dput16(drv, g, c->avail_gpa + 4 + 2ull * (drv->avail_shadow % c->size), head);
	drv->avail_shadow++;
}

void driver_apply(struct fuzz_driver *drv, struct fuzz_guest *g, const struct script_vals *op)
{
	const struct virtq_queue_config *c = &g->cfg;
	const uint64_t *v = op->v;
	uint8_t b[8];

	switch (op->op) {
	case DOP_DESC:
		put_desc(drv, g, c->desc_gpa + 16ull * (v[0] % c->size), DATA_GPA + v[1], (uint32_t)v[2],
			 (uint16_t)v[3], (uint16_t)v[4]);
		break;
	case DOP_DESC_RAW:
		put_desc(drv, g, c->desc_gpa + 16ull * (v[0] % c->size), v[1], (uint32_t)v[2],
			 (uint16_t)v[3], (uint16_t)v[4]);
		break;
	case DOP_IND:
		put_desc(drv, g, DATA_GPA + v[0] + 16ull * v[1], DATA_GPA + v[2], (uint32_t)v[3],
			 (uint16_t)v[4], (uint16_t)v[5]);
		break;
	case DOP_AVAIL:
		dput16(drv, g, c->avail_gpa + 4 + 2ull * (v[0] % c->size), (uint16_t)v[1]);
		break;
	case DOP_AVAIL_IDX:
		drv->avail_shadow = (uint16_t)(guest_le16(g, c->avail_gpa + 2) + v[0]);
		dput16(drv, g, c->avail_gpa + 2, drv->avail_shadow);
		break;
	case DOP_AVAIL_FLAGS:
		dput16(drv, g, c->avail_gpa, (uint16_t)v[0]);
		break;
	case DOP_USED_EVENT:
		dput16(drv, g, c->avail_gpa + 4 + 2ull * c->size, (uint16_t)v[0]);
		break;
	case DOP_ADD:
		add_chain(drv, g, op);
		break;
	case DOP_PUBLISH:
		__atomic_thread_fence(__ATOMIC_RELEASE);
		dput16(drv, g, c->avail_gpa + 2, drv->avail_shadow);
		break;
	case DOP_POKE:
		for (int i = 0; i < 8; i++)
			b[i] = (uint8_t)(v[1] >> (8 * i));
		dwrite(drv, g, DATA_GPA + v[0], b, 8);
		break;
	case DOP_USED_INIT:
		for (int i = 0; i < 4; i++) {
			b[i] = (uint8_t)(v[1] >> (8 * i));
			b[4 + i] = (uint8_t)(v[2] >> (8 * i));
		}
		dwrite(drv, g, c->used_gpa + 4 + 8ull * (v[0] % c->size), b, 8);
		break;
	default:
		break;
	}
}
