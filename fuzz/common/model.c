/* SPDX-License-Identifier: MIT */
/* Reference model of the device side (see model.h). */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#define F_NEXT 1u
#define F_WRITE 2u
#define F_INDIRECT 4u

static uint64_t le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void put_le(uint8_t *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* [gpa, gpa+len) inside one region? (ring parts and indirect tables must be) */
static bool one_region(const struct fuzz_guest *g, uint64_t gpa, uint64_t len)
{
	return len != 0 && gpa + (len - 1) >= gpa && guest_hva(g, gpa, len) != NULL;
}

int model_init_result(const struct fuzz_guest *g)
{
	const struct virtq_queue_config *c = &g->cfg;
	uint64_t d = 16ull * c->size, a = 6 + 2ull * c->size, u = 6 + 8ull * c->size;

	if (c->desc_gpa % 16 || c->avail_gpa % 2 || c->used_gpa % 4)
		return VIRTQ_E_RING_ALIGN;
	if (!one_region(g, c->desc_gpa, d) || !one_region(g, c->avail_gpa, a) ||
	    !one_region(g, c->used_gpa, u))
		return VIRTQ_E_RING_RANGE;
	if ((c->desc_gpa < c->avail_gpa + a && c->avail_gpa < c->desc_gpa + d) ||
	    (c->desc_gpa < c->used_gpa + u && c->used_gpa < c->desc_gpa + d) ||
	    (c->avail_gpa < c->used_gpa + u && c->used_gpa < c->avail_gpa + a))
		return VIRTQ_E_RING_RANGE;
	return 0;
}

bool model_init(struct model *m, const struct fuzz_guest *g)
{
	memset(m, 0, sizeof(*m));
	m->g = g;
	m->size = g->cfg.size;
	m->imax = g->cfg.indirect_max ? g->cfg.indirect_max : 1024;
	m->indirect = g->cfg.features & VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC);
	m->event_idx = g->cfg.features & VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX);
	m->used = malloc(6 + 8ull * m->size);
	if (m->used == NULL)
		return false;
	/* Whatever the driver left in the used ring is what we expect until we write. */
	guest_read(g, g->cfg.used_gpa, m->used, 6 + 8ull * m->size);
	model_reset(m);
	return true;
}

void model_free(struct model *m)
{
	free(m->used);
	m->used = NULL;
}

void model_reset(struct model *m)
{
	m->broken = 0;
	m->last_avail = m->seen_avail = m->next_used = m->published = m->signalled = 0;
	m->signalled_valid = true;
	m->kicks_on = true;
	m->armed = false;
	m->unsignalled = 0;
	memset(m->inflight, 0, sizeof(m->inflight));
}

int model_restore(struct model *m, uint16_t last_avail, uint16_t used_idx)
{
	if ((uint16_t)(last_avail - used_idx) > m->size)
		return VIRTQ_E_RESTORE;
	model_reset(m);
	m->last_avail = m->seen_avail = last_avail;
	m->next_used = m->published = m->signalled = used_idx;
	m->signalled_valid = false;
	return 0;
}

/* ---- the walk ---- */

/*
 * One segment.  A device whose segment array is full fails the chain
 * (IOV_FULL) at the segment that does not fit, which it has nonetheless
 * been handed, so its bytes count as handed out.
 */
static int emit(struct model_walk *w, uint64_t gpa, uint32_t len, bool writable)
{
	uint32_t *n = writable ? &w->nw : &w->nr;

	if (writable)
		w->writable += len;
	if (w->cap != 0 && *n == w->cap)
		return VIRTQ_E_IOV_FULL;
	(*n)++;
	if (w->nseg < MODEL_MAX_SEGS)
		w->seg[w->nseg++] = (struct model_seg){gpa, len, writable};
	return 0;
}

/*
 * Emit a buffer's segments, one per region it touches; an unmapped byte ends
 * the chain with ADDR_RANGE after the pieces before it.
 */
static int emit_buffer(const struct fuzz_guest *g, struct model_walk *w, uint64_t addr,
		       uint32_t len, bool writable)
{
	uint64_t done = 0;

	while (done < len) {
		struct fuzz_region *r = guest_region(g, addr + done);
		uint64_t room;

		if (r == NULL)
			return VIRTQ_E_ADDR_RANGE;
		room = r->len - (addr + done - r->gpa);
		if (room > len - done)
			room = len - done;
		if (emit(w, addr + done, (uint32_t)room, writable))
			return VIRTQ_E_IOV_FULL;
		done += room;
	}
	return 0;
}

void model_walk_chain(const struct fuzz_guest *g, uint32_t size, uint32_t imax, bool indirect,
		      uint16_t head, struct model_walk *w)
{
	uint64_t table = g->cfg.desc_gpa, total = 0;
	uint32_t entries = size, limit = size, taken = 0, i = head;
	bool in_table = false, wrote = false;

	w->head = head;
	w->err = 0;
	w->nseg = w->nvisit = w->nr = w->nw = 0;
	w->writable = 0;
	for (;;) {
		uint8_t raw[16] = {0};
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;

		if (i >= entries) {
			w->err = VIRTQ_E_NEXT_RANGE;
			return;
		}
		if (taken == limit) {
			w->err = in_table ? VIRTQ_E_INDIRECT_LOOP : VIRTQ_E_CHAIN_LOOP;
			return;
		}
		taken++;
		if (w->nvisit < MODEL_MAX_VISITS)
			w->visit[w->nvisit++] = table + 16ull * i;
		if (w->read_desc)
			w->read_desc(w->arg, w->nvisit - 1, table + 16ull * i, raw);
		else
			guest_read(g, table + 16ull * i, raw, 16);
		addr = le(raw, 8);
		len = (uint32_t)le(raw + 8, 4);
		flags = (uint16_t)le(raw + 12, 2);
		next = (uint16_t)le(raw + 14, 2);
		if (flags & F_INDIRECT) {
			/* §2.7.5.3: one table, last, negotiated, sane length, in one region. */
			if (!indirect)
				w->err = VIRTQ_E_INDIRECT_NOT_NEGOTIATED;
			else if (in_table)
				w->err = VIRTQ_E_INDIRECT_NESTED;
			else if (flags & F_NEXT)
				w->err = VIRTQ_E_INDIRECT_WITH_NEXT;
			else if (len == 0 || len % 16 != 0)
				w->err = VIRTQ_E_INDIRECT_LEN;
			else if (len / 16 > imax)
				w->err = VIRTQ_E_INDIRECT_TOO_LONG;
			else if (addr + (len - 1) < addr)
				w->err = VIRTQ_E_ADDR_OVERFLOW;
			else if (!one_region(g, addr, len))
				w->err = VIRTQ_E_INDIRECT_RANGE;
			if (w->err)
				return;
			table = addr;
			entries = limit = len / 16;
			taken = 0;
			i = 0;
			in_table = true;
			continue;
		}
		if (!(flags & F_WRITE) && wrote) {
			w->err = VIRTQ_E_READ_AFTER_WRITE;
			return;
		}
		if (len != 0 && addr + (len - 1) < addr) {
			w->err = VIRTQ_E_ADDR_OVERFLOW;
			return;
		}
		total += len;
		if (total >= (UINT64_C(1) << 32)) {
			w->err = VIRTQ_E_CHAIN_TOO_BIG;
			return;
		}
		wrote |= (flags & F_WRITE) != 0;
		w->err = emit_buffer(g, w, addr, len, flags & F_WRITE);
		if (w->err || !(flags & F_NEXT))
			return;
		i = next;
	}
}

/* ---- avail side ---- */

static uint64_t avail_idx_gpa(const struct model *m) { return m->g->cfg.avail_gpa + 2; }
static uint64_t avail_ring_gpa(const struct model *m, uint16_t slot)
{
	return m->g->cfg.avail_gpa + 4 + 2ull * (slot % m->size);
}

static int refresh(struct model *m)
{
	uint16_t idx = guest_le16(m->g, avail_idx_gpa(m));
	uint16_t pending = (uint16_t)(idx - m->last_avail);
	uint16_t cached = (uint16_t)(m->seen_avail - m->last_avail);

	/* More exposed than the ring holds, or exposed entries withdrawn. */
	if (pending > m->size || pending < cached) {
		m->broken = VIRTQ_E_AVAIL_IDX;
		return VIRTQ_E_AVAIL_IDX;
	}
	m->seen_avail = idx;
	return pending != 0;
}

static void set_avail_event(struct model *m, uint16_t v) { put_le(m->used + 4 + 8 * m->size, v, 2); }

static int open_head(struct model *m, uint16_t head, struct model_walk *w)
{
	if (head >= m->size)
		return VIRTQ_E_HEAD_RANGE;
	if (m->inflight[head])
		return VIRTQ_E_HEAD_IN_USE;
	m->inflight[head] = 1;
	model_walk_chain(m->g, m->size, m->imax, m->indirect, head, w);
	return 1;
}

static int take(struct model *m, struct model_walk *w)
{
	uint16_t head = guest_le16(m->g, avail_ring_gpa(m, m->last_avail));

	m->last_avail++;
	m->armed = false;
	return open_head(m, head, w);
}

int model_pop(struct model *m, struct model_walk *w)
{
	int rc;

	if (m->broken)
		return VIRTQ_E_BROKEN;
	if (m->last_avail != m->seen_avail)
		return take(m, w);
	rc = refresh(m);
	if (rc == 0 && m->kicks_on && m->event_idx && !m->armed) {
		/* Empty with kicks on: ask for a kick at the next slot, re-check. */
		set_avail_event(m, m->last_avail);
		m->armed = true;
		rc = refresh(m);
	}
	return rc == 1 ? take(m, w) : rc;
}

int model_reopen(struct model *m, uint16_t head, struct model_walk *w)
{
	if (m->broken)
		return VIRTQ_E_BROKEN;
	return open_head(m, head, w);
}

/* ---- used side ---- */

int model_fill(struct model *m, uint16_t head, bool returned, uint64_t cap, uint32_t written)
{
	uint8_t *e;

	if (m->broken)
		return VIRTQ_E_BROKEN;
	if (returned || !m->inflight[head])
		return VIRTQ_E_NOT_IN_FLIGHT;
	/* A full ring of unpublished entries is published before one more. */
	if ((uint16_t)(m->next_used - m->published) == m->size)
		model_flush(m);
	e = m->used + 4 + 8 * (m->next_used % m->size);
	put_le(e, head, 4);
	put_le(e + 4, written < cap ? written : cap, 4);
	m->next_used++;
	m->inflight[head] = 0;
	return 0;
}

int model_flush(struct model *m)
{
	uint16_t n;

	if (m->broken)
		return VIRTQ_E_BROKEN;
	n = (uint16_t)(m->next_used - m->published);
	if (n == 0)
		return 0;
	m->unsignalled = m->unsignalled + n >= 65536 ? 65536 : m->unsignalled + n;
	put_le(m->used + 2, m->next_used, 2);
	m->published = m->next_used;
	return 0;
}

bool model_should_notify(struct model *m)
{
	uint32_t count = m->unsignalled;
	uint16_t first = m->signalled, event;
	bool judgeable = m->signalled_valid && count < 65536;

	if (m->broken || count == 0)
		return false;
	m->signalled = m->published;
	m->signalled_valid = true;
	m->unsignalled = 0;
	if (!m->event_idx)
		return !(guest_le16(m->g, m->g->cfg.avail_gpa) & 1);
	if (!judgeable)
		return true;
	/* §2.7.7.2: notify if an entry went into the slot the driver named. */
	event = guest_le16(m->g, m->g->cfg.avail_gpa + 4 + 2ull * m->size);
	for (uint32_t k = 0; k < count; k++)
		if ((uint16_t)(first + k) == event)
			return true;
	return false;
}

int model_disable_kicks(struct model *m)
{
	if (m->broken)
		return VIRTQ_E_BROKEN;
	m->kicks_on = false;
	if (!m->event_idx)
		put_le(m->used, 1, 2);
	return 0;
}

int model_enable_kicks(struct model *m)
{
	int rc;

	if (m->broken)
		return VIRTQ_E_BROKEN;
	m->kicks_on = true;
	if (m->event_idx)
		set_avail_event(m, m->seen_avail);
	else
		put_le(m->used, 0, 2);
	rc = refresh(m);
	if (rc < 0)
		return rc;
	m->armed = m->seen_avail == m->last_avail;
	return m->seen_avail != m->last_avail;
}
