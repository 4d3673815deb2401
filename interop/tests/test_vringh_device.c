/* SPDX-License-Identifier: MIT */
/*
 * The vringh wrapper (virtq_interop/vringh_device.h) over the hostile guest's
 * memory and driver (guest/): what the benchmark, the conformance adapter and
 * the differential fuzz target rely on.  These check the wrapper's plumbing
 * (translation, segments, copies, completion, notification fields), not
 * vringh's conformance, which is the conformance suite's business.
 */
#include <errno.h>

#include "interop.h"
#include "virtq/virtq.h"
#include "virtq_interop/vringh_device.h"
#include "vguest/driver.h"
#include "vguest/layout.h"
#include "vguest/mem.h"

#define ARENA_GPA 0x100000u
#define ARENA_SIZE (1u << 20)
#define F_V1 VG_FEATURE(VG_F_VERSION_1)
#define F_INDIRECT VG_FEATURE(VG_F_INDIRECT_DESC)
#define F_EVENT_IDX VG_FEATURE(VG_F_EVENT_IDX)

struct vq {
	struct vg_mem mem;
	struct vg_drv *drv;
	/* The wrapper keeps cfg.mem and looks regions up in it on every range check. */
	struct virtq_mem_region table[VG_MAX_REGIONS];
	struct virtq_mem vmem;
	struct virtq_queue_config cfg;
	struct virtq_vringh *dev;
};

/*
 * The region table the wrapper sees: the guest's regions by their device
 * views.  Rebuilt in place after vg_mem_add(), so a wrapper already holding
 * &t->vmem sees the new region.
 */
static void vq_sync_mem(struct vq *t)
{
	for (unsigned i = 0; i < t->mem.nr; i++)
		t->table[i] = (struct virtq_mem_region){t->mem.r[i].gpa, t->mem.r[i].size,
							t->mem.r[i].dev};
	ck_assert_int_eq(virtq_mem_init(&t->vmem, t->table, t->mem.nr), 0);
}

static void vq_setup(struct vq *t, uint32_t size, uint64_t features)
{
	int err = 1;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(vg_mem_init(&t->mem, VG_MEM_KINDS), 0);
	ck_assert_int_ge(vg_mem_add(&t->mem, ARENA_GPA, ARENA_SIZE), 0);
	t->drv = vg_drv_create(&t->mem, size, features);
	ck_assert_ptr_nonnull(t->drv);
	vq_sync_mem(t);
	t->cfg = (struct virtq_queue_config){.size = t->drv->size, .desc_gpa = t->drv->desc,
					     .avail_gpa = t->drv->avail, .used_gpa = t->drv->used,
					     .features = t->drv->features, .mem = &t->vmem};
	t->dev = virtq_vringh_create(&t->cfg, 8, &err);
	ck_assert_ptr_nonnull(t->dev);
	ck_assert_int_eq(err, 0);
}

static void vq_teardown(struct vq *t)
{
	uint64_t bad = 0;

	ck_assert_msg(vg_mem_guards_intact(&t->mem, &bad), "guard damaged at 0x%llx",
		      (unsigned long long)bad);
	virtq_vringh_destroy(t->dev);
	vg_drv_destroy(t->drv);
	vg_mem_destroy(&t->mem);
}

/* The guest's bytes at [gpa, gpa + len) are @want (read through the driver's view). */
static void assert_guest_bytes(struct vq *t, uint64_t gpa, const void *want, size_t len)
{
	unsigned char got[64];

	ck_assert_uint_le(len, sizeof(got));
	ck_assert(vg_mem_read(&t->mem, gpa, got, len));
	ck_assert_mem_eq(got, want, len);
}

/* Segment @s is exactly the guest buffer [gpa, gpa + len). */
static void assert_seg(struct vq *t, const struct virtq_vringh_seg *s, uint64_t gpa, size_t len)
{
	ck_assert_ptr_eq(s->addr, vg_mem_hva(&t->mem, gpa));
	ck_assert_uint_eq(s->len, len);
}

START_TEST(direct_indirect_and_mixed_chains_come_out_as_built)
{
	struct vq t;
	struct vg_chain a, b, c;
	struct virtq_vringh_chain ch;
	uint64_t ga[2], gb[4], gc[4];
	int ha, hb, hc;
	char buf[32];
	uint32_t id, len;

	vq_setup(&t, 16, F_V1 | F_INDIRECT);
	vg_chain_init(&a);
	ga[0] = vg_chain_readable(t.drv, &a, "hello", 5);
	ga[1] = vg_chain_writable(t.drv, &a, 8);
	ha = vg_drv_add(t.drv, &a, VG_CHAIN_MAX, 1);
	vg_chain_init(&b); /* all in one indirect table */
	gb[0] = vg_chain_readable(t.drv, &b, "abcd", 4);
	gb[1] = vg_chain_readable(t.drv, &b, "efghi", 5);
	gb[2] = vg_chain_readable(t.drv, &b, "jklmno", 6);
	gb[3] = vg_chain_writable(t.drv, &b, 10);
	hb = vg_drv_add(t.drv, &b, 0, 2);
	vg_chain_init(&c); /* one direct, then an indirect table */
	gc[0] = vg_chain_readable(t.drv, &c, "xyz", 3);
	gc[1] = vg_chain_readable(t.drv, &c, "12", 2);
	gc[2] = vg_chain_writable(t.drv, &c, 4);
	gc[3] = vg_chain_writable(t.drv, &c, 6);
	hc = vg_drv_add(t.drv, &c, 1, 3);
	ck_assert(ha >= 0 && hb >= 0 && hc >= 0);
	vg_drv_publish(t.drv);

	ck_assert_int_eq(virtq_vringh_getdesc(t.dev, &ch), 1);
	ck_assert_uint_eq(ch.head, ha);
	ck_assert_uint_eq(ch.nrd, 1);
	ck_assert_uint_eq(ch.nwr, 1);
	assert_seg(&t, &ch.rd[0], ga[0], 5);
	assert_seg(&t, &ch.wr[0], ga[1], 8);
	ck_assert_int_eq(virtq_vringh_pull(t.dev, buf, sizeof(buf)), 5);
	ck_assert_mem_eq(buf, "hello", 5);
	ck_assert_int_eq(virtq_vringh_push(t.dev, "0123456789", 10), 8);
	assert_guest_bytes(&t, ga[1], "01234567", 8);
	ck_assert_int_eq(virtq_vringh_complete(t.dev, ch.head, 8), 0);

	ck_assert_int_eq(virtq_vringh_getdesc(t.dev, &ch), 1);
	ck_assert_uint_eq(ch.head, hb);
	ck_assert_uint_eq(ch.nrd, 3);
	ck_assert_uint_eq(ch.nwr, 1);
	for (int i = 0; i < 3; i++)
		assert_seg(&t, &ch.rd[i], gb[i], 4u + (unsigned)i);
	assert_seg(&t, &ch.wr[0], gb[3], 10);
	ck_assert_int_eq(virtq_vringh_pull(t.dev, buf, sizeof(buf)), 15);
	ck_assert_mem_eq(buf, "abcdefghijklmno", 15);
	ck_assert_int_eq(virtq_vringh_complete(t.dev, ch.head, 0), 0);

	ck_assert_int_eq(virtq_vringh_getdesc(t.dev, &ch), 1);
	ck_assert_uint_eq(ch.head, hc);
	ck_assert_uint_eq(ch.nrd, 2);
	ck_assert_uint_eq(ch.nwr, 2);
	assert_seg(&t, &ch.rd[0], gc[0], 3);
	assert_seg(&t, &ch.rd[1], gc[1], 2);
	assert_seg(&t, &ch.wr[0], gc[2], 4);
	assert_seg(&t, &ch.wr[1], gc[3], 6);
	ck_assert_int_eq(virtq_vringh_push(t.dev, "ABCDEFGHIJ", 10), 10);
	assert_guest_bytes(&t, gc[2], "ABCD", 4);
	assert_guest_bytes(&t, gc[3], "EFGHIJ", 6);
	ck_assert_int_eq(virtq_vringh_complete(t.dev, ch.head, 10), 0);

	ck_assert_int_eq(virtq_vringh_getdesc(t.dev, &ch), 0);
	ck_assert_uint_eq(virtq_vringh_last_avail(t.dev), 3);
	ck_assert_uint_eq(virtq_vringh_used_idx(t.dev), 3);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(id, ha);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(id, hb);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(id, hc);
	ck_assert_uint_eq(len, 10);
	vq_teardown(&t);
}
END_TEST

START_TEST(buffer_across_two_regions_becomes_two_segments)
{
	struct vq t;
	struct vg_chain a;
	struct virtq_vringh_chain ch;
	const uint64_t edge = ARENA_GPA + ARENA_SIZE;
	char buf[20];

	vq_setup(&t, 8, F_V1);
	ck_assert_int_ge(vg_mem_add(&t.mem, edge, 4096), 0);
	vq_sync_mem(&t);
	ck_assert(vg_mem_write(&t.mem, edge - 10, "0123456789abcdefghij", 20));
	vg_chain_init(&a);
	vg_chain_ref(&a, edge - 10, 20, false);
	ck_assert_int_ge(vg_drv_add_publish(t.drv, &a, 0), 0);
	ck_assert_int_eq(virtq_vringh_getdesc(t.dev, &ch), 1);
	ck_assert_uint_eq(ch.nrd, 2);
	assert_seg(&t, &ch.rd[0], edge - 10, 10);
	assert_seg(&t, &ch.rd[1], edge, 10);
	ck_assert_int_eq(virtq_vringh_pull(t.dev, buf, sizeof(buf)), 20);
	ck_assert_mem_eq(buf, "0123456789abcdefghij", 20);
	vq_teardown(&t);
}
END_TEST

START_TEST(address_outside_guest_memory_is_refused_not_followed)
{
	struct vq t;
	struct vg_chain a;
	struct virtq_vringh_chain ch;
	int head;

	vq_setup(&t, 8, F_V1);
	vg_chain_init(&a);
	vg_chain_ref(&a, 0xdead0000u, 16, false);
	head = vg_drv_add_publish(t.drv, &a, 0);
	ck_assert_int_ge(head, 0);
	ck_assert_int_eq(virtq_vringh_getdesc(t.dev, &ch), -EINVAL);
	ck_assert_uint_eq(ch.head, head); /* a chain error, not a ring error */
	vq_teardown(&t);
}
END_TEST

START_TEST(more_segments_than_storage_grow_and_are_released)
{
	struct vq t;
	struct vg_chain a;
	struct virtq_vringh_chain ch;

	vq_setup(&t, 32, F_V1); /* storage for 8 segments per direction */
	for (int round = 0; round < 3; round++) {
		vg_chain_init(&a);
		for (int i = 0; i < 20; i++)
			vg_chain_writable(t.drv, &a, 4);
		ck_assert_int_ge(vg_drv_add_publish(t.drv, &a, 0), 0);
		ck_assert_int_eq(virtq_vringh_getdesc(t.dev, &ch), 1);
		ck_assert_uint_eq(ch.nwr, 20);
		ck_assert_int_eq(virtq_vringh_complete(t.dev, ch.head, 0), 0);
		ck_assert_int_eq(vg_drv_get_used(t.drv, NULL, NULL, NULL), 1);
	}
	vq_teardown(&t); /* ASan's leak check covers the grown arrays */
}
END_TEST

/* Publish, take and complete one 8-byte read-only chain; return need_notify. */
static int round_trip(struct vq *t)
{
	static const char data[8] = "8 bytes";
	struct vg_chain a;
	struct virtq_vringh_chain ch;

	vg_chain_init(&a);
	vg_chain_readable(t->drv, &a, data, sizeof(data));
	ck_assert_int_ge(vg_drv_add_publish(t->drv, &a, 0), 0);
	ck_assert_int_eq(virtq_vringh_getdesc(t->dev, &ch), 1);
	ck_assert_int_eq(virtq_vringh_complete(t->dev, ch.head, 0), 0);
	ck_assert_int_eq(vg_drv_get_used(t->drv, NULL, NULL, NULL), 1);
	return virtq_vringh_need_notify(t->dev);
}

START_TEST(notify_decision_reads_flags_or_used_event)
{
	struct vq t;

	vq_setup(&t, 8, F_V1);
	ck_assert_int_eq(round_trip(&t), 1);
	vg_drv_set_avail_flags(t.drv, VG_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(round_trip(&t), 0);
	vq_teardown(&t);

	vq_setup(&t, 8, F_V1 | F_EVENT_IDX);
	vg_drv_set_used_event(t.drv, 2);
	ck_assert_int_eq(round_trip(&t), 0); /* used idx 1 */
	ck_assert_int_eq(round_trip(&t), 0); /* 2 */
	ck_assert_int_eq(round_trip(&t), 1); /* 3: the entry at used_event 2 */
	vq_teardown(&t);
}
END_TEST

START_TEST(batch_completion_publishes_all_entries)
{
	struct vq t;
	struct vg_chain a;
	struct virtq_vringh_chain ch;
	struct virtq_used_elem used[4];
	uint32_t id, len;
	int heads[4];

	vq_setup(&t, 4, F_V1);
	for (int i = 0; i < 4; i++) {
		vg_chain_init(&a);
		vg_chain_writable(t.drv, &a, 16);
		heads[i] = vg_drv_add(t.drv, &a, VG_CHAIN_MAX, (uint64_t)i);
		ck_assert_int_ge(heads[i], 0);
	}
	vg_drv_publish(t.drv);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(virtq_vringh_getdesc(t.dev, &ch), 1);
		used[i].id = ch.head;
		used[i].len = 10u + (uint32_t)i;
	}
	ck_assert_int_eq(virtq_vringh_complete_multi(t.dev, used, 4), 0);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
		ck_assert_uint_eq(id, heads[i]);
		ck_assert_uint_eq(len, 10u + (uint32_t)i);
	}
	vq_teardown(&t);
}
END_TEST

START_TEST(kick_suppression_writes_used_flags_or_avail_event)
{
	struct vq t;

	vq_setup(&t, 8, F_V1);
	virtq_vringh_notify_disable(t.dev);
	ck_assert_uint_eq(vg_drv_used_flags(t.drv), VG_USED_F_NO_NOTIFY);
	ck_assert(virtq_vringh_notify_enable(t.dev)); /* still empty */
	ck_assert_uint_eq(vg_drv_used_flags(t.drv), 0);
	vq_teardown(&t);

	vq_setup(&t, 8, F_V1 | F_EVENT_IDX);
	(void)round_trip(&t);
	(void)round_trip(&t);
	ck_assert(virtq_vringh_notify_enable(t.dev));
	ck_assert_uint_eq(vg_drv_avail_event(t.drv), 2);
	vq_teardown(&t);
}
END_TEST

Suite *vringh_device_suite(void)
{
	Suite *s = suite_create("vringh_device");
	TCase *tc = tcase_create("vringh_device");

	tcase_add_test(tc, direct_indirect_and_mixed_chains_come_out_as_built);
	tcase_add_test(tc, buffer_across_two_regions_becomes_two_segments);
	tcase_add_test(tc, address_outside_guest_memory_is_refused_not_followed);
	tcase_add_test(tc, more_segments_than_storage_grow_and_are_released);
	tcase_add_test(tc, notify_decision_reads_flags_or_used_event);
	tcase_add_test(tc, batch_completion_publishes_all_entries);
	tcase_add_test(tc, kick_suppression_writes_used_flags_or_avail_event);
	suite_add_tcase(s, tc);
	return s;
}
