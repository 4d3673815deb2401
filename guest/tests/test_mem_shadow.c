/* SPDX-License-Identifier: MIT */
/* The device-write oracle's shadow (mem_watch.c, mem_shadow.c): what a diff sees, in runs and bytes, across reuse. */
#include "guest.h"

#include <string.h>

#include "vguest/mem.h"

#define G0 UINT64_C(0x100000)

static struct vg_mem m;

static void setup_plain(void) { vg_mem_init(&m, VG_MEM_SHADOW | VG_MEM_KINDS); }
static void teardown(void) { vg_mem_destroy(&m); }

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

Suite *shadow_suite(void)
{
	Suite *s = suite_create("shadow");
	TCase *t = tcase_create("shadow");

	tcase_add_checked_fixture(t, setup_plain, teardown);
	tcase_add_test(t, shadow_sees_device_writes_only);
	tcase_add_test(t, shadow_sees_writes_at_every_block_edge);
	tcase_add_test(t, shadow_runs_cross_block_edges_and_stop_at_a_gap);
	tcase_add_test(t, shadow_runs_are_the_maximal_runs_of_changed_bytes);
	tcase_add_test(t, zero_shadow_pages_never_show_stale_bytes);
	tcase_add_test(t, reuse_keeps_shadows_and_takes_back_retired_mappings);
	suite_add_tcase(s, t);
	return s;
}
