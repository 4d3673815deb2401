/* SPDX-License-Identifier: MIT */
#include "unit.h"

void tq_setup(struct tq *t, uint32_t size, uint64_t features)
{
	struct virtq_queue_config cfg;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(virtq_arena_init(&t->arena, ARENA_GPA, ARENA_SIZE), 0);
	t->drv = virtq_fake_create(&t->arena, size, features);
	ck_assert_ptr_nonnull(t->drv);
	cfg = virtq_fake_config(t->drv);
	ck_assert_rc(virtq_init(&t->q, &cfg), 0);
}

void tq_teardown(struct tq *t)
{
	tq_assert_guards(t);
	virtq_fake_destroy(t->drv);
	virtq_arena_destroy(&t->arena);
}

void tq_assert_guards(struct tq *t)
{
	uint64_t bad = 0;

	ck_assert_msg(virtq_arena_check_guards(&t->arena, &bad), "guard byte damaged at gpa 0x%llx",
		      (unsigned long long)bad);
}

void tq_pop_expect(struct tq *t, struct virtq_chain *c, int expect)
{
	ck_assert_rc(virtq_pop(&t->q, c), expect);
}

int tq_publish(struct tq *t, const uint32_t *rl, unsigned nr, const uint32_t *wl, unsigned nw,
	       unsigned ndirect)
{
	struct virtq_fake_chain ch;
	unsigned char data[4096];
	int head;

	virtq_fake_chain_init(&ch);
	for (unsigned i = 0; i < nr; i++) {
		ck_assert_uint_le(rl[i], sizeof(data));
		for (uint32_t k = 0; k < rl[i]; k++)
			data[k] = (unsigned char)(i * 31 + k);
		virtq_fake_chain_readable(t->drv, &ch, data, rl[i]);
	}
	for (unsigned i = 0; i < nw; i++)
		virtq_fake_chain_writable(t->drv, &ch, wl[i]);
	head = virtq_fake_add(t->drv, &ch, ndirect, 0);
	ck_assert_int_ge(head, 0);
	virtq_fake_publish(t->drv);
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
