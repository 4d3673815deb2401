/* SPDX-License-Identifier: MIT */
/* Buffers kept across fuzz inputs: what each user gets, and that ASan still sees its end. */
#include "guest.h"

#include <string.h>

#include "vguest/store.h"

#include "asan.h" /* the guest's own ASan detection (src/) */

START_TEST(zeroed_on_request_kept_otherwise)
{
	struct vg_store s = {0};
	unsigned char *p = vg_store_get(&s, 100, true);

	ck_assert_ptr_nonnull(p);
	for (unsigned i = 0; i < 100; i++)
		ck_assert_uint_eq(p[i], 0);
	memset(p, 0x5A, 100);
	p = vg_store_get(&s, 50, false); /* smaller: the same block, what the last user left */
	ck_assert_uint_eq(p[49], 0x5A);
	p = vg_store_get(&s, 50, true);
	ck_assert_uint_eq(p[0], 0);
	ck_assert_uint_eq(p[49], 0);
	vg_store_free(&s);
	ck_assert_ptr_null(s.p);
	ck_assert_uint_eq(s.cap, 0);
}
END_TEST

START_TEST(growth_keeps_the_contents_and_is_geometric)
{
	struct vg_store s = {0};
	unsigned char *p = vg_store_get(&s, 64, true);

	memset(p, 0x11, 64);
	p = vg_store_get(&s, 65, false); /* one more byte: twice the room, contents kept */
	ck_assert_uint_eq(s.cap, 128);
	ck_assert_uint_eq(p[63], 0x11);
	p = vg_store_get(&s, 1000, false); /* more than twice: exactly what was asked */
	ck_assert_uint_eq(s.cap, 1000);
	ck_assert_uint_eq(p[0], 0x11);
	vg_store_free(&s);
}
END_TEST

/* One object per input from the store's block; a second one alive at once gets memory of its own. */
START_TEST(lent_block_comes_back_and_a_second_borrower_gets_its_own)
{
	struct vg_store s = {0};
	unsigned char *a = vg_store_lend(&s, 300), *b;

	ck_assert_ptr_eq(a, s.p);
	b = vg_store_lend(&s, 300); /* the block is out: not handed twice */
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(b, a);
	memset(b, 1, 300);
	vg_store_return(&s, b);
	ck_assert_uint_eq(s.open, 300); /* still lent to the first */
	vg_store_return(&s, a);
	ck_assert_uint_eq(s.open, 0);
	ck_assert_ptr_eq(vg_store_lend(&s, 200), a); /* back: the same block, nothing allocated */
	vg_store_return(&s, a);
	vg_store_free(&s);
}
END_TEST

#ifdef VG_ASAN
/* Byte @p n of @p p is the first one poisoned: the user's part ends exactly there. */
static void assert_ends_at(const unsigned char *p, size_t n, size_t cap)
{
	ck_assert(!__asan_address_is_poisoned(p + n - 1));
	if (n < cap)
		ck_assert(__asan_address_is_poisoned(p + n));
}

START_TEST(under_asan_the_end_of_each_users_part_is_seen)
{
	struct vg_store s = {0};
	unsigned char *p = vg_store_get(&s, 4096, true);

	assert_ends_at(p, 4096, s.cap);
	p = vg_store_get(&s, 1, false); /* size 1 */
	assert_ends_at(p, 1, s.cap);
	p = vg_store_get(&s, 4095, true); /* one short of the block */
	assert_ends_at(p, 4095, s.cap);
	p = vg_store_get(&s, 4096, false); /* the whole block again: nothing poisoned */
	assert_ends_at(p, 4096, s.cap);
	vg_store_free(&s);
}
END_TEST
#endif

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *t = tcase_create("store");

	tcase_add_test(t, zeroed_on_request_kept_otherwise);
	tcase_add_test(t, growth_keeps_the_contents_and_is_geometric);
	tcase_add_test(t, lent_block_comes_back_and_a_second_borrower_gets_its_own);
#ifdef VG_ASAN
	tcase_add_test(t, under_asan_the_end_of_each_users_part_is_seen);
#endif
	suite_add_tcase(s, t);
	return s;
}
