/* SPDX-License-Identifier: MIT */
/* Pop and return: batches, order, double returns, len cap, reset, restore. */
#include <string.h>

#include "unit.h"

static const uint32_t W64 = 64, R16 = 16;

START_TEST(empty_ring_pops_nothing)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 8, 0);
	tq_pop_expect(&t, &c, 0);
	tq_pop_expect(&t, &c, 0);
	ck_assert_uint_eq(virtq_inflight(&t.q), 0);
	tq_teardown(&t);
}
END_TEST

START_TEST(pop_returns_published_heads_in_avail_order)
{
	struct tq t;
	struct virtq_chain c;
	int h[3];

	tq_setup(&t, 8, 0);
	for (int i = 0; i < 3; i++)
		h[i] = tq_publish(&t, &R16, 1, NULL, 0, 1);
	for (int i = 0; i < 3; i++) {
		tq_pop_expect(&t, &c, 1);
		ck_assert_uint_eq(virtq_chain_head(&c), h[i]);
		ck_assert_rc(virtq_fill(&t.q, &c, 0), 0);
	}
	tq_pop_expect(&t, &c, 0);
	ck_assert_uint_eq(virtq_last_avail(&t.q), 3);
	tq_teardown(&t);
}
END_TEST

START_TEST(batched_fill_publishes_with_one_idx_store)
{
	struct tq t;
	struct virtq_chain c[4];
	uint32_t id, len;

	tq_setup(&t, 8, 0);
	for (int i = 0; i < 4; i++)
		tq_publish(&t, NULL, 0, &W64, 1, 1);
	for (int i = 0; i < 4; i++) {
		tq_pop_expect(&t, &c[i], 1);
		uint64_t r, w;
		unsigned n;
		ck_assert_rc(tq_walk(&c[i], &r, &w, &n), 0);
	}
	for (int i = 0; i < 4; i++)
		ck_assert_rc(virtq_fill(&t.q, &c[i], 10 + i), 0);
	/* Nothing visible to the driver before the flush. */
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 0);
	ck_assert_rc(virtq_flush(&t.q), 0);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 4);
	ck_assert_uint_eq(virtq_used_idx(&t.q), 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
		ck_assert_uint_eq(id, virtq_chain_head(&c[i]));
		ck_assert_uint_eq(len, 10 + i);
	}
	ck_assert_rc(virtq_flush(&t.q), 0); /* empty flush is a no-op */
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 4);
	tq_teardown(&t);
}
END_TEST

START_TEST(chains_can_be_returned_out_of_order)
{
	struct tq t;
	struct virtq_chain c[3];
	uint32_t id, len;
	const int order[3] = {2, 0, 1};

	tq_setup(&t, 4, 0);
	for (int i = 0; i < 3; i++) {
		tq_publish(&t, &R16, 1, NULL, 0, 1);
		tq_pop_expect(&t, &c[i], 1);
	}
	for (int i = 0; i < 3; i++)
		ck_assert_rc(virtq_push(&t.q, &c[order[i]], 0, NULL), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
		ck_assert_uint_eq(id, virtq_chain_head(&c[order[i]]));
		ck_assert_uint_eq(len, 0); /* read-only chain: nothing written */
	}
	tq_teardown(&t);
}
END_TEST

START_TEST(second_return_of_a_chain_is_refused)
{
	struct tq t;
	struct virtq_chain c, copy;

	tq_setup(&t, 4, 0);
	tq_publish(&t, &R16, 1, NULL, 0, 1);
	tq_pop_expect(&t, &c, 1);
	copy = c;
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	bool notify = true;
	ck_assert_rc(virtq_push(&t.q, &c, 0, &notify), VIRTQ_E_NOT_IN_FLIGHT);
	ck_assert(!notify); /* a refused return never asks for an interrupt */
	/* Even a stale copy of the chain cannot return the head again. */
	ck_assert_rc(virtq_push(&t.q, &copy, 0, NULL), VIRTQ_E_NOT_IN_FLIGHT);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 1);
	tq_teardown(&t);
}
END_TEST

START_TEST(chain_of_another_queue_is_refused)
{
	struct tq t, u;
	struct virtq_chain c;

	tq_setup(&t, 4, 0);
	tq_setup(&u, 4, 0);
	tq_publish(&t, &R16, 1, NULL, 0, 1);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_push(&u.q, &c, 0, NULL), VIRTQ_E_INVAL);
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	tq_teardown(&u);
	tq_teardown(&t);
}
END_TEST

/*
 * Storage handed to virtq_init() may hold anything (a queue re-initialised
 * smaller, or never cleared): every head below the size starts out of
 * flight, and a chain object whose head is at or past the size (its caller
 * overwrote it) is refused, never looked up past the in-flight map's live
 * part, where the old bytes still say "in flight".
 */
START_TEST(queue_initialised_over_garbage_tracks_exactly_its_heads)
{
	struct virtq_queue_config cfg;
	struct virtq_chain c[8], copy;
	int last = -1;
	struct tq t;

	tq_setup(&t, 8, 0);
	memset(&t.q, 0xa5, sizeof(t.q));
	cfg = tq_config(&t);
	ck_assert_rc(virtq_init(&t.q, &cfg), 0);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_int_ge(tq_publish(&t, &R16, 1, NULL, 0, 1), 0);
	for (unsigned i = 0; i < 8; i++) {
		tq_pop_expect(&t, &c[i], 1); /* head 7, the last below the size, included */
		if (virtq_chain_head(&c[i]) == 7)
			last = (int)i;
	}
	ck_assert_int_ge(last, 0);
	ck_assert_uint_eq(virtq_inflight(&t.q), 8);
	copy = c[last];
	copy.head = 8; /* the first past the size */
	ck_assert_rc(virtq_fill(&t.q, &copy, 0), VIRTQ_E_NOT_IN_FLIGHT);
	copy.head = UINT16_MAX;
	ck_assert_rc(virtq_fill(&t.q, &copy, 0), VIRTQ_E_NOT_IN_FLIGHT);
	ck_assert_uint_eq(virtq_inflight(&t.q), 8);
	ck_assert_rc(virtq_fill(&t.q, &c[last], 0), 0);
	ck_assert_rc(virtq_flush(&t.q), 0);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 1);
	ck_assert_uint_eq(virtq_inflight(&t.q), 7);
	tq_teardown(&t);
}
END_TEST

START_TEST(used_len_is_capped_to_writable_bytes_walked)
{
	struct tq t;
	struct virtq_chain c;
	uint32_t id, len;
	const uint32_t w[2] = {100, 28};

	tq_setup(&t, 4, 0);
	/* Walked fully: cap is the whole writable capacity. */
	tq_publish(&t, &R16, 1, w, 2, 3);
	tq_pop_expect(&t, &c, 1);
	uint64_t r, wr;
	unsigned n;
	ck_assert_rc(tq_walk(&c, &r, &wr, &n), 0);
	ck_assert_uint_eq(wr, 128);
	ck_assert_rc(virtq_push(&t.q, &c, 0xFFFFFFFFu, NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 128);
	/* Not walked: nothing yielded for writing, so nothing can be claimed. */
	tq_publish(&t, &R16, 1, w, 2, 3);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_push(&t.q, &c, 50, NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 0);
	/* Under-reporting is allowed (SPLIT-USED-7) and passed through. */
	tq_publish(&t, NULL, 0, w, 2, 3);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(tq_walk(&c, &r, &wr, &n), 0);
	ck_assert_rc(virtq_push(&t.q, &c, 7, NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 7);
	tq_teardown(&t);
}
END_TEST

START_TEST(reset_forgets_everything_and_touches_no_memory)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 8, 0);
	tq_publish(&t, &R16, 1, NULL, 0, 1);
	tq_publish(&t, &R16, 1, NULL, 0, 1);
	tq_pop_expect(&t, &c, 1);
	ck_assert_uint_eq(virtq_inflight(&t.q), 1);
	virtq_reset(&t.q);
	ck_assert_uint_eq(virtq_inflight(&t.q), 0);
	ck_assert_uint_eq(virtq_last_avail(&t.q), 0);
	ck_assert_uint_eq(virtq_used_idx(&t.q), 0);
	/* The pre-reset chain cannot be returned into the new queue state. */
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), VIRTQ_E_STALE_CHAIN);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 0);
	/* After reset the device starts again at avail slot 0 (VQ-RST-2). */
	tq_pop_expect(&t, &c, 1);
	tq_pop_expect(&t, &c, 1);
	tq_pop_expect(&t, &c, 0);
	tq_teardown(&t);
}
END_TEST

/* Head 0 as a 64-byte writable buffer, popped; the queue is reset or restored; head 0 again, read-only. */
static void reposted_head(struct tq *t, bool restore, struct virtq_chain *old, struct virtq_chain *now)
{
	static const uint32_t w64 = 64, r8 = 8;

	ck_assert_int_eq(tq_publish(t, NULL, 0, &w64, 1, 1), 0);
	tq_pop_expect(t, old, 1);
	if (restore)
		ck_assert_rc(virtq_restore(&t->q, 0, 0), 0);
	else
		virtq_reset(&t->q);
	vg_drv_restart(t->drv, false);
	ck_assert_int_eq(tq_publish(t, &r8, 1, NULL, 0, 1), 0);
	tq_pop_expect(t, now, 1);
	ck_assert_uint_eq(virtq_chain_head(now), virtq_chain_head(old));
}

/*
 * A device completing a request after a reset (async back-ends do) must not
 * publish the old chain's writable length for the new, read-only chain at the
 * same head, nor make the new chain unreturnable.
 */
static void stale_chain_is_refused(bool restore)
{
	struct tq t;
	struct virtq_chain old, now;
	uint64_t r, w;
	unsigned n;
	uint32_t id, len;

	tq_setup(&t, 8, 0);
	memset(&old, 0xa5, sizeof(old)); /* the walk state pop leaves unset must stay unread */
	reposted_head(&t, restore, &old, &now);
	ck_assert_rc(virtq_chain_collect(&old, NULL, NULL), VIRTQ_E_STALE_CHAIN);
	ck_assert_uint_eq(virtq_chain_descriptors(&old), 0); /* never walked */
	ck_assert_rc(virtq_push(&t.q, &old, 64, NULL), VIRTQ_E_STALE_CHAIN);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 0); /* nothing published */
	ck_assert_rc(tq_walk(&now, &r, &w, &n), 0);
	ck_assert_rc(virtq_push(&t.q, &now, 64, NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 0); /* read-only: nothing written (SPLIT-USED-3) */
	tq_teardown(&t);
}

START_TEST(chain_from_before_reset_is_refused_though_its_head_is_in_flight_again)
{
	stale_chain_is_refused(false);
}
END_TEST

START_TEST(chain_from_before_restore_is_refused_though_its_head_is_in_flight_again)
{
	stale_chain_is_refused(true);
}
END_TEST

/* Move region 0 (rings and buffers) to a new host mapping; @cm2 maps the new one. */
static void remap(struct tq *t, struct core_mem *cm2)
{
	ck_assert_int_eq(vg_mem_move(&t->mem, 0), 0);
	core_mem_sync(cm2, &t->mem);
}

START_TEST(set_mem_drops_every_cached_translation)
{
	struct tq t;
	struct core_mem cm2;
	struct virtq_chain c;
	struct virtq_seg s;
	uint64_t gpa;
	int head;

	tq_setup(&t, 8, 0);
	tq_publish(&t, &R16, 1, NULL, 0, 1);
	head = tq_publish(&t, &R16, 1, NULL, 0, 1);
	tq_pop_expect(&t, &c, 1);
	ck_assert_int_eq(virtq_chain_next(&c, &s), 1); /* a translation cached in the old map */
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	remap(&t, &cm2); /* the old device view is now inaccessible */
	ck_assert_rc(virtq_set_mem(&t.q, &cm2.mem), 0);
	tq_pop_expect(&t, &c, 1); /* the rings are read through the new mapping */
	ck_assert_int_eq(virtq_chain_head(&c), head);
	ck_assert_int_eq(virtq_chain_next(&c, &s), 1);
	ck_assert(vg_mem_gpa_of(&t.mem, s.addr, &gpa)); /* in the live map, not the retired one */
	ck_assert_uint_eq(gpa, vg_drv_bufs(t.drv, (uint16_t)head, &(unsigned){0})[0].gpa);
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 2);
	tq_teardown(&t);
}
END_TEST

START_TEST(chain_walked_across_set_mem_stops_and_is_still_returned)
{
	static const uint32_t r2[2] = {16, 16};
	struct tq t;
	struct core_mem cm2;
	struct virtq_chain c;
	struct virtq_seg s;
	uint32_t id, len;

	tq_setup(&t, 8, 0);
	tq_publish(&t, r2, 2, NULL, 0, 2);
	tq_pop_expect(&t, &c, 1);
	ck_assert_int_eq(virtq_chain_next(&c, &s), 1);
	remap(&t, &cm2);
	ck_assert_rc(virtq_set_mem(&t.q, &cm2.mem), 0);
	ck_assert_rc(virtq_chain_next(&c, &s), VIRTQ_E_MEM_CHANGED);
	ck_assert_rc(virtq_push(&t.q, &c, 100, NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 0);
	tq_teardown(&t);
}
END_TEST

START_TEST(set_mem_without_the_rings_leaves_the_queue_unusable_until_init)
{
	struct tq t;
	struct core_mem other;
	struct virtq_mem_region elsewhere = {0x40000000u, 4096, NULL};
	struct virtq_chain c;
	struct virtq_queue_config cfg;
	static unsigned char page[4096];

	tq_setup(&t, 8, 0);
	elsewhere.hva = page;
	ck_assert_rc(virtq_set_mem(&t.q, NULL), VIRTQ_E_INVAL);
	ck_assert_rc(virtq_mem_init(&other.mem, &elsewhere, 1), 0);
	ck_assert_rc(virtq_set_mem(&t.q, &other.mem), VIRTQ_E_RING_RANGE);
	tq_pop_expect(&t, &c, VIRTQ_E_BROKEN);
	ck_assert_rc(virtq_broken(&t.q), VIRTQ_E_RING_RANGE);
	virtq_reset(&t.q); /* a reset does not bring back a map it dropped */
	tq_pop_expect(&t, &c, VIRTQ_E_BROKEN);
	ck_assert_rc(virtq_set_mem(&t.q, &t.cm.mem), VIRTQ_E_INVAL);
	cfg = tq_config(&t);
	ck_assert_rc(virtq_init(&t.q, &cfg), 0);
	tq_pop_expect(&t, &c, 0);
	tq_teardown(&t);
}
END_TEST

START_TEST(restore_resumes_at_saved_indices)
{
	struct tq t;
	struct virtq_chain c;
	int heads[6];
	uint32_t id, len;
	bool notify;

	tq_setup(&t, 8, F_EVENT_IDX);
	for (int i = 0; i < 6; i++)
		heads[i] = tq_publish(&t, &R16, 1, NULL, 0, 1);
	for (int i = 0; i < 4; i++) {
		tq_pop_expect(&t, &c, 1);
		if (i < 2)
			ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	}
	/* Saved: last_avail 4, used 2; heads[2], heads[3] in flight. */
	ck_assert_uint_eq(virtq_last_avail(&t.q), 4);
	ck_assert_uint_eq(virtq_used_idx(&t.q), 2);
	virtq_reset(&t.q);
	ck_assert_rc(virtq_restore(&t.q, 4, 2), 0);
	ck_assert_rc(virtq_reopen(&t.q, heads[3], &c), 1);
	ck_assert_rc(virtq_reopen(&t.q, heads[3], &c), VIRTQ_E_HEAD_IN_USE);
	ck_assert_rc(virtq_reopen(&t.q, 8, &c), VIRTQ_E_HEAD_RANGE);
	/* used_event far away, yet the first decision after restore notifies. */
	vg_drv_set_used_event(t.drv, 100);
	ck_assert_rc(virtq_push(&t.q, &c, 0, &notify), 0);
	ck_assert(notify);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(id, heads[3]);
	tq_pop_expect(&t, &c, 1);
	ck_assert_uint_eq(virtq_chain_head(&c), heads[4]);
	ck_assert_rc(virtq_push(&t.q, &c, 0, &notify), 0);
	ck_assert(!notify); /* window judged normally again */
	tq_teardown(&t);
}
END_TEST

START_TEST(restore_rejects_impossible_indices)
{
	struct tq t;

	tq_setup(&t, 8, 0);
	ck_assert_rc(virtq_restore(&t.q, 9, 0), VIRTQ_E_RESTORE);
	{
		static struct virtq_queue bad;
		struct virtq_queue_config c = tq_config(&t);

		c.size = 3;
		ck_assert_rc(virtq_init(&bad, &c), VIRTQ_E_QUEUE_SIZE);
		ck_assert_rc(virtq_restore(&bad, 0, 0), VIRTQ_E_INVAL); /* never set up */
		virtq_reset(&bad);
		ck_assert_rc(virtq_broken(&bad), VIRTQ_E_INVAL); /* reset cannot revive it */
	}
	ck_assert_rc(virtq_restore(&t.q, 0, 1), VIRTQ_E_RESTORE); /* used ahead of avail */
	ck_assert_rc(virtq_restore(&t.q, 8, 0), 0);
	ck_assert_rc(virtq_restore(&t.q, 3, 0xFFFD), 0); /* across the wrap: 6 apart */
	ck_assert_uint_eq(virtq_last_avail(&t.q), 3);
	ck_assert_uint_eq(virtq_used_idx(&t.q), 0xFFFD);
	tq_teardown(&t);
}
END_TEST

START_TEST(queue_sizes_1_2_256_serve_full_rings)
{
	const uint32_t sizes[] = {1, 2, 256};

	for (size_t k = 0; k < 3; k++) {
		struct tq t;
		static struct virtq_chain c[256];
		uint32_t id, len;

		tq_setup(&t, sizes[k], 0);
		for (int round = 0; round < 3; round++) {
			/* Fill the ring completely: avail idx - last_avail == size (SPLIT-AV-6). */
			for (uint32_t i = 0; i < sizes[k]; i++)
				tq_publish(&t, NULL, 0, &W64, 1, 1);
			for (uint32_t i = 0; i < sizes[k]; i++)
				tq_pop_expect(&t, &c[i], 1);
			tq_pop_expect(&t, &c[0], 0);
			ck_assert_uint_eq(virtq_inflight(&t.q), sizes[k]);
			for (uint32_t i = 0; i < sizes[k]; i++) {
				uint64_t r, w;
				unsigned n;
				ck_assert_rc(tq_walk(&c[i], &r, &w, &n), 0);
				ck_assert_rc(virtq_fill(&t.q, &c[i], i % 65), 0);
			}
			ck_assert_rc(virtq_flush(&t.q), 0);
			for (uint32_t i = 0; i < sizes[k]; i++) {
				ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
				ck_assert_uint_eq(id, virtq_chain_head(&c[i]));
				ck_assert_uint_eq(len, i % 65);
			}
		}
		tq_teardown(&t);
	}
}
END_TEST

Suite *queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("pop_push");

	tcase_add_test(tc, empty_ring_pops_nothing);
	tcase_add_test(tc, pop_returns_published_heads_in_avail_order);
	tcase_add_test(tc, batched_fill_publishes_with_one_idx_store);
	tcase_add_test(tc, chains_can_be_returned_out_of_order);
	tcase_add_test(tc, second_return_of_a_chain_is_refused);
	tcase_add_test(tc, queue_initialised_over_garbage_tracks_exactly_its_heads);
	tcase_add_test(tc, chain_of_another_queue_is_refused);
	tcase_add_test(tc, used_len_is_capped_to_writable_bytes_walked);
	tcase_add_test(tc, reset_forgets_everything_and_touches_no_memory);
	tcase_add_test(tc, chain_from_before_reset_is_refused_though_its_head_is_in_flight_again);
	tcase_add_test(tc, chain_from_before_restore_is_refused_though_its_head_is_in_flight_again);
	tcase_add_test(tc, set_mem_drops_every_cached_translation);
	tcase_add_test(tc, chain_walked_across_set_mem_stops_and_is_still_returned);
	tcase_add_test(tc, set_mem_without_the_rings_leaves_the_queue_unusable_until_init);
	tcase_add_test(tc, restore_resumes_at_saved_indices);
	tcase_add_test(tc, restore_rejects_impossible_indices);
	tcase_add_test(tc, queue_sizes_1_2_256_serve_full_rings);
	suite_add_tcase(s, tc);
	return s;
}
