/* SPDX-License-Identifier: MIT */
/* Queue setup: size, alignment and placement of the three parts (§2.7, §2.7.1). */
#include <stdlib.h>

#include "unit.h"

/* 64 KiB of guest memory at gpa 0x10000, 16-aligned in the host. */
static _Alignas(64) unsigned char guest[1 << 17];

static struct virtq_mem mem;

static void mem_setup(void)
{
	static struct virtq_mem_region r;

	r = (struct virtq_mem_region){.gpa = 0x10000, .size = sizeof(guest), .hva = guest};
	ck_assert_rc(virtq_mem_init(&mem, &r, 1), 0);
}

static struct virtq_queue_config cfg_for(uint32_t size)
{
	struct virtq_queue_config c = {
		.size = size,
		.desc_gpa = 0x10000,
		.avail_gpa = 0x10000 + vg_desc_bytes(size),
		.used_gpa = 0x10000 + ((vg_desc_bytes(size) + vg_avail_bytes(size) + 3) & ~3ull),
		.mem = &mem,
	};
	return c;
}

START_TEST(sizes_must_be_power_of_two_up_to_32768)
{
	static struct virtq_queue q;
	struct virtq_queue_config c;
	const uint32_t bad[] = {0, 3, 6, 100, 32767, 65536, 1u << 20};
	const uint32_t good[] = {1, 2, 4, 256, 4096};

	mem_setup();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = cfg_for(4);
		c.size = bad[i];
		ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_QUEUE_SIZE);
		/* A queue whose setup failed refuses every call instead of crashing. */
		ck_assert_rc(virtq_pop(&q, &(struct virtq_chain){0}), VIRTQ_E_BROKEN);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		c = cfg_for(good[i]);
		ck_assert_rc(virtq_init(&q, &c), 0);
	}
}
END_TEST

START_TEST(size_32768_fits_and_works)
{
	struct tq t;
	struct virtq_chain c;
	const uint32_t w = 8;

	tq_setup(&t, 32768, 0);
	tq_publish(&t, NULL, 0, &w, 1, 1);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_push(&t.q, &c, 8, NULL), 0);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 1);
	tq_teardown(&t);
}
END_TEST

START_TEST(parts_must_meet_minimum_alignment)
{
	static struct virtq_queue q;
	struct virtq_queue_config c;

	mem_setup();
	c = cfg_for(8);
	c.desc_gpa += 8; /* 8-aligned is not enough: the spec says 16 */
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_ALIGN);
	c = cfg_for(8);
	c.avail_gpa += 1;
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_ALIGN);
	c = cfg_for(8);
	c.used_gpa += 2;
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_ALIGN);
	/* Exactly the minimum is enough: avail at 2, used at 4 (SPLIT-LAY-1). */
	c = cfg_for(8);
	c.avail_gpa += 2;
	c.used_gpa += 4;
	ck_assert_rc(virtq_init(&q, &c), 0);
}
END_TEST

START_TEST(parts_must_lie_in_guest_memory)
{
	static struct virtq_queue q;
	struct virtq_queue_config c;

	mem_setup();
	c = cfg_for(8);
	c.desc_gpa = 0x1000; /* below the region */
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
	c = cfg_for(8);
	c.used_gpa = 0x10000 + sizeof(guest) - 8; /* runs off the end */
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
	c = cfg_for(8);
	c.avail_gpa = UINT64_MAX - 1; /* wraps */
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
	c = cfg_for(8);
	c.mem = NULL;
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_INVAL);
	ck_assert_rc(virtq_init(&q, NULL), VIRTQ_E_INVAL);
	ck_assert_rc(virtq_init(NULL, &c), VIRTQ_E_INVAL);
}
END_TEST

START_TEST(parts_must_not_overlap)
{
	static struct virtq_queue q;
	struct virtq_queue_config c;

	mem_setup();
	c = cfg_for(8);
	c.used_gpa = c.avail_gpa; /* device stores would land in the avail ring */
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
	c = cfg_for(8);
	c.avail_gpa = c.desc_gpa + 16;
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
}
END_TEST

/*
 * SPLIT-LAY-3 at the top of guest space: the descriptor table ends on the
 * last guest address, whose end is 2^64.  The avail ring touching it from
 * below is taken; two bytes into it are refused, as is a used ring inside
 * the table.
 */
START_TEST(parts_ending_on_the_last_guest_address_must_not_overlap)
{
	static struct virtq_queue q;
	static struct virtq_mem top;
	static struct virtq_mem_region r;
	const uint64_t base = 0 - (uint64_t)sizeof(guest);
	struct virtq_queue_config c = {.size = 8, .mem = &top};

	r = (struct virtq_mem_region){.gpa = base, .size = sizeof(guest), .hva = guest};
	ck_assert_rc(virtq_mem_init(&top, &r, 1), 0);
	c.desc_gpa = 0 - (uint64_t)vg_desc_bytes(8);
	c.used_gpa = base;
	c.avail_gpa = c.desc_gpa - vg_avail_bytes(8);
	ck_assert_rc(virtq_init(&q, &c), 0);
	c.avail_gpa += 2;
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
	c.avail_gpa = base + 0x1000;
	c.used_gpa = c.desc_gpa + 64;
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
}
END_TEST

START_TEST(part_straddling_two_regions_is_refused)
{
	struct vg_mem a;
	struct vg_drv *f;
	struct core_mem cm;
	struct virtq_queue_config c;
	static struct virtq_queue q;

	ck_assert_int_eq(vg_mem_init(&a, VG_MEM_KINDS), 0);
	ck_assert_int_ge(vg_mem_add(&a, 0x10000, 0x1000), 0);
	ck_assert_int_ge(vg_mem_add(&a, 0x11000, 0x1000), 0);
	/* The descriptor table (16 * 16 bytes) crosses 0x11000. */
	f = vg_drv_create_at(&a, 16, 0, 0x10f80, 0x11100, 0x11200);
	ck_assert_ptr_nonnull(f);
	ck_assert(vg_mem_mapped(&a, 0x10f80, vg_desc_bytes(16)));
	ck_assert(!vg_mem_in_one_region(&a, 0x10f80, vg_desc_bytes(16)));
	core_mem_sync(&cm, &a);
	c = core_config(f, &cm);
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
	vg_drv_destroy(f);
	vg_mem_destroy(&a);
}
END_TEST

START_TEST(misaligned_host_mapping_is_refused)
{
	static struct virtq_queue q;
	static struct virtq_mem_region r;
	struct virtq_queue_config c;

	/* gpa is aligned but the host view is off by one: atomics would tear. */
	r = (struct virtq_mem_region){.gpa = 0x10000, .size = sizeof(guest) - 1, .hva = guest + 1};
	ck_assert_rc(virtq_mem_init(&mem, &r, 1), 0);
	c = cfg_for(8);
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_ALIGN);
}
END_TEST

START_TEST(init_does_not_write_guest_memory)
{
	static struct virtq_queue q;
	static unsigned char before[sizeof(guest)];
	struct virtq_queue_config c;

	mem_setup();
	memset(guest, 0xC3, sizeof(guest));
	memcpy(before, guest, sizeof(guest));
	c = cfg_for(256);
	ck_assert_rc(virtq_init(&q, &c), 0);
	virtq_reset(&q);
	ck_assert_rc(virtq_restore(&q, 5, 3), 0);
	ck_assert_int_eq(memcmp(before, guest, sizeof(guest)), 0);
}
END_TEST

START_TEST(indirect_bound_defaults_to_1024)
{
	static struct virtq_queue q;
	struct virtq_queue_config c;

	mem_setup();
	c = cfg_for(8);
	ck_assert_rc(virtq_init(&q, &c), 0);
	ck_assert_uint_eq(q.indirect_max, VIRTQ_DEFAULT_INDIRECT_MAX);
	c.indirect_max = 7;
	ck_assert_rc(virtq_init(&q, &c), 0);
	ck_assert_uint_eq(q.indirect_max, 7);
}
END_TEST

START_TEST(need_event_matches_catalogue_examples)
{
	/* Worked cases of the clause catalogue §4.1: (E, new, old) -> result. */
	ck_assert(virtq_need_event(0, 1, 0));
	ck_assert(virtq_need_event(5, 8, 3));
	ck_assert(virtq_need_event(3, 8, 3));
	ck_assert(virtq_need_event(7, 8, 3));
	ck_assert(!virtq_need_event(2, 8, 3));
	ck_assert(!virtq_need_event(8, 8, 3));
	ck_assert(virtq_need_event(0xFFFF, 0x0001, 0xFFFE));
	ck_assert(virtq_need_event(0x0000, 0x0002, 0xFFFE));
	ck_assert(!virtq_need_event(0xFFFD, 0x0002, 0xFFFE));
	ck_assert(!virtq_need_event(9, 9, 9));
}
END_TEST

Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("setup");

	tcase_add_test(tc, sizes_must_be_power_of_two_up_to_32768);
	tcase_add_test(tc, size_32768_fits_and_works);
	tcase_add_test(tc, parts_must_meet_minimum_alignment);
	tcase_add_test(tc, parts_must_lie_in_guest_memory);
	tcase_add_test(tc, parts_must_not_overlap);
	tcase_add_test(tc, parts_ending_on_the_last_guest_address_must_not_overlap);
	tcase_add_test(tc, part_straddling_two_regions_is_refused);
	tcase_add_test(tc, misaligned_host_mapping_is_refused);
	tcase_add_test(tc, init_does_not_write_guest_memory);
	tcase_add_test(tc, indirect_bound_defaults_to_1024);
	tcase_add_test(tc, need_event_matches_catalogue_examples);
	suite_add_tcase(s, tc);
	return s;
}
