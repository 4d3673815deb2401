/* SPDX-License-Identifier: MIT */
/*
 * notify: long publish sequences with arbitrary used_event, avail flags and
 * batch sizes, across the 16-bit wrap, EVENT_IDX on or off.  The driver only
 * changes flags and used_event between decisions (the quiescent rule of the
 * clause catalogue §4.4), so the oracle is exact:
 *   required = EVENT_IDX ? used_event is one of the slots published since the
 *              last decision : flags bit 0 clear and something was published.
 * A required notification that the device does not send aborts (SPLIT-UNS-8,
 * UNS-10).  An unneeded one is counted, not crashed on (UNS-7, UNS-11); the
 * one the device sends after a restore is counted as tolerated (§4.2 item 2).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "guest.h"
#include "targets.h"

enum { N_EVENT, N_FLAGS, N_PUBLISH, N_JUMP, N_DECIDE };

static const struct script_op notify_ops[] = {
	{"event", 1, {{"v", 2}}, "used_event = v"},
	{"flags", 1, {{"v", 2}}, "avail flags = v"},
	{"publish", 1, {{"n", 1}}, "driver adds n%size+1 buffers; device serves them, flushes, decides"},
	{"jump", 1, {{"idx", 2}}, "both sides restart at index idx (restore)"},
	{"decide", 0, {{0}}, "device decides with nothing new published"},
};
const struct script_def notify_def = {"notify", 2, {{"feat", 1}, {"size", 1}},
				      sizeof(notify_ops) / sizeof(notify_ops[0]), notify_ops};

static uint64_t unneeded, tolerated, required_sent;

static void report(void)
{
	if (fuzz_verbose())
		fprintf(stderr, "notify: %llu required sent, %llu unneeded, %llu tolerated\n",
			(unsigned long long)required_sent, (unsigned long long)unneeded,
			(unsigned long long)tolerated);
}

struct nstate {
	struct fuzz_guest g;
	struct virtq_queue q;
	bool event_idx;
	uint16_t avail_idx;   /* driver's next avail slot */
	uint16_t decided;     /* used idx at the last decision */
	bool after_jump;      /* the next decision may notify regardless */
};

static uint16_t used_event(const struct nstate *s)
{
	return guest_le16(&s->g, s->g.cfg.avail_gpa + 4 + 2ull * s->g.cfg.size);
}

/* Spec rule, slot by slot, over the entries published since the last decision. */
static bool required(const struct nstate *s, uint16_t now)
{
	if (now == s->decided)
		return false;
	if (!s->event_idx)
		return !(guest_le16(&s->g, s->g.cfg.avail_gpa) & 1);
	for (uint16_t slot = s->decided; slot != now; slot++)
		if (slot == used_event(s))
			return true;
	return false;
}

static void decide(struct nstate *s)
{
	uint16_t now = virtq_used_idx(&s->q);
	bool must = required(s, now), did = virtq_should_notify(&s->q);

	FUZZ_ASSERT(did || !must,
		    "missed a required notification: used idx %u -> %u, used_event %u, flags 0x%x, "
		    "EVENT_IDX %d", s->decided, now, used_event(s),
		    guest_le16(&s->g, s->g.cfg.avail_gpa), s->event_idx);
	if (did && must)
		required_sent++;
	else if (did && s->after_jump)
		tolerated++;
	else if (did)
		unneeded++;
	if (now != s->decided)
		s->after_jump = false;
	s->decided = now;
}

/* The driver adds n one-descriptor chains; the device serves them as one batch. */
static void publish(struct nstate *s, unsigned n)
{
	const struct virtq_queue_config *c = &s->g.cfg;
	struct virtq_chain chain;

	for (unsigned i = 0; i < n; i++)
		guest_put_le16(&s->g, c->avail_gpa + 4 + 2ull * ((uint16_t)(s->avail_idx + i) % c->size),
			       (uint16_t)i);
	s->avail_idx = (uint16_t)(s->avail_idx + n);
	guest_put_le16(&s->g, c->avail_gpa + 2, s->avail_idx);
	for (unsigned i = 0; i < n; i++) {
		FUZZ_ASSERT(virtq_pop(&s->q, &chain) == 1, "published buffer %u of %u not served", i, n);
		FUZZ_ASSERT(virtq_fill(&s->q, &chain, 0) == 0, "fill failed");
	}
	FUZZ_ASSERT(virtq_flush(&s->q) == 0, "flush failed");
	decide(s);
}

static void jump(struct nstate *s, uint16_t idx)
{
	FUZZ_ASSERT(virtq_restore(&s->q, idx, idx) == 0, "restore failed");
	s->avail_idx = s->decided = idx;
	guest_put_le16(&s->g, s->g.cfg.avail_gpa + 2, idx);
	guest_put_le16(&s->g, s->g.cfg.used_gpa + 2, idx);
	s->after_jump = true;
}

int fuzz_notify_run(const uint8_t *data, size_t size)
{
	static bool registered;
	struct script_in in;
	struct script_vals h, op;
	struct script_vals gh = {0};
	static struct nstate s;

	if (!registered) {
		atexit(report);
		registered = true;
	}
	script_in_init(&in, data, size);
	script_read_header(&in, &notify_def, &h);
	s.event_idx = h.v[0] & 1;
	gh.v[H_SIZE] = h.v[1] % 8; /* queues of 1..128: batches up to the size */
	gh.v[H_FEAT] = s.event_idx ? 2 : 0;
	if (!guest_init(&s.g, &gh) || virtq_init(&s.q, &s.g.cfg) != 0) {
		guest_free(&s.g);
		return 0;
	}
	s.avail_idx = s.decided = 0;
	s.after_jump = false;
	while (script_read_op(&in, &notify_def, &op)) {
		switch (op.op) {
		case N_EVENT:
			guest_put_le16(&s.g, s.g.cfg.avail_gpa + 4 + 2ull * s.g.cfg.size, (uint16_t)op.v[0]);
			break;
		case N_FLAGS:
			guest_put_le16(&s.g, s.g.cfg.avail_gpa, (uint16_t)op.v[0]);
			break;
		case N_PUBLISH:
			publish(&s, (unsigned)(op.v[0] % s.g.cfg.size) + 1);
			break;
		case N_JUMP:
			jump(&s, (uint16_t)op.v[0]);
			break;
		default:
			decide(&s);
			break;
		}
	}
	guest_free(&s.g);
	return 0;
}

FUZZ_ENTRY(fuzz_notify_run)
