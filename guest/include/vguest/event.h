/* SPDX-License-Identifier: MIT */
/*
 * The event-index rule, from the spec's own wording (§2.7.7.2 for used_event,
 * §2.7.10.1 for avail_event; clause catalogue §4.1): "notify me once you
 * fill slot E".  The other side has filled the slots old, old+1, ..., new-1
 * (free-running 16-bit indices) since it last decided; it must notify iff E
 * is one of them.
 *
 * The guest's own statement of the rule: the offset of E from the first slot
 * of the window is smaller than the window's length.  (It is equivalent to
 * the spec appendix's vring_need_event; guest/tests checks the two agree for
 * every window, and with the slot-by-slot reading, without borrowing either
 * from an implementation under test.)
 */
#ifndef VGUEST_EVENT_H
#define VGUEST_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* Whether slot @event lies in [@old_idx, @new_idx) modulo 2^16. */
static inline bool vg_event_in_window(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(event - old_idx) < (uint16_t)(new_idx - old_idx);
}

/* The same, one slot at a time, as the spec words it (slow; for oracles that must not share arithmetic). */
static inline bool vg_event_in_window_slots(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	for (uint16_t s = old_idx; s != new_idx; s++)
		if (s == event)
			return true;
	return false;
}

#endif /* VGUEST_EVENT_H */
