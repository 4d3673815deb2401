/* SPDX-License-Identifier: MIT */
/*
 * The guest's event rule against the spec's own statements: the worked cases
 * of the clause catalogue §4.1, the slot-by-slot reading, and the spec
 * appendix's formula (written out here from virtio-queue.h, not taken from
 * any implementation), over every window.
 */
#include "guest.h"

#include "vguest/event.h"

/* virtio-queue.h (spec appendix), vring_need_event, transcribed. */
static int appendix(uint16_t event_idx, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

START_TEST(worked_cases_of_the_catalogue)
{
	static const struct {
		uint16_t e, n, o;
		bool want;
	} c[] = {
		{0, 1, 0, true},           {5, 8, 3, true},           {3, 8, 3, true},
		{7, 8, 3, true},           {2, 8, 3, false},          {8, 8, 3, false},
		{0xFFFF, 0x0001, 0xFFFE, true}, {0x0000, 0x0002, 0xFFFE, true},
		{0xFFFD, 0x0002, 0xFFFE, false}, {9, 9, 9, false},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ck_assert_msg(vg_event_in_window(c[i].e, c[i].n, c[i].o) == c[i].want, "case %zu", i);
		ck_assert_msg(vg_event_in_window_slots(c[i].e, c[i].n, c[i].o) == c[i].want, "slots %zu", i);
	}
}
END_TEST

/* Window edges from both sides: the first slot, the last slot, one before, one after. */
START_TEST(window_edges_from_both_sides)
{
	for (uint32_t o = 0; o < 65536; o += 4099) {
		for (uint32_t len = 1; len < 65536; len = len * 3 + 1) {
			uint16_t n = (uint16_t)(o + len);

			ck_assert(vg_event_in_window((uint16_t)o, n, (uint16_t)o));
			ck_assert(vg_event_in_window((uint16_t)(n - 1), n, (uint16_t)o));
			ck_assert(!vg_event_in_window((uint16_t)(o - 1), n, (uint16_t)o));
			ck_assert(!vg_event_in_window(n, n, (uint16_t)o));
		}
	}
}
END_TEST

/* Every event against short windows from a spread of starts, and a spread of events for long ones. */
START_TEST(agrees_with_the_appendix_and_the_slots_everywhere)
{
	unsigned long bad = 0;

	for (uint32_t o = 0; o < 65536; o += 8191) {
		for (uint32_t len = 0; len < 300; len++) {
			uint16_t n = (uint16_t)(o + len);

			for (uint32_t e = 0; e < 65536; e += (len < 24 ? 7 : 251)) {
				bool w = vg_event_in_window((uint16_t)e, n, (uint16_t)o);

				bad += w != (appendix((uint16_t)e, n, (uint16_t)o) != 0);
				if (len < 24)
					bad += w != vg_event_in_window_slots((uint16_t)e, n, (uint16_t)o);
			}
		}
	}
	ck_assert_uint_eq(bad, 0);
}
END_TEST

Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *t = tcase_create("event");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, worked_cases_of_the_catalogue);
	tcase_add_test(t, window_edges_from_both_sides);
	tcase_add_test(t, agrees_with_the_appendix_and_the_slots_everywhere);
	suite_add_tcase(s, t);
	return s;
}
