/* SPDX-License-Identifier: MIT */
/* Guest memory translation: bounds, overflow, regions, callback. */
#include "unit.h"

static unsigned char host_a[4096], host_b[4096];

static const struct virtq_mem_region two_regions[] = {
	{.gpa = 0x1000, .size = 4096, .hva = host_a},
	{.gpa = 0x2000, .size = 4096, .hva = host_b}, /* gpa-adjacent, host-distant */
};

START_TEST(range_inside_region_translates)
{
	struct virtq_mem m;
	uint64_t contig;

	ck_assert_rc(virtq_mem_init(&m, two_regions, 2), 0);
	ck_assert_ptr_eq(virtq_mem_translate(&m, 0x1010, 16, &contig), host_a + 0x10);
	ck_assert_uint_eq(contig, 16);
	ck_assert_ptr_eq(virtq_mem_translate(&m, 0x2fff, 1, &contig), host_b + 0xfff);
	ck_assert_uint_eq(contig, 1);
}
END_TEST

START_TEST(range_across_adjacent_regions_yields_prefix)
{
	struct virtq_mem m;
	uint64_t contig;

	ck_assert_rc(virtq_mem_init(&m, two_regions, 2), 0);
	ck_assert_ptr_eq(virtq_mem_translate(&m, 0x1ff0, 0x20, &contig), host_a + 0xff0);
	ck_assert_uint_eq(contig, 0x10);
	ck_assert_ptr_eq(virtq_mem_translate(&m, 0x2000, 0x10, &contig), host_b);
	/* A ring part or table must be contiguous as a whole. */
	ck_assert_ptr_null(virtq_mem_translate_all(&m, 0x1ff0, 0x20));
	ck_assert_ptr_eq(virtq_mem_translate_all(&m, 0x1ff0, 0x10), host_a + 0xff0);
}
END_TEST

START_TEST(outside_regions_and_holes_fail)
{
	struct virtq_mem m;
	uint64_t contig = 99;

	ck_assert_rc(virtq_mem_init(&m, two_regions, 2), 0);
	ck_assert_ptr_null(virtq_mem_translate(&m, 0x0fff, 1, &contig));
	ck_assert_uint_eq(contig, 0);
	ck_assert_ptr_null(virtq_mem_translate(&m, 0x3000, 1, &contig));
	ck_assert_ptr_null(virtq_mem_translate_all(&m, 0x2f00, 0x200));
}
END_TEST

START_TEST(zero_length_is_never_translated)
{
	struct virtq_mem m;
	uint64_t contig = 5;

	ck_assert_rc(virtq_mem_init(&m, two_regions, 2), 0);
	ck_assert_ptr_null(virtq_mem_translate(&m, 0x1000, 0, &contig));
	ck_assert_uint_eq(contig, 0);
}
END_TEST

START_TEST(wrapping_ranges_fail)
{
	static unsigned char top[64];
	const struct virtq_mem_region r = {.gpa = UINT64_MAX - 63, .size = 64, .hva = top};
	struct virtq_mem m;
	uint64_t contig;

	ck_assert_rc(virtq_mem_init(&m, &r, 1), 0);
	ck_assert_ptr_eq(virtq_mem_translate(&m, UINT64_MAX, 1, &contig), top + 63);
	ck_assert_ptr_null(virtq_mem_translate(&m, UINT64_MAX, 2, &contig));
	ck_assert_ptr_null(virtq_mem_translate(&m, UINT64_MAX - 10, UINT64_MAX, &contig));
}
END_TEST

START_TEST(bad_region_tables_are_refused)
{
	struct virtq_mem m;
	struct virtq_mem_region r[2] = {{0x1000, 0x1000, host_a}, {0x1800, 0x1000, host_b}};

	ck_assert_rc(virtq_mem_init(&m, r, 2), VIRTQ_E_MEM_REGIONS); /* overlap */
	r[1].gpa = 0x2000;
	ck_assert_rc(virtq_mem_init(&m, r, 2), 0);
	r[1].size = 0;
	ck_assert_rc(virtq_mem_init(&m, r, 2), VIRTQ_E_MEM_REGIONS); /* empty */
	r[1].size = 0x1000;
	r[1].hva = NULL;
	ck_assert_rc(virtq_mem_init(&m, r, 2), VIRTQ_E_MEM_REGIONS); /* unmapped */
	r[1].hva = host_b;
	r[1].gpa = UINT64_MAX - 0xFFF; /* its last byte the last guest address: taken */
	ck_assert_rc(virtq_mem_init(&m, r, 2), 0);
	r[1].gpa++;
	ck_assert_rc(virtq_mem_init(&m, r, 2), VIRTQ_E_MEM_REGIONS); /* wraps */
	r[1].gpa = 0x2000;
	r[1].hva = (void *)(UINTPTR_MAX - 0xFFF); /* its last byte the last host address: taken */
	ck_assert_rc(virtq_mem_init(&m, r, 2), 0);
	r[1].hva = (void *)(UINTPTR_MAX - 0xFFE);
	ck_assert_rc(virtq_mem_init(&m, r, 2), VIRTQ_E_MEM_REGIONS); /* host wraps */
	/* No bound on size but the address spaces: 16 MiB to the last guest address is a region. */
	r[1] = (struct virtq_mem_region){UINT64_C(1) << 24, 0 - (UINT64_C(1) << 24), (void *)(uintptr_t)0x10000};
	ck_assert_rc(virtq_mem_init(&m, r, 2), 0);
	r[1] = (struct virtq_mem_region){0x2000, 0x1000, host_b};
	ck_assert_rc(virtq_mem_init(NULL, r, 2), VIRTQ_E_INVAL);
	ck_assert_rc(virtq_mem_init(&m, NULL, 1), VIRTQ_E_INVAL);
}
END_TEST

struct cb_state {
	unsigned calls;
	uint64_t answer; /* what the callback claims is contiguous */
};

static void *cb_translate(void *opaque, uint64_t gpa, uint64_t len, uint64_t *contig)
{
	struct cb_state *st = opaque;

	st->calls++;
	ck_assert_uint_gt(len, 0);
	if (gpa < 0x1000 || gpa >= 0x2000)
		return NULL;
	*contig = st->answer;
	return host_a + (gpa - 0x1000);
}

START_TEST(callback_backend_is_used_and_distrusted)
{
	struct virtq_mem m;
	struct cb_state st = {0, 8};
	uint64_t contig;

	ck_assert_rc(virtq_mem_init_callback(&m, NULL, NULL), VIRTQ_E_INVAL);
	ck_assert_rc(virtq_mem_init_callback(&m, cb_translate, &st), 0);
	ck_assert_ptr_eq(virtq_mem_translate(&m, 0x1004, 16, &contig), host_a + 4);
	ck_assert_uint_eq(contig, 8);
	ck_assert_ptr_null(virtq_mem_translate(&m, 0x5000, 16, &contig));
	/* A callback claiming more than asked, or nothing, is treated as a fault. */
	st.answer = 17;
	ck_assert_ptr_null(virtq_mem_translate(&m, 0x1004, 16, &contig));
	st.answer = 0;
	ck_assert_ptr_null(virtq_mem_translate(&m, 0x1004, 16, &contig));
	ck_assert_uint_eq(st.calls, 4);
	/* Zero-length and wrapping ranges never reach the callback. */
	ck_assert_ptr_null(virtq_mem_translate(&m, 0x1004, 0, &contig));
	ck_assert_ptr_null(virtq_mem_translate(&m, UINT64_MAX, 2, &contig));
	ck_assert_uint_eq(st.calls, 4);
}
END_TEST

Suite *mem_suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("translate");

	tcase_add_test(tc, range_inside_region_translates);
	tcase_add_test(tc, range_across_adjacent_regions_yields_prefix);
	tcase_add_test(tc, outside_regions_and_holes_fail);
	tcase_add_test(tc, zero_length_is_never_translated);
	tcase_add_test(tc, wrapping_ranges_fail);
	tcase_add_test(tc, bad_region_tables_are_refused);
	tcase_add_test(tc, callback_backend_is_used_and_distrusted);
	suite_add_tcase(s, tc);
	return s;
}
