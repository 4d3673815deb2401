/* SPDX-License-Identifier: MIT */
/*
 * The driver side of one split queue, as the hostile guest plays it.
 *
 * Well-behaved, it is modelled on Linux's drivers/virtio/virtio_ring.c:
 * descriptors come from a free list linked through free_next (0 -> 1 -> ...
 * at creation, or a permutation), a chain takes them in free-list order and
 * each descriptor's next field is the free_next of its index, so free_next is
 * also the driver's private copy of the links (Linux's desc_extra[].next).
 * Completions splice chains back along that private copy, never along guest
 * memory, so a device (or a test) that corrupts descriptors cannot corrupt
 * the driver's books.  Chains are readable buffers then writable ones, direct,
 * indirect, or direct followed by one indirect table (§2.7.5.3); publishing
 * stores avail idx once (release), then decides whether to kick from used
 * flags or avail_event (§2.7.10, SPLIT-ANS-4/5/6) with the guest's own event
 * rule: the driver kicks only when suppression asks for it.
 *
 * Hostile, it writes any field anywhere: raw descriptors in the ring table or
 * in tables of its own, avail entries staged beyond idx, avail idx moved by
 * any amount, heads it does not own, loops, scribbles on the used ring.
 *
 * It keeps a record per head (state, descriptors, readable and writable
 * capacity, buffers, token) and per avail slot (which head it put there, and
 * whether on purpose malformed), so that a harness can judge what a device
 * hands back.  Everything goes through vguest/mem.h in little-endian order;
 * avail idx, flags and used_event are single-copy atomic stores when aligned.
 */
#ifndef VGUEST_DRIVER_H
#define VGUEST_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "vguest/layout.h"
#include "vguest/mem.h"
#include "vguest/store.h"

#define VG_CHAIN_MAX 64          /* buffers in one built chain */
#define VG_POISON 0x5A           /* writable buffers are filled with it before the device runs */
#define VG_POISON_ID 0xFFFFFFFFu /* used entries before the device runs (poison_used) */
#define VG_POISON_LEN 0xDEADBEEFu

/** One buffer of a chain. */
struct vg_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

/** A chain under construction: buffers in chain order, readable first.  Appends past
 * VG_CHAIN_MAX are dropped. */
struct vg_chain {
	struct vg_buf buf[VG_CHAIN_MAX];
	unsigned n;
};

/** How vg_drv_add_opts() lays a chain out. */
struct vg_add_opts {
	unsigned ndirect;     /**< buffers in direct descriptors before one INDIRECT (>= n: no table; 0: all in the table) */
	bool ind_write;       /**< set WRITE on the INDIRECT descriptor (SPLIT-IND-8) */
	unsigned ind_garbage; /**< garbage entries after the last linked table entry (SPLIT-IND-1) */
	bool ind_shuffle;     /**< link table entries out of index order (entry 0 stays first) */
	bool hostile;         /**< malformed on purpose: the record says rejection is right */
	uint64_t token;       /**< caller's cookie, returned at reap */
};

/** Driver record of a head. */
enum { VG_HEAD_FREE, VG_HEAD_ADDED, VG_HEAD_EXPOSED };
struct vg_head {
	uint8_t state;
	bool hostile;
	uint16_t ndesc;  /* descriptors taken from the ring table */
	uint32_t rcap;   /* readable bytes */
	uint32_t wcap;   /* writable bytes */
	uint64_t token;
	uint32_t b0, nb, bcap; /* its buffers: drv->bufs[b0 .. b0 + nb) */
	uint64_t table;        /* its indirect table (reused), or 0 */
	uint32_t table_n;      /* entries the table has room for */
};

/** A used entry taken by vg_drv_reap(). */
enum vg_used_verdict {
	VG_USED_OK,
	VG_USED_BAD_ID,       /* id >= queue size */
	VG_USED_NOT_EXPOSED,  /* id names no chain the driver has outstanding */
	VG_USED_LEN_OVER,     /* len exceeds the chain's writable part (SPLIT-USED-3) */
};
struct vg_used {
	uint16_t idx;  /* free-running used index of the entry */
	uint32_t id, len;
	uint64_t token;
	enum vg_used_verdict verdict;
};

struct vg_drv {
	struct vg_mem *mem;
	uint32_t size;
	uint64_t features;
	uint64_t desc, avail, used; /* ring parts */
	struct vg_zone rzone;       /* readable buffers and indirect tables; default: vg_mem_alloc */
	struct vg_zone wzone;       /* writable buffers */
	bool own_zones;             /* rzone / wzone set; else the mem's cursor */
	uint16_t avail_idx;         /* next avail slot to fill (staged entries included) */
	uint16_t avail_pub;         /* last value stored to avail idx */
	uint16_t last_used;         /* next used entry to reap */
	uint16_t free_head;
	uint32_t num_free;
	struct vg_store books[4];   /* where the four arrays below live, kept by vg_drv_reuse */
	uint16_t *free_next;        /* [size] */
	struct vg_head *head;       /* [size] */
	uint16_t *slot_head;        /* [size]: what the driver put at avail ring[slot] */
	bool *slot_hostile;         /* [size]: and whether that was malformed on purpose */
	uint32_t heads_used;        /* head records at or past this are all zero ... */
	uint32_t heads_zeroed;      /* ... up to this one (<= the books' size); past it, anything */
	struct vg_buf *bufs;
	uint32_t nbufs, capbufs;
	uint32_t exposed;           /* heads EXPOSED: published and not yet reaped */
	bool poison_used;           /* poison the used slots newly exposed chains will take */
	bool strict_kicks;          /* kick_pending follows suppression exactly */
	uint64_t kicks;             /* kicks the driver decided to send */
	bool kick_pending;
	uint64_t notifications;     /* used-buffer notifications received */
	uint64_t rng;
};

/**
 * The driver side of a queue of @p size entries (power of two) in @p m: ring
 * parts allocated at their minimum alignment, zeroed (SPLIT-ANS-1), marked
 * and followed by guard bytes.  @return the driver, or NULL.
 */
struct vg_drv *vg_drv_create(struct vg_mem *m, uint32_t size, uint64_t features);
/** Same, with the ring parts where the caller put them (possibly bogus). */
struct vg_drv *vg_drv_create_at(struct vg_mem *m, uint32_t size, uint64_t features, uint64_t desc,
				uint64_t avail, uint64_t used);
void vg_drv_destroy(struct vg_drv *d);
/**
 * Make @p d what vg_drv_create_at() on its memory would return, keeping its
 * allocations (grown when @p size needs more): one driver serves every fuzz
 * input without allocating per input.  @return 0, or -1 (bad size, out of memory).
 */
int vg_drv_reuse(struct vg_drv *d, uint32_t size, uint64_t features, uint64_t desc, uint64_t avail,
		 uint64_t used);

/** Buffers and tables from these zones from now on (readable side, writable side). */
void vg_drv_use_zones(struct vg_drv *d, struct vg_zone rz, struct vg_zone wz);
/**
 * Start over (the driver re-initialises the rings before reusing the queue):
 * rings zeroed, every record free, indices 0, free list in order or, with
 * @p shuffle, permuted by the driver's generator.
 */
void vg_drv_restart(struct vg_drv *d, bool shuffle);
/** Move the queue to new ring parts of @p size entries (records free, indices 0). */
int vg_drv_relocate(struct vg_drv *d, uint32_t size, uint64_t desc, uint64_t avail, uint64_t used);
/** Both sides start at @p idx: avail idx and the driver's indices (nothing outstanding). */
void vg_drv_start_at(struct vg_drv *d, uint16_t idx);

/* ---- building chains ---- */

void vg_chain_init(struct vg_chain *c);
/** A readable buffer holding @p data (zeros if NULL).  @return its gpa, 0 if full. */
uint64_t vg_chain_readable(struct vg_drv *d, struct vg_chain *c, const void *data, uint32_t len);
/** A writable buffer of @p len bytes filled with VG_POISON.  @return its gpa, 0 if full. */
uint64_t vg_chain_writable(struct vg_drv *d, struct vg_chain *c, uint32_t len);
/** A buffer by raw address (possibly bogus); nothing allocated. */
void vg_chain_ref(struct vg_chain *c, uint64_t gpa, uint32_t len, bool writable);

/* ---- publishing ---- */

/**
 * Write the chain's descriptors and its avail entry, without moving avail idx.
 * @p ndirect as in struct vg_add_opts.  @return the head, or -1 (no
 * descriptors left, empty chain, no room for the table).
 */
int vg_drv_add(struct vg_drv *d, const struct vg_chain *c, unsigned ndirect, uint64_t token);
int vg_drv_add_opts(struct vg_drv *d, const struct vg_chain *c, const struct vg_add_opts *o);
/**
 * Publish everything added: release-store avail idx, full fence, then decide
 * whether to kick.  @return whether the driver kicks (counted in d->kicks).
 */
bool vg_drv_publish(struct vg_drv *d);
/** Publish only the first @p n entries added since the last publish. */
bool vg_drv_publish_n(struct vg_drv *d, uint16_t n);
/** vg_drv_add() of an all-direct chain, then vg_drv_publish().  @return head or -1. */
int vg_drv_add_publish(struct vg_drv *d, const struct vg_chain *c, uint64_t token);

/* ---- completions ---- */

/** Used entries the device has published that the driver has not reaped. */
uint16_t vg_drv_used_pending(const struct vg_drv *d);
/**
 * Take the next used entry if used idx moved (acquire).  A valid id frees its
 * chain.  @return 1 and *u filled, 0 if none.
 */
int vg_drv_reap(struct vg_drv *d, struct vg_used *u);
/** vg_drv_reap() in short: 1 and *id, *len, *token; 0 none; -1 a bad id (entry consumed). */
int vg_drv_get_used(struct vg_drv *d, uint32_t *id, uint32_t *len, uint64_t *token);
/** Count one used-buffer notification. */
void vg_drv_notify(struct vg_drv *d);
/** The buffers recorded for @p head. */
const struct vg_buf *vg_drv_bufs(const struct vg_drv *d, uint16_t head, unsigned *n);

/* ---- suppression fields ---- */

void vg_drv_set_avail_flags(struct vg_drv *d, uint16_t flags);
void vg_drv_set_used_event(struct vg_drv *d, uint16_t v);
uint16_t vg_drv_avail_flags(const struct vg_drv *d);
uint16_t vg_drv_used_event(const struct vg_drv *d);
uint16_t vg_drv_used_flags(const struct vg_drv *d);
uint16_t vg_drv_avail_event(const struct vg_drv *d);
uint16_t vg_drv_used_idx(const struct vg_drv *d);
/** avail idx as guest memory holds it (the device's view). */
uint16_t vg_drv_avail_idx(const struct vg_drv *d);

/* ---- the hostile driver ---- */

/** Descriptor @p idx of the ring table (indices >= size ignored). */
void vg_drv_write_desc(struct vg_drv *d, uint16_t idx, uint64_t addr, uint32_t len, uint16_t flags,
		       uint16_t next);
/** Entry @p i of a descriptor table at @p table (indirect tables). */
void vg_drv_write_table_desc(struct vg_drv *d, uint64_t table, uint32_t i, uint64_t addr, uint32_t len,
			     uint16_t flags, uint16_t next);
/** Descriptor @p idx of the ring table; all-zero if out of the table or unmapped. */
struct vg_desc vg_drv_read_desc(const struct vg_drv *d, uint16_t idx);
/** Store @p v into avail idx as is (release), moving it anywhere. */
void vg_drv_set_avail_idx(struct vg_drv *d, uint16_t v);
/** avail ring[slot mod size] = head, idx untouched (staged beyond idx). */
void vg_drv_set_avail_ring(struct vg_drv *d, uint16_t slot, uint16_t head);
/** Put @p head in the next avail slot as a malformed entry (not a chain the driver owns). */
void vg_drv_add_bogus_head(struct vg_drv *d, uint16_t head);
/** Reserve @p k descriptors in free-list order into @p idx.  @return 0 or -1. */
int vg_drv_take(struct vg_drv *d, unsigned k, uint16_t *idx);
/** Expose head idx[0] (of @p k reserved descriptors) as a malformed chain; @p wcap: writable bytes. */
void vg_drv_add_hostile(struct vg_drv *d, const uint16_t *idx, unsigned k, uint32_t wcap);
/** Write used ring[slot] (the driver scribbling on the device's part). */
void vg_drv_write_used_elem(struct vg_drv *d, uint16_t slot, uint32_t id, uint32_t len);
/** Read used ring[slot]. */
void vg_drv_read_used_elem(const struct vg_drv *d, uint16_t slot, uint32_t *id, uint32_t *len);
/** A direct loop: descriptors a -> b -> a, both readable, 16 bytes at @p buf each. */
void vg_drv_make_loop(struct vg_drv *d, uint16_t a, uint16_t b, uint64_t buf);

/* ---- ring field addresses (for harnesses that read what the device wrote) ---- */

static inline uint64_t vg_drv_used_elem_gpa(const struct vg_drv *d, uint16_t i)
{
	return d->used + vg_used_slot(d->size, i);
}
static inline uint64_t vg_drv_used_event_gpa(const struct vg_drv *d)
{
	return d->avail + vg_used_event_off(d->size);
}
static inline uint64_t vg_drv_avail_event_gpa(const struct vg_drv *d)
{
	return d->used + vg_avail_event_off(d->size);
}
static inline bool vg_drv_has(const struct vg_drv *d, unsigned bit)
{
	return (d->features >> bit) & 1u;
}

#endif /* VGUEST_DRIVER_H */
