/* SPDX-License-Identifier: MIT */
/*
 * Queue state (layer 3): indices, heads, used entries, notifications in both
 * directions, reset and restore.  See virtq/queue.h for the contract; here
 * the comments say which rule or attack each check is for.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include "shm.h"
#include "virtq/error.h"

/*
 * ---- in-flight heads: one byte per descriptor index ----
 * A byte, not a bit: the test and the mark are then one load or one store,
 * where a bit's word index and mask cost about 18 instructions per chain
 * (callgrind, release, a 1-descriptor chain served: 187 against 171).
 * Callers test head < size first: the map has VIRTQ_MAX_SIZE entries.
 */

static bool inflight_test(const struct virtq_queue *q, size_t head)
{
	return q->inflight_map[head] != 0;
}

static void inflight_set(struct virtq_queue *q, size_t head)
{
	q->inflight_map[head] = 1;
	q->inflight++;
}

static void inflight_clear(struct virtq_queue *q, size_t head)
{
	q->inflight_map[head] = 0;
	q->inflight--;
}

static int mark_broken(struct virtq_queue *q, int err)
{
	q->broken = err;
	return err;
}

/* Lives handed out by virtq_init(), process-wide (high half; resets count in the low). */
static uint32_t init_epochs;

/* ---- setup ---- */

int virtq_init(struct virtq_queue *q, const struct virtq_queue_config *cfg)
{
	int rc;

	if (q == NULL)
		return VIRTQ_E_INVAL;
	/* The map's first size entries are cleared by virtq_reset(); no head reaches past them. */
	memset(q, 0, offsetof(struct virtq_queue, inflight_map));
	/* Until setup succeeds every call reports the queue unusable. */
	q->broken = VIRTQ_E_INVAL;
	if (cfg == NULL || cfg->mem == NULL)
		return VIRTQ_E_INVAL;
	rc = virtq__ring_map(q, cfg->mem, cfg->size, cfg->desc_gpa, cfg->avail_gpa, cfg->used_gpa);
	if (rc < 0)
		return rc;
	q->mem = cfg->mem;
	q->desc_gpa = cfg->desc_gpa;
	q->avail_gpa = cfg->avail_gpa;
	q->used_gpa = cfg->used_gpa;
	q->features = cfg->features;
	q->event_idx = virtq_has_feature(q, VIRTQ_F_EVENT_IDX);
	q->size = cfg->size;
	q->ring_mask = (uint16_t)(cfg->size - 1);
	q->indirect_max = cfg->indirect_max ? cfg->indirect_max : VIRTQ_DEFAULT_INDIRECT_MAX;
	/*
	 * A fresh life, distinct from any earlier use of this storage, so that a
	 * chain object kept from before a re-init is stale too.
	 */
	q->epoch = __atomic_add_fetch(&init_epochs, UINT32_C(1) << 16, __ATOMIC_RELAXED);
	virtq_reset(q);
	return 0;
}

int virtq_set_mem(struct virtq_queue *q, const struct virtq_mem *mem)
{
	int rc;

	if (q == NULL || mem == NULL || q->desc == NULL)
		return VIRTQ_E_INVAL;
	/* Every translation goes: the rings are looked up again, the hint is forgotten. */
	q->hint = NULL;
	q->mem_gen++;
	rc = virtq__ring_map(q, mem, q->size, q->desc_gpa, q->avail_gpa, q->used_gpa);
	if (rc < 0) {
		/* Nothing of the old map may be used: unusable until virtq_init(). */
		q->desc = NULL;
		q->mem = NULL;
		return mark_broken(q, rc);
	}
	q->mem = mem;
	return 0;
}

void virtq_reset(struct virtq_queue *q)
{
	q->epoch++;
	q->broken = q->desc != NULL ? 0 : q->broken ? q->broken : VIRTQ_E_INVAL;
	q->last_avail = q->shadow_avail = 0;
	q->next_used = q->published = q->signalled = 0;
	q->signalled_valid = true;
	q->kicks_enabled = true;
	q->avail_event_armed = false;
	q->unsignalled = 0;
	q->inflight = 0;
	memset(q->inflight_map, 0, q->size);
}

int virtq_restore(struct virtq_queue *q, uint16_t last_avail, uint16_t used_idx)
{
	if (q->desc == NULL)
		return VIRTQ_E_INVAL;
	/* More chains between used and avail than descriptors exist: corrupt state. */
	if ((uint16_t)(last_avail - used_idx) > q->size)
		return VIRTQ_E_RESTORE;
	virtq_reset(q);
	q->last_avail = q->shadow_avail = last_avail;
	q->next_used = q->published = q->signalled = used_idx;
	/* The source's last decision point is unknown (crosvm 078ef31b7). */
	q->signalled_valid = false;
	return 0;
}

/* ---- the avail side ---- */

/*
 * Re-read avail idx.  The driver can expose at most size entries beyond what
 * we consumed (§2.7.6, SPLIT-AV-6) and never takes exposed ones back
 * (SPLIT-AV-3); anything else means stale or forged entries would be
 * replayed (peer study bug class 1), so the queue breaks.
 * Returns 1 if entries are waiting, 0 if none, <0 on a broken queue.
 */
static int refresh_avail(struct virtq_queue *q)
{
	uint16_t idx = shm_load16_acquire(&q->avail->idx, VIRTQ_SHM_AVAIL_IDX);
	uint16_t ahead = (uint16_t)(idx - q->last_avail);

	if (ahead > q->size)
		return mark_broken(q, VIRTQ_E_AVAIL_IDX);
	if (ahead < (uint16_t)(q->shadow_avail - q->last_avail))
		return mark_broken(q, VIRTQ_E_AVAIL_IDX);
	q->shadow_avail = idx;
	return ahead != 0;
}

/*
 * With EVENT_IDX the driver kicks only when it fills slot avail_event
 * (§2.7.10.1).  A device that pops only on kicks must move avail_event to
 * where it stopped, or the driver never kicks again (catalogue §5 item 7,
 * Propolis #1171).  Then a full fence (F2) and a re-check, so a buffer added
 * between our idx read and the driver seeing avail_event is not stranded.
 */
static int rearm_if_idle(struct virtq_queue *q)
{
	if (!q->kicks_enabled || !q->event_idx)
		return 0;
	if (q->avail_event_armed)
		return 0;
	shm_store16(q->avail_event, q->last_avail, VIRTQ_SHM_AVAIL_EVENT);
	shm_fence_full();
	q->avail_event_armed = true;
	return refresh_avail(q);
}

/* Hand out the chain at @head: checked, marked in flight, ready to walk. */
static int open_chain(struct virtq_queue *q, uint16_t head, struct virtq_chain *chain)
{
	if (head >= q->size)
		return VIRTQ_E_HEAD_RANGE;
	/* Two live chains sharing descriptors would be returned twice. */
	if (inflight_test(q, head))
		return VIRTQ_E_HEAD_IN_USE;
	inflight_set(q, head);
	virtq__chain_start(chain, q, head);
	return 1;
}

/* Consume one avail entry.  The position always advances (bug class 8). */
static int take_head(struct virtq_queue *q, struct virtq_chain *chain)
{
	uint16_t slot = q->last_avail & q->ring_mask;
	uint16_t head = shm_load16(&q->avail->ring[slot], VIRTQ_SHM_AVAIL_RING);

	q->last_avail++;
	q->avail_event_armed = false;
	return open_chain(q, head, chain);
}

int virtq_pop(struct virtq_queue *q, struct virtq_chain *chain)
{
	int rc;

	if (q->broken)
		return VIRTQ_E_BROKEN;
	if (q->last_avail == q->shadow_avail) {
		rc = refresh_avail(q);
		if (rc == 0)
			rc = rearm_if_idle(q);
		if (rc <= 0)
			return rc;
	}
	return take_head(q, chain);
}

int virtq_reopen(struct virtq_queue *q, uint16_t head, struct virtq_chain *chain)
{
	if (q->broken)
		return VIRTQ_E_BROKEN;
	return open_chain(q, head, chain);
}

/* ---- the used side ---- */

/* The used entry for @chain, once every check has passed (virtq_fill).  Inlined in its callers. */
static inline __attribute__((always_inline)) void fill_entry(struct virtq_queue *q, struct virtq_chain *chain, uint32_t written)
{
	struct virtq_used_elem *elem;
	uint32_t writable, len;

	/*
	 * len never overstates what the device could have written (SPLIT-USED-3).
	 * writable is below 2^32, as the chain's total is (SPLIT-DESC-6).
	 */
	writable = (uint32_t)chain->writable;
	len = written < writable ? written : writable;
	elem = &q->used->ring[q->next_used & q->ring_mask];
	shm_store32(&elem->id, chain->head, VIRTQ_SHM_USED_ELEM);
	shm_store32(&elem->len, len, VIRTQ_SHM_USED_ELEM);
	q->next_used++;
	inflight_clear(q, chain->head);
	chain->returned = true;
}

/*
 * The ring holds size entries.  Only a driver that re-posts heads it has
 * not yet seen used can make a device fill more before a flush; publish
 * what is pending rather than overwrite it.  Out of line, so that
 * virtq_fill() makes no call on its usual path and saves no registers.
 */
static __attribute__((noinline)) int fill_after_flush(struct virtq_queue *q,
						      struct virtq_chain *chain, uint32_t written)
{
	virtq_flush(q);
	fill_entry(q, chain, written);
	return 0;
}

/* Whether @chain can be returned to @q now: virtq_fill()'s checks, in its order. */
static inline __attribute__((always_inline)) int fill_check(const struct virtq_queue *q,
							     const struct virtq_chain *chain)
{
	if (q->broken)
		return VIRTQ_E_BROKEN;
	if (chain->q != q)
		return VIRTQ_E_INVAL;
	/* Its head may be in flight again, but this walk described the driver's old chain. */
	if (chain->epoch != q->epoch)
		return VIRTQ_E_STALE_CHAIN;
	/* A head past the size: a chain object its caller overwrote (the map ends there). */
	if (chain->returned || chain->head >= q->size || !inflight_test(q, chain->head))
		return VIRTQ_E_NOT_IN_FLIGHT;
	return 0;
}

/* Every used slot holds an entry not yet published (see fill_after_flush). */
static inline bool used_full(const struct virtq_queue *q)
{
	return (uint16_t)(q->next_used - q->published) == q->size;
}

int virtq_fill(struct virtq_queue *q, struct virtq_chain *chain, uint32_t written)
{
	int rc = fill_check(q, chain);

	if (rc != 0)
		return rc;
	if (used_full(q))
		return fill_after_flush(q, chain, written);
	fill_entry(q, chain, written);
	return 0;
}

/*
 * The queue's side of publishing the @n (> 0) filled entries.  The used idx
 * store (publish_idx) is apart so that a caller can write all its fields
 * before it: for all the compiler knows, a store to guest memory changes
 * them, and each read after it is a load again.
 */
static inline void publish_fields(struct virtq_queue *q, uint16_t n)
{
	/* Saturate: past 65535 the window is unjudgeable anyway. */
	q->unsignalled = q->unsignalled + n > 65536u ? 65536u : q->unsignalled + n;
	q->published = q->next_used;
}

/* Make the published entries the driver's: one used idx store. */
static inline void publish_idx(struct virtq_queue *q)
{
	shm_store16_release(&q->used->idx, q->published, VIRTQ_SHM_USED_IDX);
}

int virtq_flush(struct virtq_queue *q)
{
	uint16_t n;

	if (q->broken)
		return VIRTQ_E_BROKEN;
	n = (uint16_t)(q->next_used - q->published);
	if (n == 0)
		return 0;
	publish_fields(q, n);
	publish_idx(q);
	return 0;
}

/* What a notify decision judges: the used idx window since the last one. */
struct window {
	uint16_t old, new_idx;
	bool valid;
};

/* Close the window over what was published since the last decision (something was). */
static inline struct window take_window(struct virtq_queue *q)
{
	struct window w = {q->signalled, q->published, q->signalled_valid && q->unsignalled < 65536u};

	q->signalled = w.new_idx;
	q->signalled_valid = true;
	q->unsignalled = 0;
	return w;
}

/* The notify decision over window @w, once its used idx is stored. */
static inline bool judge_window(const struct virtq_queue *q, struct window w)
{
	/* F1: the used idx store must be visible before we sample the driver's wish. */
	shm_fence_full();
	/* Laid out for EVENT_IDX, which Linux's driver takes whenever it is offered. */
	if (__builtin_expect(q->event_idx, 1)) {
		/* §2.7.7.2: flags bit 0 is disregarded; used_event decides. */
		uint16_t event = shm_load16(q->used_event, VIRTQ_SHM_USED_EVENT);

		return !w.valid || virtq_need_event(event, w.new_idx, w.old);
	}
	/* §2.7.7.2: used_event is disregarded; only bit 0 of flags counts. */
	return !(shm_load16(&q->avail->flags, VIRTQ_SHM_AVAIL_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

bool virtq_should_notify(struct virtq_queue *q)
{
	if (q->broken || q->unsignalled == 0)
		return false;
	return judge_window(q, take_window(q));
}

/*
 * virtq_push() once its fill is done: virtq_flush() and, if asked,
 * virtq_should_notify(), with the queue's fields written before the used
 * idx store (see publish_fields).
 */
static inline __attribute__((always_inline)) void push_filled(struct virtq_queue *q, bool *notify)
{
	struct window w;

	/* A fill that succeeded leaves an entry to publish. */
	publish_fields(q, (uint16_t)(q->next_used - q->published));
	if (notify != NULL)
		w = take_window(q);
	publish_idx(q);
	if (notify != NULL)
		*notify = judge_window(q, w);
}

/* virtq_push() at a full used ring (see fill_after_flush): out of line, as there. */
static __attribute__((noinline)) int push_after_flush(struct virtq_queue *q, struct virtq_chain *chain,
						      uint32_t written, bool *notify)
{
	fill_after_flush(q, chain, written);
	push_filled(q, notify);
	return 0;
}

/*
 * Calls nothing on its usual path (its rare one is a tail call), so built
 * without LTO it saves no registers.  Out of line under LTO too: inlined in
 * the benchmark's serve loop, it made gcc leave virtq_chain_collect() out of
 * line instead (1 descriptor, batch 32: 14 more instructions per chain).
 */
__attribute__((noinline)) int virtq_push(struct virtq_queue *q, struct virtq_chain *chain, uint32_t written,
					 bool *notify)
{
	int rc = fill_check(q, chain);

	if (rc != 0) {
		if (notify != NULL)
			*notify = false;
		return rc;
	}
	if (used_full(q))
		return push_after_flush(q, chain, written, notify);
	fill_entry(q, chain, written);
	push_filled(q, notify);
	return 0;
}

/* ---- driver kicks (§2.7.10) ---- */

int virtq_disable_kicks(struct virtq_queue *q)
{
	if (q->broken)
		return VIRTQ_E_BROKEN;
	q->kicks_enabled = false;
	/* Under EVENT_IDX used flags must stay 0 (SPLIT-ANS-10). */
	if (!q->event_idx)
		shm_store16(&q->used->flags, VIRTQ_USED_F_NO_NOTIFY, VIRTQ_SHM_USED_FLAGS);
	return 0;
}

int virtq_enable_kicks(struct virtq_queue *q)
{
	int rc;

	if (q->broken)
		return VIRTQ_E_BROKEN;
	q->kicks_enabled = true;
	if (q->event_idx) {
		shm_store16(q->avail_event, q->shadow_avail, VIRTQ_SHM_AVAIL_EVENT);
	} else
		shm_store16(&q->used->flags, 0, VIRTQ_SHM_USED_FLAGS);
	/* F2: expose the re-enable before re-reading avail idx (lost-kick race). */
	shm_fence_full();
	rc = refresh_avail(q);
	if (rc < 0)
		return rc;
	q->avail_event_armed = q->shadow_avail == q->last_avail;
	return q->shadow_avail != q->last_avail;
}

/* ---- state for saving ---- */

int virtq_broken(const struct virtq_queue *q) { return q->broken; }
uint16_t virtq_last_avail(const struct virtq_queue *q) { return q->last_avail; }
uint16_t virtq_used_idx(const struct virtq_queue *q) { return q->published; }
uint32_t virtq_inflight(const struct virtq_queue *q) { return q->inflight; }
