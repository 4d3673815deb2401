/* SPDX-License-Identifier: MIT */
/* Guest memory: regions, the walker at every edge, views, protection, faults, the shadow. */
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

struct diff_seen {
	uint64_t hit;
	unsigned n;
};

static void visit(void *arg, uint64_t gpa, uint8_t was, uint8_t now)
{
	struct diff_seen *a = arg;

	ck_assert_uint_eq(was, 0);
	ck_assert_uint_eq(now, 0x77);
	a->hit = gpa;
	a->n++;
}

START_TEST(shadow_sees_device_writes_only)
{
	struct diff_seen a = {0, 0};
	unsigned char *dev;

	ck_assert_int_ge(vg_mem_add(&m, G0, 256), 0);
	vg_mem_snapshot(&m);
	ck_assert(vg_mem_write(&m, G0 + 10, "drv", 3)); /* driver write: the shadow follows */
	dev = vg_mem_hva(&m, G0 + 200);
	dev[0] = 0x77; /* a device write */
	vg_mem_diff(&m, visit, &a);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_uint_eq(a.hit, G0 + 200);
	a.n = 0;
	vg_mem_diff(&m, visit, &a); /* taken into the shadow */
	ck_assert_uint_eq(a.n, 0);
}
END_TEST

/* The diff narrows by page, then by line: a write at each edge of both is still seen, once. */
START_TEST(shadow_sees_writes_at_every_block_edge)
{
	const uint64_t size = 3 * 4096 + 5, at[] = {0, 63, 64, 4095, 4096, 2 * 4096 + 64, size - 1};
	struct diff_seen a = {0, 0};
	unsigned char *dev;

	ck_assert_int_ge(vg_mem_add(&m, G0, size), 0);
	vg_mem_snapshot(&m);
	dev = vg_mem_hva(&m, G0);
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		dev[at[i]] = 0x77;
	vg_mem_diff(&m, visit, &a);
	ck_assert_uint_eq(a.n, sizeof(at) / sizeof(at[0]));
	ck_assert_uint_eq(a.hit, G0 + size - 1); /* the last one visited last */
}
END_TEST

#define RUNS_MAX 4096

struct runs_seen {
	uint64_t gpa[RUNS_MAX], len[RUNS_MAX];
	unsigned n;
};

static void visit_run(void *arg, uint64_t gpa, uint64_t len)
{
	struct runs_seen *a = arg;

	ck_assert_uint_lt(a->n, RUNS_MAX);
	a->gpa[a->n] = gpa;
	a->len[a->n++] = len;
}

/* Runs join across line and page edges and stop at the first byte the device left alone. */
START_TEST(shadow_runs_cross_block_edges_and_stop_at_a_gap)
{
	static struct runs_seen a;
	unsigned char *dev;

	a.n = 0;
	ck_assert_int_ge(vg_mem_add(&m, G0, 3 * 4096), 0);
	vg_mem_snapshot(&m);
	dev = vg_mem_hva(&m, G0);
	memset(dev + 60, 0x77, 8);    /* 60..67: over a line edge */
	memset(dev + 69, 0x77, 1);    /* one byte after a one-byte gap */
	memset(dev + 4090, 0x77, 12); /* over a page edge */
	dev[3 * 4096 - 1] = 0x77;     /* the region's last byte */
	vg_mem_diff_runs(&m, visit_run, &a);
	ck_assert_uint_eq(a.n, 4);
	ck_assert_uint_eq(a.gpa[0], G0 + 60);
	ck_assert_uint_eq(a.len[0], 8);
	ck_assert_uint_eq(a.gpa[1], G0 + 69);
	ck_assert_uint_eq(a.len[1], 1);
	ck_assert_uint_eq(a.gpa[2], G0 + 4090);
	ck_assert_uint_eq(a.len[2], 12);
	ck_assert_uint_eq(a.gpa[3], G0 + 3 * 4096 - 1);
	ck_assert_uint_eq(a.len[3], 1);
	a.n = 0;
	vg_mem_diff_runs(&m, visit_run, &a); /* taken into the shadow */
	ck_assert_uint_eq(a.n, 0);
}
END_TEST

/*
 * The runs are exactly the maximal runs of bytes that differ, whatever their
 * place in a word: seeded device writes of every length from 1 to 80 at
 * every offset, some of them writing back the byte that was there, over a
 * region whose size is not a multiple of 8 (its 13-byte tail written too),
 * checked against a byte-by-byte comparison of a copy taken before.
 */
START_TEST(shadow_runs_are_the_maximal_runs_of_changed_bytes)
{
	const uint64_t size = 3 * 4096 + 13;
	static unsigned char before[3 * 4096 + 13];
	static struct runs_seen a;
	uint32_t seed = 12345;
	unsigned char *dev;
	unsigned want = 0;

	ck_assert_int_ge(vg_mem_add(&m, G0, size), 0);
	dev = vg_mem_hva(&m, G0);
	for (uint64_t i = 0; i < size; i++)
		dev[i] = (unsigned char)(i * 7);
	vg_mem_snapshot(&m);
	memcpy(before, dev, size);
	for (unsigned w = 0; w < 300; w++) {
		uint64_t at, len;

		seed = seed * 1103515245u + 12345u;
		at = (seed >> 8) % size;
		len = 1 + (seed >> 4) % 80;
		for (uint64_t i = at; i < at + len && i < size; i++)
			dev[i] = (seed & 3) == 0 ? before[i] : (unsigned char)(before[i] ^ (1u + (seed >> 20) % 255));
	}
	/* The 13 bytes past the last whole word: a run from a word into them, and the last byte. */
	for (uint64_t i = size - 17; i < size - 9; i++)
		dev[i] = (unsigned char)(before[i] ^ 0xFF);
	dev[size - 1] = (unsigned char)(before[size - 1] ^ 0xFF);
	a.n = 0;
	vg_mem_diff_runs(&m, visit_run, &a);
	for (uint64_t i = 0; i < size;) {
		uint64_t j = i;

		while (j < size && dev[j] != before[j])
			j++;
		if (j == i) {
			i++;
			continue;
		}
		ck_assert_uint_lt(want, a.n);
		ck_assert_uint_eq(a.gpa[want], G0 + i);
		ck_assert_uint_eq(a.len[want], j - i);
		want++;
		i = j;
	}
	ck_assert_uint_eq(a.n, want);
	ck_assert_uint_gt(want, 50);
}
END_TEST

struct bytes_seen {
	uint64_t gpa[16];
	uint8_t was[16], now[16];
	unsigned n;
};

static void visit_byte(void *arg, uint64_t gpa, uint8_t was, uint8_t now)
{
	struct bytes_seen *a = arg;

	ck_assert_uint_lt(a->n, 16);
	a->gpa[a->n] = gpa;
	a->was[a->n] = was;
	a->now[a->n++] = now;
}

/*
 * A page whose shadow is all zero is a flag (mem_shadow.c), its bytes stale:
 * here the last input's 0x55 in every one.  Before the snapshot page 0 gets
 * a byte through the device's view (the snapshot takes it in), page 2 the
 * driver's zero fill (still a flag), page 3 (short) a byte of the driver's
 * fill; after it the driver writes into page 1 and page 2 while they are
 * flags.  Every device write is then seen with the byte that was there.
 */
START_TEST(zero_shadow_pages_never_show_stale_bytes)
{
	const uint64_t size = 3 * 4096 + 100;
	const uint64_t at[7] = {5, 6, 4096 + 7, 4096 + 101, 2 * 4096 + 4095, 3 * 4096 + 10, size - 1};
	const uint8_t was[7] = {0x11, 0, 0, 'r', 0, 0x22, 0};
	static struct bytes_seen a;
	unsigned char *dev;

	vg_mem_destroy(&m);
	vg_mem_init(&m, VG_MEM_REUSE | VG_MEM_TIGHT | VG_MEM_SHADOW);
	ck_assert_int_ge(vg_mem_add(&m, G0, size), 0);
	ck_assert(vg_mem_fill(&m, G0, 0x55, size)); /* the last input's shadow */
	vg_mem_clear(&m);
	ck_assert_int_ge(vg_mem_add(&m, G0, size), 0);
	dev = vg_mem_hva(&m, G0);
	dev[5] = 0x11;
	ck_assert(vg_mem_fill(&m, G0 + 2 * 4096, 0, 4096));
	ck_assert(vg_mem_fill(&m, G0 + 3 * 4096 + 10, 0x22, 1));
	vg_mem_snapshot(&m);
	ck_assert(vg_mem_write(&m, G0 + 4096 + 100, "drv", 3));
	vg_mem_store16(&m, G0 + 2 * 4096 + 8, 0x1234, true);
	a.n = 0;
	vg_mem_diff(&m, visit_byte, &a);
	ck_assert_uint_eq(a.n, 0); /* the driver's writes are not the device's */
	for (unsigned i = 0; i < 7; i++)
		dev[at[i]] = 0x77;
	vg_mem_diff(&m, visit_byte, &a);
	ck_assert_uint_eq(a.n, 7);
	for (unsigned i = 0; i < 7; i++) {
		ck_assert_uint_eq(a.gpa[i], G0 + at[i]);
		ck_assert_uint_eq(a.was[i], was[i]);
		ck_assert_uint_eq(a.now[i], 0x77);
	}
	a.n = 0;
	vg_mem_diff(&m, visit_byte, &a); /* taken into the shadow */
	ck_assert_uint_eq(a.n, 0);
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

/* A fuzz input's memory: the last input's shadow and mappings, retired ones included, made new. */
START_TEST(reuse_keeps_shadows_and_takes_back_retired_mappings)
{
	struct diff_seen a = {0, 0};
	unsigned char *shadow;

	vg_mem_destroy(&m);
	vg_mem_init(&m, VG_MEM_REUSE | VG_MEM_TIGHT | VG_MEM_SHADOW);
	ck_assert_int_ge(vg_mem_add(&m, G0, 1000), 0);
	shadow = m.r[0].shadow;
	ck_assert(vg_mem_write(&m, G0, "abc", 3));
	memset(m.r[0].dev + 10, 0x77, 5); /* a device write, left in the shadow's view */
	ck_assert_int_eq(vg_mem_move(&m, 0), 0); /* the first mapping retired */
	vg_mem_clear(&m);
	ck_assert_int_ge(vg_mem_add(&m, G0, 1000), 0);
	ck_assert_int_ge(vg_mem_add(&m, G0 + 0x100000, 1000), 0);
	ck_assert_ptr_eq(m.r[0].shadow, shadow);
	for (unsigned r = 0; r < 2; r++)
		for (unsigned i = 0; i < 1000; i++)
			ck_assert_uint_eq(*(volatile unsigned char *)(m.r[r].dev + i), 0); /* no fault either */
	vg_mem_diff(&m, visit, &a);
	ck_assert_uint_eq(a.n, 0);
	m.r[0].dev[1] = 0x77; /* over the old shadow's "abc": the new shadow had 0 there */
	vg_mem_diff(&m, visit, &a);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_uint_eq(a.hit, G0 + 1);
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
	tcase_add_test(t, ring_fields_are_little_endian_and_atomic_when_aligned);
	tcase_add_test(t, shadow_sees_device_writes_only);
	tcase_add_test(t, shadow_sees_writes_at_every_block_edge);
	tcase_add_test(t, shadow_runs_cross_block_edges_and_stop_at_a_gap);
	tcase_add_test(t, shadow_runs_are_the_maximal_runs_of_changed_bytes);
	tcase_add_test(t, zero_shadow_pages_never_show_stale_bytes);
	tcase_add_test(t, guards_report_the_first_damaged_byte);
	tcase_add_test(t, zone_allocation_at_its_exact_end);
	tcase_add_test(t, cursor_moves_on_to_the_next_region);
	tcase_add_test(t, reuse_keeps_the_mapping_and_zeroes_it);
	tcase_add_test(t, reuse_keeps_shadows_and_takes_back_retired_mappings);
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
