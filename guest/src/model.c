/* SPDX-License-Identifier: MIT */
/*
 * The reference model's queue state, judging a device step by step (see
 * vguest/model.h for what it vouches for and where it allows latitude); the
 * reasons, the layout verdict and the walk are model_walk.c's.
 */
#include "vguest/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vguest/event.h"
#include "vguest/layout.h"

/* ---- state ---- */

static uint64_t used_gpa(const struct vg_model *m, uint64_t off) { return m->cfg.used + off; }

/* The first used slot from @s on that the model vouches for, or Q: few are, the ring may be 32768. */
static uint32_t next_known(const struct vg_model *m, uint32_t s)
{
	const uint8_t *k;

	if (s >= m->cfg.size)
		return m->cfg.size;
	k = memchr(m->known + s, 1, m->cfg.size - s);
	return k ? (uint32_t)(k - m->known) : m->cfg.size;
}

/*
 * The used ring in one piece of the driver's view, or NULL (a bogus layout):
 * the used-ring check reads every slot the model vouches for at every flush.
 */
static const uint8_t *used_ring(const struct vg_model *m)
{
	uint64_t len = vg_used_bytes(m->cfg.size), contig;
	const uint8_t *p = vg_mem_drv(m->mem, m->cfg.used, len, &contig);

	return p && contig == len ? p : NULL;
}

static void read_slot(const struct vg_model *m, const uint8_t *ring, uint32_t s, uint32_t *id, uint32_t *len)
{
	uint64_t off = vg_used_slot(m->cfg.size, (uint16_t)s);

	if (ring) {
		*id = (uint32_t)vg_get_le(ring + off, 4);
		*len = (uint32_t)vg_get_le(ring + off + 4, 4);
	} else {
		*id = vg_mem_load32(m->mem, used_gpa(m, off));
		*len = vg_mem_load32(m->mem, used_gpa(m, off + 4));
	}
}

/* The device has not touched the used ring in this life: what it holds is given. */
static void take_fields(struct vg_model *m)
{
	m->idx_field = vg_mem_load16(m->mem, used_gpa(m, VG_USED_IDX));
	m->flags_field = vg_mem_load16(m->mem, used_gpa(m, VG_USED_FLAGS));
	m->event_field = vg_mem_load16(m->mem, used_gpa(m, vg_avail_event_off(m->cfg.size)));
	m->idx_known = m->flags_known = m->event_known = true;
}

bool vg_model_init(struct vg_model *m, const struct vg_mem *mem, const struct vg_model_cfg *cfg)
{
	memset(m, 0, sizeof(*m));
	return vg_model_reuse(m, mem, cfg);
}

/* Arrays for @size slots from the model's stores: nothing is allocated once the largest queue was seen. */
static bool grow(struct vg_model *m, uint32_t size)
{
	m->inflight = vg_store_get(&m->arrays[0], size, false);
	m->known = vg_store_get(&m->arrays[1], size, false);
	m->tainted = vg_store_get(&m->arrays[2], size, false);
	m->ring = vg_store_get(&m->arrays[3], size * sizeof(*m->ring), true);
	return m->inflight && m->known && m->tainted && m->ring;
}

bool vg_model_reuse(struct vg_model *m, const struct vg_mem *mem, const struct vg_model_cfg *cfg)
{
	struct vg_store keep[4];

	memcpy(keep, m->arrays, sizeof(keep));
	memset(m, 0, sizeof(*m));
	memcpy(m->arrays, keep, sizeof(keep));
	m->mem = mem;
	m->cfg = *cfg;
	m->imax = cfg->max_indirect;
	m->indirect = cfg->features & VG_FEATURE(VG_F_INDIRECT_DESC);
	m->event_idx = cfg->features & VG_FEATURE(VG_F_EVENT_IDX);
	if (!grow(m, cfg->size)) {
		vg_model_free(m);
		return false;
	}
	vg_model_reset(m);
	m->epoch = 0;
	return true;
}

void vg_model_free(struct vg_model *m)
{
	for (unsigned i = 0; i < 4; i++)
		vg_store_free(&m->arrays[i]);
	m->inflight = m->known = m->tainted = NULL;
	m->ring = NULL;
}

void vg_model_reset(struct vg_model *m)
{
	m->epoch++;
	m->broken = VG_R_NONE;
	m->last_avail = m->seen_avail = 0;
	memset(m->inflight, 0, m->cfg.size);
	m->ninflight = 0;
	memset(m->known, 0, m->cfg.size);
	memset(m->tainted, 0, m->cfg.size);
	m->next_used = m->published = 0;
	m->decided = 0;
	m->undecided = 0;
	m->judgeable = true;
	m->kicks_on = true;
	m->armed = false;
	take_fields(m);
}

enum vg_reason vg_model_restore(struct vg_model *m, uint16_t last_avail, uint16_t used_idx)
{
	/* More chains between used and avail than descriptors exist. */
	if ((uint16_t)(last_avail - used_idx) > m->cfg.size)
		return VG_R_RESTORE;
	vg_model_reset(m);
	m->last_avail = m->seen_avail = last_avail;
	m->next_used = m->published = m->decided = used_idx;
	/* The last decision before the save is unknown: the next one may go either way. */
	m->judgeable = false;
	return VG_R_NONE;
}

void vg_model_take_used(struct vg_model *m)
{
	const uint8_t *ring;

	/*
	 * An entry returned but not yet published may already be in the ring (a
	 * device may write it at return time) and is now overwritten: once
	 * published, what it holds is the driver's doing, not the device's.
	 */
	for (uint16_t i = m->published; i != m->next_used; i++)
		m->tainted[i & (m->cfg.size - 1)] = 1;
	take_fields(m);
	ring = used_ring(m);
	for (uint32_t s = next_known(m, 0); s < m->cfg.size; s = next_known(m, s + 1))
		read_slot(m, ring, s, &m->ring[s].id, &m->ring[s].len);
}

/* ---- avail side ---- */

/*
 * Re-read avail idx.  The driver exposes at most Q entries beyond what was
 * consumed (SPLIT-AV-6) and never takes exposed ones back (SPLIT-AV-3);
 * otherwise stale entries would be replayed, and the queue is broken.
 * 1: entries waiting; 0: none; -1: broken.
 */
static int refresh(struct vg_model *m)
{
	uint16_t idx = vg_mem_load16(m->mem, m->cfg.avail + VG_AVAIL_IDX);
	uint16_t ahead = (uint16_t)(idx - m->last_avail);
	uint16_t seen = (uint16_t)(m->seen_avail - m->last_avail);

	if (ahead > m->cfg.size || ahead < seen) {
		m->broken = VG_R_AVAIL_IDX;
		return -1;
	}
	m->seen_avail = idx;
	return ahead != 0;
}

bool vg_model_avail_sane(const struct vg_model *m)
{
	uint16_t idx = vg_mem_load16(m->mem, m->cfg.avail + VG_AVAIL_IDX);
	uint16_t ahead = (uint16_t)(idx - m->last_avail);

	return !m->broken && ahead <= m->cfg.size && ahead >= (uint16_t)(m->seen_avail - m->last_avail);
}

static enum vg_pop open_head(struct vg_model *m, uint16_t head, struct vg_walk *w, struct vg_mchain *mc,
			     enum vg_reason *why)
{
	if (head >= m->cfg.size) {
		*why = VG_R_HEAD_RANGE;
		return VG_POP_REJECTED;
	}
	/* Two live chains on one head would be returned twice (SPLIT-USED-2). */
	if (m->inflight[head]) {
		*why = VG_R_HEAD_IN_USE;
		return VG_POP_REJECTED;
	}
	m->inflight[head] = 1;
	m->ninflight++;
	vg_model_walk(m->mem, &m->cfg, head, w);
	*mc = (struct vg_mchain){m->epoch, head, false, w->writable};
	*why = VG_R_NONE;
	return VG_POP_CHAIN;
}

/* §2.7.10.1: with kicks on and nothing to do, ask for a kick at the next slot, then look again. */
static int rearm_if_idle(struct vg_model *m, int rc)
{
	if (rc != 0 || !m->kicks_on || !m->event_idx || m->armed)
		return rc;
	m->event_field = m->last_avail;
	m->event_known = true;
	m->armed = true;
	return refresh(m);
}

enum vg_pop vg_model_pop(struct vg_model *m, struct vg_walk *w, struct vg_mchain *mc, enum vg_reason *why)
{
	uint16_t head;

	if (m->broken) {
		*why = VG_R_BROKEN;
		return VG_POP_BROKEN;
	}
	if (m->last_avail == m->seen_avail) {
		int rc = rearm_if_idle(m, refresh(m));

		if (rc < 0) {
			*why = VG_R_AVAIL_IDX;
			return VG_POP_BROKEN;
		}
		if (rc == 0) {
			*why = VG_R_NONE;
			return VG_POP_EMPTY;
		}
	}
	head = vg_mem_load16(m->mem, m->cfg.avail + vg_avail_slot(m->cfg.size, m->last_avail));
	/* The position moves on whatever the entry holds: no spinning on a bad one. */
	m->last_avail++;
	m->armed = false;
	return open_head(m, head, w, mc, why);
}

enum vg_pop vg_model_reopen(struct vg_model *m, uint16_t head, struct vg_walk *w, struct vg_mchain *mc,
			    enum vg_reason *why)
{
	if (m->broken) {
		*why = VG_R_BROKEN;
		return VG_POP_BROKEN;
	}
	return open_head(m, head, w, mc, why);
}

/* ---- used side ---- */

enum vg_reason vg_model_fill(struct vg_model *m, struct vg_mchain *mc, uint32_t written)
{
	uint16_t slot;

	if (m->broken)
		return VG_R_BROKEN;
	if (mc->epoch != m->epoch)
		return VG_R_STALE_CHAIN;
	if (mc->returned || !m->inflight[mc->head])
		return VG_R_NOT_IN_FLIGHT;
	/* Q entries waiting already (only a driver re-posting unseen heads gets here): publish them first. */
	if ((uint16_t)(m->next_used - m->published) == m->cfg.size)
		vg_model_flush(m);
	slot = (uint16_t)(m->next_used & (m->cfg.size - 1));
	/* SPLIT-USED-3: never more than the writable bytes handed out. */
	m->ring[slot] = (struct vg_used_slot){mc->head, written < mc->cap ? written : (uint32_t)mc->cap};
	m->tainted[slot] = 0;
	/*
	 * The slot's earlier published entry is being replaced by one not yet
	 * published: until it is, a device may hold it back (§2.7.8 only binds
	 * what used idx exposes), so the slot is vouched for again at the flush.
	 */
	m->known[slot] = 0;
	m->next_used++;
	m->inflight[mc->head] = 0;
	m->ninflight--;
	mc->returned = true;
	return VG_R_NONE;
}

enum vg_reason vg_model_flush(struct vg_model *m)
{
	uint16_t n;

	if (m->broken)
		return VG_R_BROKEN;
	n = (uint16_t)(m->next_used - m->published);
	if (n == 0)
		return VG_R_NONE;
	for (uint16_t i = m->published; i != m->next_used; i++) {
		uint16_t s = i & (m->cfg.size - 1);

		m->known[s] = !m->tainted[s];
		m->tainted[s] = 0;
	}
	m->undecided = m->undecided + n > 65536u ? 65536u : m->undecided + n;
	m->published = m->next_used;
	m->idx_field = m->published;
	m->idx_known = true;
	return VG_R_NONE;
}

void vg_model_indices(const struct vg_model *m, uint16_t *last_avail, uint16_t *used_idx, uint32_t *inflight)
{
	*last_avail = m->last_avail;
	*used_idx = m->published;
	*inflight = m->ninflight;
}

enum vg_notify vg_model_notify(struct vg_model *m)
{
	uint32_t n = m->undecided;
	uint16_t first = m->decided, event;
	bool judge = m->judgeable && n < 65536u;

	if (m->broken || n == 0)
		return VG_NOTIFY_NO;
	m->decided = m->published;
	m->undecided = 0;
	m->judgeable = true;
	/* §2.7.7.2: without EVENT_IDX only bit 0 of avail flags counts; used_event is ignored. */
	if (!m->event_idx)
		return vg_mem_load16(m->mem, m->cfg.avail + VG_AVAIL_FLAGS) & VG_AVAIL_F_NO_INTERRUPT
			       ? VG_NOTIFY_NO
			       : VG_NOTIFY_YES;
	if (!judge)
		return VG_NOTIFY_EITHER;
	/* With EVENT_IDX: notify iff an entry went into the slot the driver named. */
	event = vg_mem_load16(m->mem, m->cfg.avail + vg_used_event_off(m->cfg.size));
	return vg_event_in_window_slots(event, (uint16_t)(first + n), first) ? VG_NOTIFY_YES : VG_NOTIFY_NO;
}

/* ---- kicks ---- */

enum vg_reason vg_model_disable_kicks(struct vg_model *m)
{
	if (m->broken)
		return VG_R_BROKEN;
	m->kicks_on = false;
	/* SPLIT-ANS-9 / ANS-10: NO_NOTIFY only without EVENT_IDX; with it avail_event just stays. */
	if (!m->event_idx) {
		m->flags_field = VG_USED_F_NO_NOTIFY;
		m->flags_known = true;
	}
	return VG_R_NONE;
}

enum vg_reason vg_model_enable_kicks(struct vg_model *m, bool *pending)
{
	*pending = false;
	if (m->broken)
		return VG_R_BROKEN;
	m->kicks_on = true;
	if (m->event_idx) {
		m->event_field = m->seen_avail;
		m->event_known = true;
	} else {
		m->flags_field = 0;
		m->flags_known = true;
	}
	if (refresh(m) < 0)
		return VG_R_AVAIL_IDX;
	m->armed = m->seen_avail == m->last_avail;
	*pending = !m->armed;
	return VG_R_NONE;
}

/* ---- judging the used ring ---- */

int vg_model_check_used(const struct vg_model *m, bool suppression, char *msg, size_t len)
{
	const uint8_t *ring;
	uint32_t q = m->cfg.size;
	uint16_t v;

	if (m->idx_known && (v = vg_mem_load16(m->mem, used_gpa(m, VG_USED_IDX))) != m->idx_field) {
		snprintf(msg, len, "used idx is %u, the model expects %u", v, m->idx_field);
		return -1;
	}
	ring = used_ring(m);
	for (uint32_t s = next_known(m, 0); s < q; s = next_known(m, s + 1)) {
		uint32_t id, l;

		read_slot(m, ring, s, &id, &l);
		if (id != m->ring[s].id || l != m->ring[s].len) {
			snprintf(msg, len, "used slot %u holds (id %u, len %u), the model expects (id %u, len %u)",
				 s, id, l, m->ring[s].id, m->ring[s].len);
			return -1;
		}
	}
	if (!suppression)
		return 0;
	if (m->flags_known && (v = vg_mem_load16(m->mem, used_gpa(m, VG_USED_FLAGS))) != m->flags_field) {
		snprintf(msg, len, "used flags 0x%x, the model expects 0x%x", v, m->flags_field);
		return -1;
	}
	if (m->event_known && (v = vg_mem_load16(m->mem, used_gpa(m, vg_avail_event_off(q)))) != m->event_field) {
		snprintf(msg, len, "avail_event %u, the model expects %u", v, m->event_field);
		return -1;
	}
	return 0;
}
