/* SPDX-License-Identifier: MIT */
/*
 * The device-under-test interface: the one way every harness (the fuzz
 * targets, the conformance suite, the interop tests) reaches a device-side
 * split-queue implementation.  An adapter is a table of small operations
 * (struct vdut_adapter) mapping these calls onto one library: the virtq core
 * (dut/adapters/core.c, the worked example), its planted-bug twins, Linux's
 * vringh (dut/adapters/vringh.c), or yours.  One CMake call,
 * virtq_add_device(), builds an adapter into a conformance runner and a set
 * of fuzz targets (README "Your implementation under test").
 *
 * An adapter source defines exactly one adapter, named `vdut_device`:
 *     const struct vdut_adapter vdut_device = { .version = VDUT_VERSION, ... };
 * and no main(): the harness that links it brings its own.
 *
 * Ownership and lifetime
 *   - The harness owns guest memory.  It hands the adapter a region table
 *     (guest-physical address, size, host address) and the ring parts'
 *     guest-physical addresses (and, for convenience, their host addresses).
 *     The adapter never allocates, frees or protects guest memory.  Parts of
 *     it may be read-only or inaccessible to the device at any time: a store
 *     there ends the run with a report.
 *   - The adapter owns its queue state (create / destroy) and, per chain, the
 *     private bytes of struct vdut_chain, whose storage the harness provides.
 *   - One queue exists at a time and all calls come from one thread.  The
 *     harness never calls the adapter re-entrantly from the access log.
 *
 * The device's cycle for one chain, in this order:
 *     pop -> walk -> read (request) -> write (reply) -> push -> publish ->
 *     should_notify
 * with any number of pops / walks between pushes (chains may be returned in
 * any order), and publish / should_notify possibly once for several pushes.
 * read and write act on the chain walked last.
 *
 * Refusals carry a reason in the spec vocabulary of vguest/reason.h.  A
 * device that says why it refused something (reason other than VG_R_OTHER)
 * is held to the reference model's reason; one that cannot say gives
 * VG_R_OTHER and is held only to refusing.  Its own code and name may go in
 * detail / detail_name for the reports.
 */
#ifndef VIRTQ_DUT_H
#define VIRTQ_DUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vguest/reason.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this interface; an adapter sets vdut_adapter.version to it. */
#define VDUT_VERSION 3

/** Result of an operation. */
enum vdut_rc {
	VDUT_OK = 0,         /**< done (pop: a chain was taken) */
	VDUT_EMPTY,          /**< pop: nothing available */
	VDUT_REJECTED,       /**< this avail entry, chain or return is refused; the queue goes on */
	VDUT_QUEUE_BROKEN,   /**< the driver broke the ring protocol; nothing works until reset */
	VDUT_UNSUPPORTED,    /**< the implementation cannot do this (feature, optional op) */
	VDUT_FAILED,         /**< anything else: an adapter or setup error */
};

/** One guest-physical region and where it is mapped in this process. */
struct vdut_region {
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

/** Everything needed to set up a queue (what a transport tells the device). */
struct vdut_queue_params {
	uint32_t size;      /**< queue size Q: a power of two, 1..32768 */
	uint64_t features;  /**< negotiated ring feature bits (1ull << VIRTIO_F_*) */
	uint64_t desc_gpa;  /**< descriptor table, 16*Q bytes */
	uint64_t avail_gpa; /**< avail ring, 6+2*Q bytes */
	uint64_t used_gpa;  /**< used ring, 6+8*Q bytes (zeroed by the driver) */
	void *desc_hva;     /**< the same parts as host pointers (NULL if not in guest memory), */
	void *avail_hva;    /**  for libraries that take those (e.g. vringh_init_kern) */
	void *used_hva;
	const struct vdut_region *regions; /**< guest memory; valid until destroy or set_mem */
	size_t nregions;
	/**
	 * A number the harness draws from its input, for the adapter to vary its
	 * own configuration with (the core's adapter: translation by callback,
	 * tiny segment arrays, its indirect bound).  Oracles never depend on it,
	 * only on the limits the adapter then declares.
	 */
	uint32_t variant;
};

/** Bounds the device declares at create (SPLIT-FRM-2: a device may limit chains). */
struct vdut_limits {
	uint32_t max_segs;     /**< segments per direction one chain may yield; 0: unbounded */
	uint32_t max_indirect; /**< entries one indirect table may have; 0: what the table claims */
};

/** One host-contiguous piece of a chain's buffers. */
struct vdut_seg {
	void *hva;
	uint32_t len;
	bool writable; /**< device-writable (the descriptor's WRITE flag) */
};

/** Bytes of adapter-private storage in each struct vdut_chain. */
#define VDUT_CHAIN_PRIV_BYTES 256

/**
 * A chain on the device side.  The harness provides the storage (one per
 * chain in flight), the adapter fills it in pop() and keeps what it needs
 * until push() in priv.
 */
struct vdut_chain {
	uint16_t head;          /**< pop: the head index (the id of its used entry) */
	enum vg_reason reason;  /**< pop or push refused: why */
	_Alignas(16) unsigned char priv[VDUT_CHAIN_PRIV_BYTES];
};

/** What walk() found. */
struct vdut_walk {
	enum vdut_rc rc;            /**< VDUT_OK, VDUT_REJECTED or VDUT_QUEUE_BROKEN */
	enum vg_reason reason;      /**< when rejected: why */
	const struct vdut_seg *seg; /**< the segments, readable first, in chain order; */
	unsigned nseg;              /**  adapter storage, valid until the next pop */
	uint64_t readable;          /**< bytes in readable segments */
	uint64_t writable;          /**< bytes in writable segments */
	int detail;                 /**< the library's own code for a rejection (reports only) */
	const char *detail_name;    /**< and its name, e.g. "VIRTQ_E_CHAIN_LOOP"; may be NULL */
};

/**
 * What the implementation is about to do to guest memory, for the access log.
 * The kind says what the implementation thinks it is touching: a hostile
 * layout can put a descriptor table and a buffer at the same bytes.
 */
enum vdut_access {
	VDUT_ACC_LOAD,          /**< ring field (avail flags / idx / entry, used_event): 2 bytes */
	VDUT_ACC_LOAD_DESC,     /**< one descriptor, ring table or indirect table: 16 bytes */
	VDUT_ACC_READ,          /**< buffer data read (any size) */
	VDUT_ACC_STORE,         /**< used ring field (flags, idx, entry, avail_event): 2 or 4 bytes */
	VDUT_ACC_WRITE,         /**< buffer data written (any size) */
	VDUT_ACC_FENCE_ACQUIRE, /**< an acquire fence (or acquire load just done); hva NULL */
	VDUT_ACC_FENCE_RELEASE, /**< a release fence (or the release of the next store) */
	VDUT_ACC_FENCE_FULL,    /**< a full (store -> load) fence */
};

/**
 * Access log callback, called *before* each access of guest memory, in
 * program order.  For an acquire load: the load, then FENCE_ACQUIRE; for a
 * release store: FENCE_RELEASE, then the store.  It may read and write guest
 * memory (harnesses play a driver racing the device through it) but never
 * calls back into the adapter.  The log is what the implementation reports
 * about itself: harnesses label evidence drawn from it as such.
 */
typedef void (*vdut_access_fn)(void *opaque, enum vdut_access kind, const void *hva, size_t size);

#define VDUT_CAP_ACCESS_LOG 0x01u  /**< set_access_log */
#define VDUT_CAP_SET_INDICES 0x02u /**< set_indices (restore after migration) */
#define VDUT_CAP_REOPEN 0x04u      /**< reopen (chains in flight when the state was saved) */
#define VDUT_CAP_SET_MEM 0x08u     /**< set_mem (guest memory remapped under a live queue) */
#define VDUT_CAP_GET_INDICES 0x20u /**< get_indices (the state saved for a migration) */
/**
 * The implementation follows the reference model exactly: virtq's reading of
 * the spec (README "Rules that matter"): it refuses every chain the driver
 * was forbidden to build and says why, skips a bad avail entry, breaks the
 * queue when avail idx jumps, re-arms avail_event when it finds the ring
 * empty, caps the used len, notifies whenever the window cannot be judged.
 * Without it a device is held to the spec's latitude instead.
 */
#define VDUT_CAP_EXACT 0x10u

/**
 * The operations.  Every one takes the queue handle create() returned.  None
 * blocks or waits for the driver.
 */
struct vdut_adapter {
	unsigned version;        /**< VDUT_VERSION */
	const char *name;        /**< short name for reports: "core", "planted:no_len_cap" */
	const char *description; /**< one line for the report */
	uint64_t features;       /**< ring feature bits it can run with */
	unsigned caps;           /**< VDUT_CAP_* */

	/**
	 * Set up a queue over guest memory, as a device does when the driver
	 * enables it.  Must not write guest memory.  @return VDUT_OK, *q and
	 * *lim; VDUT_UNSUPPORTED if @p p->features holds a bit it does not
	 * implement; VDUT_REJECTED if the layout is unusable (parts misaligned,
	 * outside guest memory, overlapping); VDUT_FAILED otherwise.
	 */
	enum vdut_rc (*create)(const struct vdut_queue_params *p, void **q, struct vdut_limits *lim);

	/** Tear the queue down; touches no guest memory. */
	void (*destroy)(void *q);

	/**
	 * Take the next available chain.  @return VDUT_OK and c->head;
	 * VDUT_EMPTY; VDUT_REJECTED (the avail entry was consumed but names no
	 * chain that can be returned; c->reason) ; VDUT_QUEUE_BROKEN (c->reason).
	 */
	enum vdut_rc (*pop)(void *q, struct vdut_chain *c);

	/**
	 * Walk the chain popped last, completely, into host segments (readable
	 * first), validating it.  A rejected chain must still be returned with
	 * push(c, 0).  Sets @p w fully.  @return w->rc.
	 */
	enum vdut_rc (*walk)(void *q, struct vdut_chain *c, struct vdut_walk *w);

	/** Copy up to @p n request bytes at the chain's cursor, through the library's copy routine. */
	size_t (*read)(void *q, struct vdut_chain *c, void *dst, size_t n);

	/** Copy up to @p n reply bytes into the writable part at the cursor, likewise. */
	size_t (*write)(void *q, struct vdut_chain *c, const void *src, size_t n);

	/**
	 * Write the used entry for @p c (id = head, len) without publishing it.
	 * @p written is what the device model says it wrote; it may exceed the
	 * writable part: the published len must never do so.  @return VDUT_OK,
	 * VDUT_REJECTED (not in flight, or taken before a reset or restore:
	 * c->reason), VDUT_QUEUE_BROKEN, VDUT_FAILED.
	 */
	enum vdut_rc (*push)(void *q, struct vdut_chain *c, uint32_t written);

	/** Make every pushed entry visible: store used idx (release). */
	enum vdut_rc (*publish)(void *q);

	/** One notification decision for what was published since the previous one. */
	enum vdut_rc (*should_notify)(void *q, bool *notify);

	/** Ask the driver not to kick. */
	enum vdut_rc (*disable_kicks)(void *q);

	/** Ask the driver to kick again and re-check; *pending: chains arrived meanwhile. */
	enum vdut_rc (*enable_kicks)(void *q, bool *pending);

	/** Back to the state right after create: indices 0, nothing in flight.  Touches no guest memory. */
	void (*reset)(void *q);

	/**
	 * Optional (VDUT_CAP_SET_INDICES): start from last_avail / used_idx as
	 * after a migration, nothing in flight.  @return VDUT_OK, VDUT_REJECTED
	 * (more than Q apart).
	 */
	enum vdut_rc (*set_indices)(void *q, uint16_t last_avail, uint16_t used_idx);

	/**
	 * Optional (VDUT_CAP_GET_INDICES): the state a VMM saves for a migration
	 * (vhost-user GET_VRING_BASE): the next avail slot the device will
	 * consume, the used idx it last published, and how many chains it has
	 * taken and not returned.  Touches no guest memory.
	 */
	void (*get_indices)(void *q, uint16_t *last_avail, uint16_t *used_idx, uint32_t *inflight);

	/**
	 * Optional (VDUT_CAP_REOPEN): re-open @p head, a chain in flight when the
	 * state was saved, so it can be walked and returned.  As pop otherwise.
	 */
	enum vdut_rc (*reopen)(void *q, uint16_t head, struct vdut_chain *c);

	/**
	 * Optional (VDUT_CAP_SET_MEM): guest memory was remapped (vhost-user
	 * SET_MEM_TABLE): same guest-physical contents, new host addresses; the
	 * old table and mappings are gone once this returns.  Rings stay at the
	 * same guest addresses.  @return VDUT_OK, VDUT_REJECTED (the rings are not
	 * in the new map: the queue is then unusable until created again).
	 */
	enum vdut_rc (*set_mem)(void *q, const struct vdut_region *regions, size_t n);

	/**
	 * Optional (VDUT_CAP_ACCESS_LOG): report every guest memory access of this
	 * queue to @p fn (NULL stops).
	 */
	enum vdut_rc (*set_access_log)(void *q, vdut_access_fn fn, void *opaque);
};

/** The adapter an adapter source defines (see the top of this file). */
extern const struct vdut_adapter vdut_device;

/** Name of a result code ("QUEUE_BROKEN"). */
const char *vdut_rc_name(enum vdut_rc rc);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_DUT_H */
