/* SPDX-License-Identifier: MIT */
/* Guest memory: regions, the walker at every edge, views, protection, faults (the shadow: test_mem_shadow.c). */
#include "guest.h"

#include <string.h>
#include <unistd.h>

#include "vguest/mem.h"

#include "asan.h" /* the guest's own ASan detection (src/) */

#define G0 UINT64_C(0x100000)
#define PG 4096u

static struct vg_mem m;

static void setup_plain(void) { vg_mem_init(&m, VG_MEM_SHADOW | VG_MEM_KINDS); }
static void teardown(void) { vg_mem_destroy(&m); }

START_TEST(add_refuses_empty_wrapping_and_overlapping_regions)
{
	ck_assert_int_eq(vg_mem_add(&m, G0, 0), -1);
	/* The last byte may be 2^64 - 1, not one further. */
	ck_assert_int_eq(vg_mem_add(&m, UINT64_MAX - 15, 17), -1);
	ck_assert_int_ge(vg_mem_add(&m, UINT64_MAX - 15, 16), 0);
	ck_assert_int_ge(vg_mem_add(&m, G0, PG), 0);
	/* Overlapping by one byte on either side is refused; touching is not. */
	ck_assert_int_eq(vg_mem_add(&m, G0 + PG - 1, PG), -1);
	ck_assert_int_eq(vg_mem_add(&m, G0 - PG + 1, PG), -1);
	ck_assert_int_ge(vg_mem_add(&m, G0 + PG, PG), 0);
	ck_assert_int_ge(vg_mem_add(&m, G0 - PG, PG), 0);
}
END_TEST

START_TEST(region_table_holds_exactly_the_maximum)
{
	for (unsigned i = 0; i < VG_MAX_REGIONS; i++)
		ck_assert_int_eq(vg_mem_add(&m, G0 + 2 * PG * (uint64_t)i, 16), (int)i);
	ck_assert_int_eq(vg_mem_add(&m, 0, 16), -1);
}
END_TEST

/* Identity regions: the gpa is the device view's address, in either placement. */
static void check_identity(int i, uint64_t size)
{
	const struct vg_region *r;
	uint64_t n;
	uint32_t v = 0x12345678;

	ck_assert_int_ge(i, 0);
	r = &m.r[i];
	ck_assert_ptr_eq(r->dev, (unsigned char *)(uintptr_t)r->gpa);
	ck_assert_uint_eq(r->size, size);
	ck_assert_ptr_eq(vg_mem_dev(&m, r->gpa + size - 1, 1, &n), r->dev + size - 1);
	/* What the driver writes at a gpa is at that host address. */
	ck_assert(vg_mem_write(&m, r->gpa + 16, &v, sizeof(v)));
	ck_assert_int_eq(memcmp((const void *)(uintptr_t)(r->gpa + 16), &v, sizeof(v)), 0);
}

START_TEST(identity_regions_sit_at_their_gpa)
{
	int a, b;

	check_identity(a = vg_mem_add_identity(&m, 3 * PG), 3 * PG);
	check_identity(b = vg_mem_add_identity(&m, 1001), 1001);
	ck_assert_int_ne(a, b);
	ck_assert_uint_eq(m.r[a].gpa % PG, 0);
	/* Allocation starts in the first region added: its addresses are host pointers. */
	ck_assert_uint_eq(vg_mem_alloc(&m, 64, 16), m.r[a].gpa);
	ck_assert_int_eq(vg_mem_add_identity(&m, 0), -1);
	vg_mem_destroy(&m);
	vg_mem_init(&m, VG_MEM_TIGHT | VG_MEM_REUSE);
	check_identity(vg_mem_add_identity(&m, 1001), 1001);
	/* Tight: the region still ends within 16 bytes of its guard page. */
	ck_assert_uint_le(PG - (m.r[0].gpa + 1001) % PG, 15);
	vg_mem_clear(&m);
	check_identity(vg_mem_add_identity(&m, 1001), 1001); /* on the parked mapping */
}
END_TEST

START_TEST(identity_regions_fill_the_table_and_no_more)
{
	for (unsigned i = 0; i < VG_MAX_REGIONS; i++)
		check_identity(vg_mem_add_identity(&m, PG), PG);
	ck_assert_int_eq(vg_mem_add_identity(&m, PG), -1);
}
END_TEST

START_TEST(walker_stops_at_region_ends_from_both_sides)
{
	uint64_t n;
	unsigned char *p;

	ck_assert_int_ge(vg_mem_add(&m, G0, 100), 0);
	ck_assert_int_ge(vg_mem_add(&m, G0 + 100, 50), 0); /* adjacent in guest space */
	p = vg_mem_dev(&m, G0 + 99, 1, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 1);
	/* Touching the end by one byte: the prefix stops there. */
	p = vg_mem_dev(&m, G0 + 99, 2, &n);
	ck_assert_uint_eq(n, 1);
	/* The next region starts a new host range, never adjacent in the host. */
	ck_assert_ptr_ne(vg_mem_dev(&m, G0 + 100, 1, &n), p + 1);
	ck_assert_ptr_null(vg_mem_dev(&m, G0 + 150, 1, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(vg_mem_dev(&m, G0 - 1, 1, &n));
	ck_assert_ptr_null(vg_mem_dev(&m, G0, 0, &n)); /* zero-length: nothing to translate */
	ck_assert(vg_mem_mapped(&m, G0, 150));
	ck_assert(!vg_mem_mapped(&m, G0, 151));
	ck_assert(vg_mem_mapped(&m, G0, 0));
	ck_assert(!vg_mem_mapped(&m, UINT64_MAX, 2)); /* wraps */
	ck_assert(vg_mem_in_one_region(&m, G0, 100));
	ck_assert(!vg_mem_in_one_region(&m, G0, 101));
	ck_assert(!vg_mem_in_one_region(&m, G0, 0));
}
END_TEST

START_TEST(copies_cross_regions_all_or_nothing)
{
	unsigned char in[64], out[64];
	uint64_t gpa;

	memset(in, 0x33, sizeof(in));
	ck_assert_int_ge(vg_mem_add(&m, G0, 32), 0);
	ck_assert_int_ge(vg_mem_add(&m, G0 + 32, 32), 0);
	ck_assert(vg_mem_write(&m, G0, in, 64));
	ck_assert(vg_mem_read(&m, G0, out, 64));
	ck_assert_mem_eq(in, out, 64);
	/* One byte into the hole: refused, and nothing was written. */
	memset(in, 0x44, sizeof(in));
	ck_assert(!vg_mem_write(&m, G0 + 1, in, 64));
	ck_assert(vg_mem_read(&m, G0, out, 1));
	ck_assert_uint_eq(out[0], 0x33);
	ck_assert(vg_mem_gpa_of(&m, vg_mem_hva(&m, G0 + 40), &gpa));
	ck_assert_uint_eq(gpa, G0 + 40);
	ck_assert(!vg_mem_gpa_of(&m, in, &gpa));
}
END_TEST

/* A copy that ends on a region's last byte is one piece; one byte more crosses or fails whole. */
START_TEST(copies_at_a_region_end_from_both_sides)
{
	unsigned char in[33], out[33];

	ck_assert_int_ge(vg_mem_add(&m, G0, 32), 0);
	ck_assert_int_ge(vg_mem_add(&m, G0 + 32, 32), 0); /* adjacent; a hole from G0 + 64 */
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i + 1);
	ck_assert(vg_mem_write(&m, G0, in, 32));
	ck_assert(vg_mem_write(&m, G0 + 32, in + 1, 32));
	memset(out, 0, sizeof(out));
	ck_assert(vg_mem_read(&m, G0, out, 32));
	ck_assert_mem_eq(out, in, 32);
	ck_assert(vg_mem_read(&m, G0, out, 33)); /* one byte into the next region */
	ck_assert_uint_eq(out[32], 2);
	ck_assert(vg_mem_read(&m, G0 + 63, out, 1)); /* the last mapped byte */
	ck_assert_uint_eq(out[0], 33);
	memset(out, 0xEE, sizeof(out));
	ck_assert(!vg_mem_read(&m, G0 + 32, out, 33)); /* one byte into the hole: nothing copied */
	ck_assert_uint_eq(out[0], 0xEE);
	ck_assert(!vg_mem_read(&m, G0 + 64, out, 1));
	ck_assert(vg_mem_read(&m, G0 + 64, out, 0)); /* nothing to copy is never refused */
	ck_assert(!vg_mem_fill(&m, G0 + 32, 0, 33));
	ck_assert(vg_mem_read(&m, G0 + 32, out, 1));
	ck_assert_uint_eq(out[0], 2); /* the refused fill wrote nothing */
	ck_assert(vg_mem_fill(&m, G0 + 31, 0, 33)); /* both regions, up to the last byte */
	ck_assert(vg_mem_read(&m, G0 + 30, out, 2));
	ck_assert_uint_eq(out[0], 31);
	ck_assert_uint_eq(out[1], 0);
	ck_assert(vg_mem_read(&m, G0 + 63, out, 1));
	ck_assert_uint_eq(out[0], 0);
}
END_TEST

START_TEST(ring_fields_are_little_endian_and_atomic_when_aligned)
{
	unsigned char b[4];

	ck_assert_int_ge(vg_mem_add(&m, G0, 64), 0);
	vg_mem_store16(&m, G0 + 2, 0x1234, true);
	vg_mem_store16(&m, G0 + 5, 0xABCD, false); /* misaligned: a fenced copy */
	ck_assert(vg_mem_read(&m, G0 + 2, b, 2));
	ck_assert_uint_eq(b[0], 0x34);
	ck_assert_uint_eq(b[1], 0x12);
	ck_assert_uint_eq(vg_mem_load16(&m, G0 + 5), 0xABCD);
	ck_assert_uint_eq(vg_mem_load16(&m, G0 + 63), 0); /* half outside: reads as 0 */
}
END_TEST

START_TEST(guards_report_the_first_damaged_byte)
{
	uint64_t bad = 0;
	unsigned char *dev;

	ck_assert_int_ge(vg_mem_add(&m, G0, 256), 0);
	vg_mem_guard(&m, G0 + 100, 16, VG_K_GUARD);
	ck_assert(vg_mem_guards_intact(&m, &bad));
	ck_assert_uint_eq(vg_mem_kind(&m, G0 + 100), VG_K_GUARD);
	ck_assert_uint_eq(vg_mem_kind(&m, G0 + 116), VG_K_FREE);
	dev = vg_mem_hva(&m, G0 + 115);
	dev[0] = 0;
	ck_assert(!vg_mem_guards_intact(&m, &bad));
	ck_assert_uint_eq(bad, G0 + 115);
}
END_TEST

START_TEST(zone_allocation_at_its_exact_end)
{
	struct vg_zone z = {G0, G0 + 64};

	ck_assert_int_ge(vg_mem_add(&m, G0, 4096), 0);
	ck_assert_uint_eq(vg_zone_alloc(&m, &z, 32, 16, VG_K_RBUF, VG_K_GUARD_RBUF, 32), G0);
	ck_assert_uint_eq(vg_zone_alloc(&m, &z, 1, 1, VG_K_RBUF, VG_K_GUARD_RBUF, 0), 0); /* full */
	z = (struct vg_zone){0, 64};
	ck_assert_uint_eq(vg_zone_alloc(&m, &z, 8, 8, VG_K_FREE, VG_K_GUARD, 0), 8); /* 0 is never handed out */
	ck_assert_uint_eq(vg_zone_alloc(&m, &z, 3, 0, VG_K_FREE, VG_K_GUARD, 0), 0); /* align 0 */
	ck_assert_uint_eq(vg_zone_alloc(&m, &z, 3, 3, VG_K_FREE, VG_K_GUARD, 0), 0); /* not a power of two */
}
END_TEST

START_TEST(cursor_moves_on_to_the_next_region)
{
	ck_assert_int_ge(vg_mem_add(&m, G0, 100), 0);
	ck_assert_int_ge(vg_mem_add(&m, G0 + 0x10000, 100), 0);
	ck_assert_uint_eq(vg_mem_alloc(&m, 60, 8), G0);     /* 60 + 32 guard bytes */
	ck_assert_uint_eq(vg_mem_alloc(&m, 60, 8), G0 + 0x10000);
	ck_assert_uint_eq(vg_mem_alloc(&m, 60, 8), 0);
}
END_TEST

START_TEST(reuse_keeps_the_mapping_and_zeroes_it)
{
	unsigned char *first;

	vg_mem_destroy(&m);
	vg_mem_init(&m, VG_MEM_REUSE | VG_MEM_TIGHT);
	ck_assert_int_ge(vg_mem_add(&m, G0, 1000), 0);
	first = m.r[0].dev;
	memset(m.r[0].drv, 0xEE, 1000);
	vg_mem_clear(&m);
	ck_assert_int_ge(vg_mem_add(&m, G0, 1000), 0);
	ck_assert_ptr_eq(m.r[0].dev, first);
	ck_assert_uint_eq(m.r[0].dev[999], 0);
}
END_TEST

/* The guest's own fault handler: works the same with or without a sanitizer's. */
static void exit_on_fault(void *arg, uint64_t gpa, enum vg_kind kind, const char *what)
{
	(void)arg;
	(void)gpa;
	(void)kind;
	(void)what;
	_exit(43);
}

START_TEST(tight_regions_end_at_the_guard_page)
{
	uint64_t gpa = G0 + 8;
	size_t span;

	vg_mem_destroy(&m);
	vg_mem_init(&m, VG_MEM_TIGHT);
	ck_assert_int_ge(vg_mem_add(&m, gpa, 1001), 0);
	/* dev == gpa (mod 16): alignment checks see what the guest placed. */
	ck_assert_uint_eq((uintptr_t)m.r[0].dev % 16, gpa % 16);
	span = (8 + 1001 + 15) & ~(size_t)15;
	ck_assert_uint_eq(((uintptr_t)m.r[0].dev - 8 + span) % PG, 0);
	(void)*(volatile unsigned char *)(m.r[0].dev + 1000); /* the last byte is there */
	vg_mem_on_fault(&m, exit_on_fault, NULL);
	/* The byte after the 16-byte slack is on the guard page. */
	(void)*(volatile unsigned char *)(m.r[0].dev - 8 + span);
}
END_TEST

#ifdef VG_ASAN
/* Under ASan the slack between a tight region's end and its guard page is poisoned. */
START_TEST(tight_region_slack_is_poisoned_under_asan)
{
	vg_mem_destroy(&m);
	vg_mem_init(&m, VG_MEM_TIGHT | VG_MEM_REUSE);
	ck_assert_int_ge(vg_mem_add(&m, G0, 1001), 0);
	ck_assert(!__asan_address_is_poisoned(m.r[0].dev + 1000));
	ck_assert(__asan_address_is_poisoned(m.r[0].dev + 1001));
	ck_assert(__asan_address_is_poisoned(m.r[0].dev - 1));
	{
		unsigned char *dev = m.r[0].dev;

		vg_mem_clear(&m); /* parked: all of it poisoned until the next layout */
		ck_assert(__asan_address_is_poisoned(dev));
	}
}
END_TEST
#endif

START_TEST(page_placed_regions_have_a_guard_page_before)
{
	ck_assert_int_ge(vg_mem_add(&m, G0, 64), 0);
	(void)*(volatile unsigned char *)m.r[0].dev;
	vg_mem_on_fault(&m, exit_on_fault, NULL);
	(void)*(volatile unsigned char *)(m.r[0].dev - 1);
}
END_TEST

START_TEST(read_only_device_view_faults_on_store_driver_still_writes)
{
	ck_assert_int_ge(vg_mem_add(&m, G0, 3 * PG), 0);
	ck_assert_int_eq(vg_mem_protect(&m, G0 + PG, PG, VG_PROT_RO), 0);
	ck_assert_uint_eq(vg_mem_prot_at(&m, G0 + PG), VG_PROT_RO);
	ck_assert_uint_eq(vg_mem_prot_at(&m, G0 + 2 * PG), VG_PROT_RW);
	ck_assert(vg_mem_write(&m, G0 + PG, "x", 1));
	ck_assert_uint_eq(*(volatile unsigned char *)vg_mem_hva(&m, G0 + PG), 'x');
	*(volatile unsigned char *)vg_mem_hva(&m, G0 + PG - 1) = 1; /* the page before: fine */
	vg_mem_on_fault(&m, exit_on_fault, NULL);
	*(volatile unsigned char *)vg_mem_hva(&m, G0 + PG) = 1;     /* faults */
}
END_TEST

static void on_fault(void *arg, uint64_t gpa, enum vg_kind kind, const char *what)
{
	(void)arg;
	(void)what;
	_exit(gpa == G0 + PG + 5 && kind == VG_K_DESC ? 42 : 1);
}

START_TEST(fault_handler_names_the_guest_byte)
{
	ck_assert_int_ge(vg_mem_add(&m, G0, 2 * PG), 0);
	vg_mem_mark(&m, G0 + PG, 16, VG_K_DESC);
	ck_assert_int_eq(vg_mem_protect(&m, G0 + PG, PG, VG_PROT_RO), 0);
	vg_mem_on_fault(&m, on_fault, NULL);
	*(volatile unsigned char *)vg_mem_hva(&m, G0 + PG + 5) = 1;
}
END_TEST

START_TEST(moved_region_keeps_contents_and_the_old_view_faults)
{
	unsigned char *old;

	ck_assert_int_ge(vg_mem_add(&m, G0, 64), 0);
	ck_assert(vg_mem_write(&m, G0, "abc", 3));
	old = vg_mem_hva(&m, G0);
	ck_assert_int_eq(vg_mem_move(&m, 0), 0);
	ck_assert_ptr_ne(vg_mem_hva(&m, G0), old);
	ck_assert_mem_eq(vg_mem_hva(&m, G0), "abc", 3);
	ck_assert_int_eq(vg_mem_move(&m, 1), -1);
	vg_mem_on_fault(&m, exit_on_fault, NULL);
	(void)*(volatile unsigned char *)old; /* stale translation: faults */
}
END_TEST

#ifdef VG_ASAN
/* Exit 44 if the handler was told of an access past a region's end, 45 for anything else. */
static void exit_if_past_the_end(void *arg, uint64_t gpa, enum vg_kind kind, const char *what)
{
	(void)arg;
	(void)gpa;
	(void)kind;
	_exit(vg_mem_fault_in_report() && strstr(what, "past the end") ? 44 : 45);
}

/*
 * Under ASan a region's slack bytes are poisoned, not a guard page: a
 * two-byte load on its last byte runs one byte into them, and ASan reports
 * the load at its first byte, inside the region.  The handler must hear of
 * the byte past the end.
 */
START_TEST(asan_load_running_into_the_slack_is_past_the_end)
{
	unsigned char *dev;

	vg_mem_destroy(&m);
	vg_mem_init(&m, VG_MEM_TIGHT);
	ck_assert_int_ge(vg_mem_add(&m, G0, 1001), 0); /* 16-aligned start: bytes 1001..1007 are slack */
	dev = vg_mem_hva(&m, G0);
	vg_mem_on_fault(&m, exit_if_past_the_end, NULL);
	(void)*(volatile uint16_t *)(void *)(dev + 1000);
}
END_TEST
#endif

Suite *mem_suite(void)
{
	Suite *s = suite_create("mem");
	TCase *t = tcase_create("mem");

	tcase_add_checked_fixture(t, setup_plain, teardown);
	tcase_add_test(t, add_refuses_empty_wrapping_and_overlapping_regions);
	tcase_add_test(t, region_table_holds_exactly_the_maximum);
	tcase_add_test(t, identity_regions_sit_at_their_gpa);
	tcase_add_test(t, identity_regions_fill_the_table_and_no_more);
	tcase_add_test(t, walker_stops_at_region_ends_from_both_sides);
	tcase_add_test(t, copies_cross_regions_all_or_nothing);
	tcase_add_test(t, copies_at_a_region_end_from_both_sides);
	tcase_add_test(t, ring_fields_are_little_endian_and_atomic_when_aligned);
	tcase_add_test(t, guards_report_the_first_damaged_byte);
	tcase_add_test(t, zone_allocation_at_its_exact_end);
	tcase_add_test(t, cursor_moves_on_to_the_next_region);
	tcase_add_test(t, reuse_keeps_the_mapping_and_zeroes_it);
	tcase_add_exit_test(t, tight_regions_end_at_the_guard_page, 43);
#ifdef VG_ASAN
	tcase_add_test(t, tight_region_slack_is_poisoned_under_asan);
#endif
	tcase_add_exit_test(t, page_placed_regions_have_a_guard_page_before, 43);
	tcase_add_exit_test(t, read_only_device_view_faults_on_store_driver_still_writes, 43);
	tcase_add_exit_test(t, fault_handler_names_the_guest_byte, 42);
	tcase_add_exit_test(t, moved_region_keeps_contents_and_the_old_view_faults, 43);
#ifdef VG_ASAN
	tcase_add_exit_test(t, asan_load_running_into_the_slack_is_past_the_end, 44);
#endif
	suite_add_tcase(s, t);
	return s;
}
