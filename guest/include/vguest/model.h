/* SPDX-License-Identifier: MIT */
/*
 * The reference model: what a conformant device does with the rings the
 * guest holds, derived from the spec (virtio 1.2/1.3 §2.7) and from virtq's
 * documented reading of it where the spec leaves a choice (README "Rules that
 * matter" and the error table).  It shares no code with any device: it reads
 * guest memory byte by byte through the guest's own walker, collects a chain
 * into a list before deriving anything from it, and decides notifications
 * slot by slot as the spec words them.  It never writes guest memory.
 *
 * Where the spec gives a device latitude, the model says so instead of
 * pretending there is one answer: a walk carries the other reasons that apply
 * to the descriptor where it stopped (a device may check in another order),
 * whether a device may serve the chain anyway (the driver broke a MUST but
 * the chain is finite and in guest memory), and whether a zero-length
 * descriptor outside guest memory was let through; a notification decision
 * can be "either way" (after a restore, or after 2^16 entries undecided).
 * Harnesses hold an exact device (one that declares virtq's reading) to the
 * model's first answer and any other device to the latitude.
 *
 * Liveness of chains is the model's own, from the spec: a chain handed out
 * before a reset or a restore belongs to an earlier life of the queue and is
 * dead whatever its head, so returning it must be refused.
 */
#ifndef VGUEST_MODEL_H
#define VGUEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vguest/mem.h"
#include "vguest/store.h"
#include "vguest/reason.h"

/** The queue as the driver set it up, and the bounds the device declares. */
struct vg_model_cfg {
	uint32_t size;
	uint64_t features;
	uint64_t desc, avail, used;
	uint32_t max_indirect; /**< entries one indirect table may have; 0: what the table claims */
	uint32_t max_segs;     /**< segments per direction the device holds; 0: unbounded */
};

/** A piece of a buffer, in guest-physical terms. */
struct vg_seg {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

/* What the spec leaves to the device about a walk (struct vg_walk.latitude). */
#define VG_WALK_SERVABLE 0x1u      /* refused by the model, yet finite and in guest memory: a device may serve it */
#define VG_WALK_ZERO_OUTSIDE 0x2u  /* a zero-length descriptor points outside guest memory (catalogue §5 item 2) */
#define VG_WALK_TRUNCATED 0x4u     /* the caller's visit storage ended the walk */

/** One chain, walked by the model. */
struct vg_walk {
	uint16_t head;
	enum vg_reason reason; /**< VG_R_NONE: served */
	uint64_t also;         /**< bit per reason (1 << VG_R_x) a device may give instead */
	unsigned latitude;     /**< VG_WALK_* */
	struct vg_seg *seg;    /**< caller storage for seg_cap segments */
	uint32_t seg_cap, nseg;
	uint64_t *visit;       /**< caller storage: gpa of every descriptor read, in order */
	uint32_t visit_cap, nvisit;
	uint64_t readable, writable; /**< bytes handed out; writable caps the used len */
	uint32_t nr, nw;             /**< segments per direction */
	/** Optional: descriptor k of the walk comes from here, not guest memory (race replay). */
	void (*read_desc)(void *arg, uint32_t k, uint64_t gpa, uint8_t raw[16]);
	void *arg;
};

/** A chain the model handed out: which life of the queue it belongs to. */
struct vg_mchain {
	uint32_t epoch;
	uint16_t head;
	bool returned;
	uint64_t cap; /**< writable bytes its walk handed out */
};

/** What one pop comes to. */
enum vg_pop { VG_POP_CHAIN, VG_POP_EMPTY, VG_POP_REJECTED, VG_POP_BROKEN };

/** One notification decision. */
enum vg_notify { VG_NOTIFY_NO, VG_NOTIFY_YES, VG_NOTIFY_EITHER };

struct vg_used_slot {
	uint32_t id, len;
};

struct vg_model {
	const struct vg_mem *mem;
	struct vg_model_cfg cfg;
	uint32_t imax;            /* effective indirect bound */
	bool indirect, event_idx;
	enum vg_reason broken;
	uint32_t epoch;           /* bumped by reset and restore */
	uint16_t last_avail;      /* next avail slot to consume */
	uint16_t seen_avail;      /* avail idx as last read */
	struct vg_store arrays[4];/* where the four arrays below live, kept by vg_model_reuse */
	uint8_t *inflight;        /* [size] */
	uint32_t ninflight;       /* how many of inflight[] are set: read at every probe */
	/* used side: what the device must have left in the used ring */
	uint16_t next_used;       /* slot of the next completion */
	uint16_t published;       /* entries made visible */
	struct vg_used_slot *ring;/* [size] */
	uint8_t *known;           /* [size]: slot holds a published entry the model vouches for */
	uint8_t *tainted;         /* [size]: returned, unpublished, and the driver wrote over it since */
	uint16_t idx_field, flags_field, event_field;
	bool idx_known, flags_known, event_known;
	/* notifications */
	uint16_t decided;         /* used idx at the last decision */
	uint32_t undecided;       /* entries published since (saturates at 2^16) */
	bool judgeable;           /* false after a restore */
	/* kicks */
	bool kicks_on, armed;
};

/** The verdict on the layout: VG_R_NONE, VG_R_RING_ALIGN or VG_R_RING_RANGE. */
enum vg_reason vg_model_layout(const struct vg_mem *mem, const struct vg_model_cfg *cfg);

/** Set up; false only when out of memory.  Whatever the used ring holds is taken as given. */
bool vg_model_init(struct vg_model *m, const struct vg_mem *mem, const struct vg_model_cfg *cfg);
/**
 * Set up a model that was set up before (and not freed, or freed): its arrays
 * are kept and grown when needed, so a model reused across fuzz inputs
 * allocates once.  Otherwise as vg_model_init().
 */
bool vg_model_reuse(struct vg_model *m, const struct vg_mem *mem, const struct vg_model_cfg *cfg);
void vg_model_free(struct vg_model *m);

/**
 * Take the next avail entry.  VG_POP_CHAIN: @p w walked and @p mc set (the walk
 * may have failed: w->reason); VG_POP_REJECTED: the entry was consumed and
 * names no chain (*why HEAD_RANGE or HEAD_IN_USE); VG_POP_BROKEN: *why
 * AVAIL_IDX (the driver broke the avail protocol now) or BROKEN.
 */
enum vg_pop vg_model_pop(struct vg_model *m, struct vg_walk *w, struct vg_mchain *mc, enum vg_reason *why);
/** Re-open a head in flight when the state was saved (after a restore). */
enum vg_pop vg_model_reopen(struct vg_model *m, uint16_t head, struct vg_walk *w, struct vg_mchain *mc,
			    enum vg_reason *why);
/**
 * Whether avail idx, as guest memory holds it now, is one a driver may have
 * published: at most Q ahead of the device's position and not behind what the
 * model has seen (SPLIT-AV-3, AV-6).  A device that reads avail idx at other
 * moments than the model can only be compared while this holds.
 */
bool vg_model_avail_sane(const struct vg_model *m);
/** Return @p mc with @p written bytes claimed.  @return VG_R_NONE or why it must be refused. */
enum vg_reason vg_model_fill(struct vg_model *m, struct vg_mchain *mc, uint32_t written);
/** Make every returned entry visible.  @return VG_R_NONE or VG_R_BROKEN. */
enum vg_reason vg_model_flush(struct vg_model *m);
/**
 * The state a conformant device would save now (vhost-user GET_VRING_BASE):
 * the next avail slot it consumes, the used idx it published, and the
 * chains it took and has not returned.
 */
void vg_model_indices(const struct vg_model *m, uint16_t *last_avail, uint16_t *used_idx, uint32_t *inflight);
/** One notification decision for what was published since the last one. */
enum vg_notify vg_model_notify(struct vg_model *m);
enum vg_reason vg_model_disable_kicks(struct vg_model *m);
/** @p pending: chains arrived while kicks were off. */
enum vg_reason vg_model_enable_kicks(struct vg_model *m, bool *pending);
void vg_model_reset(struct vg_model *m);
enum vg_reason vg_model_restore(struct vg_model *m, uint16_t last_avail, uint16_t used_idx);
/**
 * The used ring changed under the model: the driver wrote it, or a buffer the
 * driver lent the device lies over it.  What it holds now is the expectation.
 */
void vg_model_take_used(struct vg_model *m);
/**
 * Compare the used ring in guest memory with what the model vouches for:
 * published entries, used idx, and the suppression fields (@p suppression:
 * flags and avail_event too).  @return 0, or -1 with @p msg describing the
 * first difference.
 */
int vg_model_check_used(const struct vg_model *m, bool suppression, char *msg, size_t len);

/**
 * The walk alone, from @p head in the descriptor table of @p cfg, over @p mem
 * (or what w->read_desc supplies).  Bounded by the table sizes and the
 * caller's visit storage.
 */
void vg_model_walk(const struct vg_mem *mem, const struct vg_model_cfg *cfg, uint16_t head,
		   struct vg_walk *w);

/** Whether a device may serve a chain the model refuses for @p r (the chain is finite and mapped). */
bool vg_reason_servable(enum vg_reason r);

#endif /* VGUEST_MODEL_H */
