/* SPDX-License-Identifier: MIT */
#include "unit.h"

void core_mem_sync(struct core_mem *cm, const struct vg_mem *m)
{
	ck_assert_uint_le(m->nr, VG_MAX_REGIONS);
	memset(cm, 0, sizeof(*cm));
	for (unsigned i = 0; i < m->nr; i++)
		cm->table[i] = (struct virtq_mem_region){m->r[i].gpa, m->r[i].size, m->r[i].dev};
	ck_assert_rc(virtq_mem_init(&cm->mem, cm->table, m->nr), 0);
}

struct virtq_queue_config core_config(const struct vg_drv *drv, const struct core_mem *cm)
{
	struct virtq_queue_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = drv->size;
	cfg.desc_gpa = drv->desc;
	cfg.avail_gpa = drv->avail;
	cfg.used_gpa = drv->used;
	cfg.features = drv->features;
	cfg.mem = &cm->mem;
	return cfg;
}

struct virtq_queue_config tq_config(const struct tq *t)
{
	return core_config(t->drv, &t->cm);
}

void tq_setup(struct tq *t, uint32_t size, uint64_t features)
{
	struct virtq_queue_config cfg;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(vg_mem_init(&t->mem, VG_MEM_KINDS), 0);
	ck_assert_int_ge(vg_mem_add(&t->mem, ARENA_GPA, ARENA_SIZE), 0);
	t->drv = vg_drv_create(&t->mem, size, features);
	ck_assert_ptr_nonnull(t->drv);
	core_mem_sync(&t->cm, &t->mem);
	cfg = tq_config(t);
	ck_assert_rc(virtq_init(&t->q, &cfg), 0);
}

void tq_teardown(struct tq *t)
{
	tq_assert_guards(t);
	vg_drv_destroy(t->drv);
	vg_mem_destroy(&t->mem);
}

void tq_assert_guards(struct tq *t)
{
	uint64_t bad = 0;

	ck_assert_msg(vg_mem_guards_intact(&t->mem, &bad), "guard byte damaged at gpa 0x%llx",
		      (unsigned long long)bad);
}

void tq_pop_expect(struct tq *t, struct virtq_chain *c, int expect)
{
	ck_assert_rc(virtq_pop(&t->q, c), expect);
}

int tq_publish(struct tq *t, const uint32_t *rl, unsigned nr, const uint32_t *wl, unsigned nw,
	       unsigned ndirect)
{
	struct vg_chain ch;
	unsigned char data[4096];
	int head;

	vg_chain_init(&ch);
	for (unsigned i = 0; i < nr; i++) {
		ck_assert_uint_le(rl[i], sizeof(data));
		for (uint32_t k = 0; k < rl[i]; k++)
			data[k] = (unsigned char)(i * 31 + k);
		ck_assert_uint_ne(vg_chain_readable(t->drv, &ch, data, rl[i]), 0);
	}
	for (unsigned i = 0; i < nw; i++)
		ck_assert_uint_ne(vg_chain_writable(t->drv, &ch, wl[i]), 0);
	head = vg_drv_add(t->drv, &ch, ndirect, 0);
	ck_assert_int_ge(head, 0);
	vg_drv_publish(t->drv);
	return head;
}

int tq_setup_full_used_ring(struct tq *t, struct virtq_chain *c)
{
	const uint32_t rl = 16;
	int head;

	tq_setup(t, 2, 0);
	head = tq_publish(t, &rl, 1, NULL, 0, 8);
	for (uint16_t i = 0; i < 3; i++) {
		if (i > 0) {
			vg_drv_set_avail_ring(t->drv, i, (uint16_t)head);
			vg_drv_set_avail_idx(t->drv, (uint16_t)(i + 1));
		}
		tq_pop_expect(t, c, 1);
		ck_assert_uint_eq(virtq_chain_head(c), head);
		if (i < 2)
			ck_assert_rc(virtq_fill(&t->q, c, 0), 0);
	}
	ck_assert_uint_eq(vg_drv_used_idx(t->drv), 0);
	return head;
}

int tq_walk(struct virtq_chain *c, uint64_t *readable, uint64_t *writable, unsigned *nseg)
{
	struct virtq_seg s;
	int rc;

	*readable = *writable = 0;
	*nseg = 0;
	while ((rc = virtq_chain_next(c, &s)) == 1) {
		ck_assert_ptr_nonnull(s.addr);
		ck_assert_uint_gt(s.len, 0);
		if (s.writable)
			*writable += s.len;
		else
			*readable += s.len;
		(*nseg)++;
	}
	return rc;
}

/*
 * A queue of 8 whose rings sit in one region, beside two adjacent 4 KiB
 * regions at 0x200000 and 0x201000 for buffers and tables.
 */
struct vg_drv *three_regions(struct vg_mem *a, struct core_mem *cm, struct virtq_queue *q,
			     uint64_t features)
{
	struct virtq_queue_config cfg;
	struct vg_drv *f;

	ck_assert_int_eq(vg_mem_init(a, VG_MEM_KINDS), 0);
	ck_assert_int_ge(vg_mem_add(a, 0x100000, 0x10000), 0);
	ck_assert_int_ge(vg_mem_add(a, 0x200000, 0x1000), 0);
	ck_assert_int_ge(vg_mem_add(a, 0x201000, 0x1000), 0);
	f = vg_drv_create(a, 8, features);
	ck_assert_ptr_nonnull(f);
	core_mem_sync(cm, a);
	cfg = core_config(f, cm);
	ck_assert_rc(virtq_init(q, &cfg), 0);
	return f;
}
