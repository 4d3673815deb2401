/* SPDX-License-Identifier: MIT */
/*
 * The shared-memory seam, observed through the instrumented library: every
 * descriptor is fetched once, the fences sit where catalogue §4.3 needs them
 * (R1, W1, F1, F2), a racing driver cannot split a descriptor, and the device
 * stores only to the used ring and writable buffers.
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "virtq/shm_hook.h"

#define LOG_MAX 4096

struct access {
	enum virtq_shm_op op;
	enum virtq_shm_what what;
	const void *addr;
	size_t size;
};

static struct access log_[LOG_MAX];
static size_t nlog;

static void record(void *opaque, enum virtq_shm_op op, enum virtq_shm_what what, const void *addr,
		   size_t size)
{
	(void)opaque;
	ck_assert_uint_lt(nlog, LOG_MAX);
	log_[nlog++] = (struct access){op, what, addr, size};
}

static void log_start(void)
{
	nlog = 0;
	virtq_shm_set_hook(record, NULL);
}

static void log_stop(void)
{
	virtq_shm_set_hook(NULL, NULL);
}

/* Index of the first entry at or after @from matching (op, what), or -1. */
static long find(size_t from, enum virtq_shm_op op, enum virtq_shm_what what)
{
	for (size_t i = from; i < nlog; i++)
		if (log_[i].op == op && log_[i].what == what)
			return (long)i;
	return -1;
}

static size_t count_loads_at(const void *addr)
{
	size_t n = 0;

	for (size_t i = 0; i < nlog; i++)
		if (log_[i].op == VIRTQ_SHM_LOAD && log_[i].addr == addr)
			n++;
	return n;
}

START_TEST(every_descriptor_and_ring_entry_is_fetched_once)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_seg rs[16], ws[16];
	struct virtq_iov rd, wr;
	const uint32_t rl[3] = {8, 8, 8}, wl[3] = {8, 8, 8};
	int head;

	tq_setup(&t, 16, F_INDIRECT);
	head = tq_publish(&t, rl, 3, wl, 3, 2); /* 2 direct, INDIRECT, 4 in the table */
	log_start();
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 16);
	virtq_iov_init(&wr, ws, 16);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	log_stop();
	ck_assert_uint_eq(virtq_chain_descriptors(&c), 7);
	/* Every descriptor load hit a distinct address: no double fetch. */
	for (size_t i = 0; i < nlog; i++) {
		if (log_[i].what == VIRTQ_SHM_DESC)
			ck_assert_uint_eq(count_loads_at(log_[i].addr), 1);
		if (log_[i].what == VIRTQ_SHM_AVAIL_RING || log_[i].what == VIRTQ_SHM_AVAIL_IDX)
			ck_assert_uint_eq(count_loads_at(log_[i].addr), 1);
	}
	ck_assert_ptr_eq(log_[find(0, VIRTQ_SHM_LOAD, VIRTQ_SHM_DESC)].addr,
			 vg_mem_hva(&t.mem, t.drv->desc + VG_DESC_SIZE * (unsigned)head));
	tq_teardown(&t);
}
END_TEST

START_TEST(avail_idx_is_acquired_before_ring_and_descriptors_r1)
{
	struct tq t;
	struct virtq_chain c;
	const uint32_t rl = 8;
	long idx, acq, ring, desc;

	tq_setup(&t, 8, 0);
	tq_publish(&t, &rl, 1, NULL, 0, 8);
	log_start();
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_chain_next(&c, &(struct virtq_seg){0}), 1);
	log_stop();
	idx = find(0, VIRTQ_SHM_LOAD, VIRTQ_SHM_AVAIL_IDX);
	acq = find(0, VIRTQ_SHM_FENCE, VIRTQ_SHM_FENCE_ACQUIRE);
	ring = find(0, VIRTQ_SHM_LOAD, VIRTQ_SHM_AVAIL_RING);
	desc = find(0, VIRTQ_SHM_LOAD, VIRTQ_SHM_DESC);
	ck_assert(idx >= 0 && idx < acq && acq < ring && ring < desc);
	tq_teardown(&t);
}
END_TEST

START_TEST(used_entries_then_release_then_used_idx_w1)
{
	struct tq t;
	struct virtq_chain c[3];
	const uint32_t wl = 8;
	long rel, idx, last_elem = -1;

	tq_setup(&t, 8, 0);
	for (int i = 0; i < 3; i++) {
		tq_publish(&t, NULL, 0, &wl, 1, 8);
		tq_pop_expect(&t, &c[i], 1);
	}
	log_start();
	for (int i = 0; i < 3; i++)
		ck_assert_rc(virtq_fill(&t.q, &c[i], 0), 0);
	ck_assert_rc(virtq_flush(&t.q), 0);
	log_stop();
	for (size_t i = 0; i < nlog; i++)
		if (log_[i].what == VIRTQ_SHM_USED_ELEM)
			last_elem = (long)i;
	rel = find(0, VIRTQ_SHM_FENCE, VIRTQ_SHM_FENCE_RELEASE);
	idx = find(0, VIRTQ_SHM_STORE, VIRTQ_SHM_USED_IDX);
	ck_assert(last_elem >= 0 && last_elem < rel && rel < idx);
	/* One used idx store for the whole batch (3 ids + 3 lens before it). */
	ck_assert_int_eq(find(idx + 1, VIRTQ_SHM_STORE, VIRTQ_SHM_USED_IDX), -1);
	ck_assert_int_eq(last_elem, 5);
	tq_teardown(&t);
}
END_TEST

/*
 * A driver that re-posts heads it has not seen used can make a push find
 * the used ring full of unpublished entries: they are published before the
 * pushed entry overwrites the first of them (queue.c, push_after_flush).
 */
START_TEST(push_at_full_used_ring_publishes_pending_entries_first)
{
	struct tq t;
	struct virtq_chain c;
	uint32_t id, len;
	bool notify = false;
	long first_idx, elem;
	int head = tq_setup_full_used_ring(&t, &c);

	log_start();
	ck_assert_rc(virtq_push(&t.q, &c, 3, &notify), 0);
	log_stop();
	first_idx = find(0, VIRTQ_SHM_STORE, VIRTQ_SHM_USED_IDX);
	elem = find(0, VIRTQ_SHM_STORE, VIRTQ_SHM_USED_ELEM);
	ck_assert(first_idx >= 0 && elem > first_idx);
	ck_assert(find(elem, VIRTQ_SHM_STORE, VIRTQ_SHM_USED_IDX) > elem);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 3);
	ck_assert(notify); /* flags 0: the driver wants the interrupt */
	vg_drv_read_used_elem(t.drv, 2, &id, &len);
	ck_assert_uint_eq(id, head);
	ck_assert_uint_eq(len, 0); /* a readable-only chain: nothing written (SPLIT-USED-3) */
	ck_assert_uint_eq(virtq_inflight(&t.q), 0);
	tq_teardown(&t);
}
END_TEST

static void check_f1(uint64_t features, enum virtq_shm_what wish)
{
	struct tq t;
	struct virtq_chain c;
	const uint32_t rl = 8;
	long idx, full, rd;

	tq_setup(&t, 8, features);
	tq_publish(&t, &rl, 1, NULL, 0, 8);
	tq_pop_expect(&t, &c, 1);
	log_start();
	ck_assert_rc(virtq_push(&t.q, &c, 0, &(bool){0}), 0);
	log_stop();
	idx = find(0, VIRTQ_SHM_STORE, VIRTQ_SHM_USED_IDX);
	full = find(idx, VIRTQ_SHM_FENCE, VIRTQ_SHM_FENCE_FULL);
	rd = find(0, VIRTQ_SHM_LOAD, wish);
	ck_assert(idx >= 0 && idx < full && full < rd);
	/* The field that must be disregarded is not even read (UNS-6, UNS-9). */
	ck_assert_int_eq(find(0, VIRTQ_SHM_LOAD, wish == VIRTQ_SHM_USED_EVENT ? VIRTQ_SHM_AVAIL_FLAGS
										: VIRTQ_SHM_USED_EVENT),
			 -1);
	tq_teardown(&t);
}

START_TEST(full_fence_between_used_idx_and_used_event_f1)
{
	check_f1(F_EVENT_IDX, VIRTQ_SHM_USED_EVENT);
}
END_TEST

START_TEST(full_fence_between_used_idx_and_avail_flags_f1)
{
	check_f1(0, VIRTQ_SHM_AVAIL_FLAGS);
}
END_TEST

static void check_f2(uint64_t features, enum virtq_shm_what enable)
{
	struct tq t;
	long st, full, idx;

	tq_setup(&t, 8, features);
	ck_assert_rc(virtq_disable_kicks(&t.q), 0);
	log_start();
	ck_assert_rc(virtq_enable_kicks(&t.q), 0);
	log_stop();
	st = find(0, VIRTQ_SHM_STORE, enable);
	full = find(st, VIRTQ_SHM_FENCE, VIRTQ_SHM_FENCE_FULL);
	idx = find(full, VIRTQ_SHM_LOAD, VIRTQ_SHM_AVAIL_IDX);
	ck_assert(st >= 0 && st < full && full < idx);
	tq_teardown(&t);
}

START_TEST(full_fence_after_reenabling_kicks_then_reread_f2)
{
	check_f2(0, VIRTQ_SHM_USED_FLAGS);
	check_f2(F_EVENT_IDX, VIRTQ_SHM_AVAIL_EVENT);
}
END_TEST

/* The racing driver: whenever a descriptor is fetched, trash the ones before it. */
static struct tq *race_t;
static uint16_t race_prev[8];
static unsigned race_n;

static void race(void *opaque, enum virtq_shm_op op, enum virtq_shm_what what, const void *addr,
		 size_t size)
{
	uint64_t gpa;

	(void)opaque;
	(void)size;
	if (op != VIRTQ_SHM_LOAD || what != VIRTQ_SHM_DESC)
		return;
	for (unsigned i = 0; i < race_n; i++)
		vg_drv_write_desc(race_t->drv, race_prev[i], UINT64_MAX - 1, 0xFFFFFFFFu,
				  VG_DESC_F_NEXT | VG_DESC_F_INDIRECT, race_prev[i]);
	ck_assert_uint_lt(race_n, sizeof(race_prev) / sizeof(race_prev[0]));
	ck_assert(vg_mem_gpa_of(&race_t->mem, addr, &gpa));
	race_prev[race_n++] = (uint16_t)((gpa - race_t->drv->desc) / VG_DESC_SIZE);
}

START_TEST(racing_driver_cannot_change_what_was_checked)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_seg rs[8], ws[8];
	struct virtq_iov rd, wr;
	const uint32_t rl[2] = {8, 16}, wl[2] = {24, 32};

	tq_setup(&t, 8, F_INDIRECT);
	tq_publish(&t, rl, 2, wl, 2, 8);
	race_t = &t;
	race_n = 0;
	virtq_shm_set_hook(race, NULL);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 8);
	virtq_iov_init(&wr, ws, 8);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	log_stop();
	/* The chain served is the one published, not a mix with the rewrites. */
	ck_assert_uint_eq(race_n, 4);
	ck_assert_uint_eq(rd.n, 2);
	ck_assert_uint_eq(wr.n, 2);
	ck_assert_uint_eq(rd.bytes, 24);
	ck_assert_uint_eq(wr.bytes, 56);
	ck_assert_uint_eq(rs[1].len, 16);
	ck_assert_uint_eq(ws[1].len, 32);
	tq_teardown(&t);
}
END_TEST

START_TEST(device_writes_only_used_ring_and_writable_buffers)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_seg rs[8], ws[8];
	struct virtq_iov rd, wr;
	const uint32_t rl[2] = {8, 16}, wl[2] = {24, 32};
	unsigned char buf[64] = {0};
	const unsigned char *used_lo, *used_hi;

	tq_setup(&t, 8, F_INDIRECT | F_EVENT_IDX);
	tq_publish(&t, rl, 2, wl, 2, 1);
	log_start();
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 8);
	virtq_iov_init(&wr, ws, 8);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	ck_assert_uint_eq(virtq_iov_read(&rd, buf, 64), 24);
	ck_assert_uint_eq(virtq_iov_write(&wr, buf, 64), 56);
	ck_assert_rc(virtq_push(&t.q, &c, 56, &(bool){0}), 0);
	ck_assert_rc(virtq_enable_kicks(&t.q), 0);
	log_stop();
	used_lo = vg_mem_hva(&t.mem, t.drv->used);
	used_hi = used_lo + vg_used_bytes(8);
	for (size_t i = 0; i < nlog; i++) {
		const unsigned char *a = log_[i].addr;

		if (log_[i].op == VIRTQ_SHM_STORE) {
			ck_assert(a >= used_lo && a + log_[i].size <= used_hi);
		} else if (log_[i].op == VIRTQ_SHM_COPY_TO) {
			bool in_writable = false;

			for (uint32_t k = 0; k < wr.n; k++)
				in_writable |= a >= (unsigned char *)ws[k].addr &&
					       a + log_[i].size <= (unsigned char *)ws[k].addr + ws[k].len;
			ck_assert(in_writable);
		} else if (log_[i].op == VIRTQ_SHM_COPY_FROM) {
			/* SPLIT-DESC-3: writable buffers are not read. */
			for (uint32_t k = 0; k < wr.n; k++)
				ck_assert(a + log_[i].size <= (unsigned char *)ws[k].addr ||
					  a >= (unsigned char *)ws[k].addr + ws[k].len);
		}
	}
	tq_teardown(&t);
}
END_TEST

static Suite *seam_suite(void)
{
	Suite *s = suite_create("seam");
	TCase *tc = tcase_create("access");

	tcase_add_test(tc, every_descriptor_and_ring_entry_is_fetched_once);
	tcase_add_test(tc, avail_idx_is_acquired_before_ring_and_descriptors_r1);
	tcase_add_test(tc, used_entries_then_release_then_used_idx_w1);
	tcase_add_test(tc, push_at_full_used_ring_publishes_pending_entries_first);
	tcase_add_test(tc, full_fence_between_used_idx_and_used_event_f1);
	tcase_add_test(tc, full_fence_between_used_idx_and_avail_flags_f1);
	tcase_add_test(tc, full_fence_after_reenabling_kicks_then_reread_f2);
	tcase_add_test(tc, racing_driver_cannot_change_what_was_checked);
	tcase_add_test(tc, device_writes_only_used_ring_and_writable_buffers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(seam_suite());
	int failed, run;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	run = srunner_ntests_run(sr);
	srunner_free(sr);
	return failed == 0 && run > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
