/* SPDX-License-Identifier: MIT */
/*
 * The notification oracle: coalescing-tolerant, as catalogue section 4.4 has
 * it.  A publish window is the used idx moving o -> n between two decisions;
 * a notification is required if (EVENT_IDX) used_event is one of the slots of
 * the window, or (without) avail flags has NO_INTERRUPT clear.  A missed
 * required notification fails (SPLIT-UNS-8 / UNS-10 / EVT-WIN-2), an extra
 * one warns with a count (SPLIT-UNS-7 / UNS-11), one extra after start or
 * reset is tolerated, and an extra one immediately followed by a missed one
 * is a single misplaced notification (SPLIT-UNS-10).  The window rule is the
 * guest's own (vguest/event.h), never the implementation's.
 */
#include <string.h>

#include "cq.h"
#include "vguest/event.h"

void cq_oracle_reset(struct cq *c)
{
	memset(&c->or, 0, sizeof(c->or));
	c->or.first = true;
	c->or.nev = c->or.nfl = 1; /* both fields start at 0 */
}

static void note_value(uint16_t *set, unsigned *n, uint16_t v)
{
	for (unsigned i = 0; i < *n; i++)
		if (set[i] == v)
			return;
	if (*n < 4)
		set[(*n)++] = v;
	else
		set[3] = v; /* many changes in one window: keep the latest ones */
}

/*
 * A field changed before anything was published in the current window is
 * what every publish of the window sees: the window stays determinate.
 * Changed after, the window is judged under every value it saw (catalogue
 * section 4.4: required only if required under all, extra only if under none).
 */
void cq_set_flags(struct cq *c, uint16_t v)
{
	vg_drv_set_avail_flags(c->drv, v);
	if (c->or.w == 0 && c->in_flight == 0) {
		c->or.fl[0] = v;
		c->or.nfl = 1;
	} else {
		note_value(c->or.fl, &c->or.nfl, v);
	}
}

void cq_set_used_event(struct cq *c, uint16_t v)
{
	vg_drv_set_used_event(c->drv, v);
	if (c->or.w == 0 && c->in_flight == 0) {
		c->or.ev[0] = v;
		c->or.nev = 1;
	} else {
		note_value(c->or.ev, &c->or.nev, v);
	}
}

static bool has_evt(const struct cq *c) { return (c->features & F_EVT) != 0; }

/* A provisional extra notification becomes a counted one. */
void cq_oracle_finish(struct cq *c)
{
	if (!c->or.prov)
		return;
	c->or.prov = false;
	c->or.extras++;
	vqc_find(VQC_WARN, c->or.extra_clause ? c->or.extra_clause : has_evt(c) ? "SPLIT-UNS-11" : "SPLIT-UNS-7",
		 "extra-notification", "no notification", "notification",
		 "notified at used idx %u although %s did not ask for it", c->or.prov_at,
		 has_evt(c) ? "used_event" : "avail flags (NO_INTERRUPT set)");
}

/* Whether every / any value the window saw requires a notification. */
static void requirement(const struct cq *c, uint16_t n, bool *all, bool *any)
{
	const struct cq_oracle *o = &c->or;
	uint64_t w = o->w;

	*all = true;
	*any = false;
	if (has_evt(c)) {
		for (unsigned i = 0; i < o->nev; i++) {
			bool r = w >= 65536 || (w > 0 && vg_event_in_window(o->ev[i], n, o->o));

			*all &= r;
			*any |= r;
		}
		return;
	}
	for (unsigned i = 0; i < o->nfl; i++) {
		bool r = w > 0 && !(o->fl[i] & VG_AVAIL_F_NO_INTERRUPT);

		*all &= r;
		*any |= r;
	}
}

/* Nothing was published since the last decision: no window, so a notification is spurious at most. */
static void spurious(struct cq *c)
{
	c->or.extras++;
	if (has_evt(c) || (vg_drv_avail_flags(c->drv) & VG_AVAIL_F_NO_INTERRUPT))
		vqc_find(VQC_WARN, has_evt(c) ? "SPLIT-UNS-11" : "SPLIT-UNS-7", "notification-without-entries",
			 "no notification", "notification",
			 "notified with nothing published since the previous decision");
	else
		vqc_find(VQC_INFO, "SPLIT-UNS-8", "notification-without-entries", NULL, NULL,
			 "notified with nothing published (spurious; allowed)");
}

static void missed(struct cq *c, uint16_t n)
{
	struct cq_oracle *o = &c->or;
	const char *cl;

	o->misses++;
	if (o->prov && has_evt(c)) {
		o->prov = false;
		vqc_find(VQC_FAIL, o->miss_clause ? o->miss_clause : "SPLIT-UNS-10", "misplaced-notification",
			 vqc_s("notification when slot %u is filled (window [%u,%u))", o->ev[0], o->o, n),
			 vqc_s("notification one decision early, at used idx %u", o->prov_at),
			 "notified before used_event's slot was filled, then not when it was "
			 "(need_event window off by one)");
		return;
	}
	cl = o->miss_clause ? o->miss_clause : !has_evt(c) ? "SPLIT-UNS-8" : o->w >= 65536 ? "EVT-WIN-2"
												 : "SPLIT-UNS-10";
	cq_oracle_finish(c);
	if (has_evt(c))
		vqc_find(VQC_FAIL, cl, "missed-notification", "notification", "none",
			 "no notification although used_event %u lies in the published window [%u,%u) "
			 "(%llu published)", o->ev[0], o->o, n, (unsigned long long)o->w);
	else
		vqc_find(VQC_FAIL, cl, "missed-notification", "notification", "none",
			 "no notification although avail flags was 0x%x with entries published in [%u,%u) "
			 "(%llu)", o->fl[0], o->o, n, (unsigned long long)o->w);
}

/* An unneeded notification: tolerated once after start or reset, else provisional. */
static void unneeded(struct cq *c, uint16_t n)
{
	struct cq_oracle *o = &c->or;

	if (o->first) {
		o->tolerated++;
		vqc_find(VQC_INFO, has_evt(c) ? "SPLIT-UNS-11" : "SPLIT-UNS-7", "start-notification", NULL, NULL,
			 "one unrequested notification after start or reset (tolerated)");
	} else {
		o->prov = true;
		o->prov_at = n;
	}
}

void cq_oracle_decide(struct cq *c, bool notified)
{
	struct cq_oracle *o = &c->or;
	uint16_t n = cq_mem_used_idx(c);
	bool req_all, req_any;

	o->decisions++;
	requirement(c, n, &req_all, &req_any);
	o->last_req = req_all;
	o->last_notified = notified;
	if (o->w == 0) {
		if (notified)
			spurious(c);
	} else {
		if (req_all) {
			o->required++;
			if (o->nreq_log < 8) {
				o->req_log[o->nreq_log].at = n;
				o->req_log[o->nreq_log++].notified = notified;
			}
		}
		if (notified)
			o->notified++;
		if (req_all && !notified) {
			missed(c, n);
		} else {
			cq_oracle_finish(c);
			if (notified && !req_any)
				unneeded(c, n);
		}
		o->first = false;
	}
	o->o = n;
	o->w = 0;
	o->ev[0] = vg_drv_used_event(c->drv);
	o->nev = 1;
	o->fl[0] = vg_drv_avail_flags(c->drv);
	o->nfl = 1;
}
