/* SPDX-License-Identifier: MIT */
/*
 * virtq conformance suite: the adapter an implementation under test provides.
 *
 * The suite plays the driver and the device model; the implementation under
 * test is the device-side queue library in between.  An adapter is a table of
 * small operations (struct vqc_adapter) that maps the suite's calls onto one
 * library: the virtq core (conformance/adapters/core.c, the worked example),
 * its planted-bug twins, or another library such as Linux's vringh.  To run
 * the suite against it, link the suite library with the adapter and call
 * vqc_main() from main() (see README "Conformance").
 *
 * Ownership and lifetime
 *   - The suite owns guest memory.  It maps one region, lays out the three
 *     ring parts, buffers and indirect tables in it, and gives the adapter
 *     the region table and the parts' guest-physical addresses (and, for
 *     convenience, their host addresses).  The adapter never allocates,
 *     frees or protects guest memory.  Parts of it are read-only (mprotect)
 *     while the device runs: a store there kills the test with a report.
 *   - The adapter owns its queue state (create/destroy) and, per chain, the
 *     private bytes in struct vqc_chain, whose storage the suite provides.
 *   - One queue exists at a time and all calls come from one thread.  The
 *     suite never calls the adapter re-entrantly from the access log.
 *
 * The device model's cycle for one chain, in this order:
 *     pop -> walk -> read (request) -> write (reply) -> push -> publish ->
 *     should_notify
 * with any number of pops/walks between pushes (chains may be returned in
 * any order), and publish / should_notify possibly once for several pushes.
 * read and write act on the chain walked last; the suite finishes with one
 * chain (up to write) before it pops the next.
 *
 * Return codes (enum vqc_rc) are common to all implementations: an adapter
 * maps its library's errors onto them and may pass the library's own code and
 * name in vqc_walk.detail / detail_name for the report.
 */
#ifndef VIRTQ_CONFORMANCE_ADAPTER_H
#define VIRTQ_CONFORMANCE_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this interface; an adapter sets vqc_adapter.version to it. */
#define VQC_ADAPTER_VERSION 1

/** Result of an adapter operation. */
enum vqc_rc {
	VQC_OK = 0,         /**< done (pop: a chain was taken) */
	VQC_EMPTY,          /**< pop: nothing available */
	VQC_CHAIN_REJECTED, /**< this chain (or avail entry) is malformed; the queue goes on */
	VQC_QUEUE_BROKEN,   /**< the driver broke the ring protocol; nothing works until reset */
	VQC_UNSUPPORTED,    /**< the implementation cannot do this (feature, optional op) */
	VQC_FAILED,         /**< anything else: an adapter or setup error (a test bug) */
};

/** One guest-physical region and where it is mapped in this process. */
struct vqc_region {
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

/** Everything needed to set up a queue (what a transport would have told the device). */
struct vqc_queue_params {
	uint32_t size;      /**< queue size Q: a power of two, 1..32768 */
	uint64_t features;  /**< negotiated bits (1ull << VIRTQ_F_*), ring features only */
	uint64_t desc_gpa;  /**< descriptor table, 16*Q bytes, 16-byte aligned */
	uint64_t avail_gpa; /**< avail ring, 6+2*Q bytes, 2-byte aligned */
	uint64_t used_gpa;  /**< used ring, 6+8*Q bytes, 4-byte aligned (zeroed by the driver) */
	void *desc_hva;     /**< the same three parts as host pointers, for libraries */
	void *avail_hva;    /**  that take those (e.g. vringh_init_kern) */
	void *used_hva;
	const struct vqc_region *regions; /**< guest memory; valid until destroy */
	size_t nregions;
};

/** One host-contiguous piece of a chain's buffers. */
struct vqc_seg {
	void *hva;
	uint32_t len;
	bool writable; /**< device-writable (the descriptor's WRITE flag) */
};

/** Bytes of adapter-private storage in each struct vqc_chain. */
#define VQC_CHAIN_PRIV_BYTES 256

/**
 * A chain on the device side.  The suite provides the storage (one per chain
 * in flight, so up to Q of them), the adapter fills it in pop() and keeps
 * whatever it needs until push() in priv.
 */
struct vqc_chain {
	uint16_t head; /**< pop: the head descriptor index (the id of its used entry) */
	_Alignas(16) unsigned char priv[VQC_CHAIN_PRIV_BYTES];
};

/** What walk() found. */
struct vqc_walk {
	enum vqc_rc rc;             /**< VQC_OK, VQC_CHAIN_REJECTED or VQC_QUEUE_BROKEN */
	const struct vqc_seg *seg;  /**< the chain's segments, readable first, in chain order; */
	unsigned nseg;              /**  adapter storage, valid until the next pop */
	uint64_t readable;          /**< bytes in readable segments */
	uint64_t writable;          /**< bytes in writable segments */
	int detail;                 /**< the library's own code for a rejection (report only) */
	const char *detail_name;    /**< and its name, e.g. "VIRTQ_E_CHAIN_LOOP"; may be NULL */
};

/** Kind of guest memory access, for the access log. */
enum vqc_access {
	VQC_ACC_LOAD,          /**< about to read @size bytes at @hva (ring field, descriptor, buffer) */
	VQC_ACC_STORE,         /**< about to write @size bytes at @hva */
	VQC_ACC_FENCE_ACQUIRE, /**< an acquire fence (or acquire load just done); hva NULL */
	VQC_ACC_FENCE_RELEASE, /**< a release fence (or the release of the next store) */
	VQC_ACC_FENCE_FULL,    /**< a full (store->load) fence */
};

/**
 * Access log callback.  Called *before* each access of guest memory, in
 * program order, with the host address.  For an acquire load the load is
 * reported, then VQC_ACC_FENCE_ACQUIRE; for a release store
 * VQC_ACC_FENCE_RELEASE, then the store.  The callback may read and write
 * guest memory (the suite uses it to play a driver racing the device) but
 * never calls back into the adapter.
 */
typedef void (*vqc_access_fn)(void *opaque, enum vqc_access kind, const void *hva, size_t size);

/** The implementation can report every guest memory access (set_access_log). */
#define VQC_CAP_ACCESS_LOG 0x1u
/** The implementation can start at given indices (set_indices). */
#define VQC_CAP_SET_INDICES 0x2u

/**
 * The operations.  Every one takes the queue handle that create() returned.
 * All return promptly: none blocks or waits for the driver.
 */
struct vqc_adapter {
	unsigned version;        /**< VQC_ADAPTER_VERSION */
	const char *name;        /**< short name for reports: "core", "planted:no_len_cap" */
	const char *description; /**< one line for the report */
	uint64_t features;       /**< ring feature bits it can run with (INDIRECT_DESC, EVENT_IDX, ...) */
	unsigned caps;           /**< VQC_CAP_* */

	/**
	 * Set up a queue over guest memory, as a device does when the driver
	 * enables it.  Must not write guest memory (the driver zeroed the used
	 * ring).  @return VQC_OK and *q; VQC_UNSUPPORTED if @p p->features holds
	 * a bit it does not implement; VQC_FAILED otherwise.
	 */
	enum vqc_rc (*create)(const struct vqc_queue_params *p, void **q);

	/** Tear the queue down; touches no guest memory. */
	void (*destroy)(void *q);

	/**
	 * Take the next available chain (the device saw a kick, or polls).
	 * Reads avail idx and the head at ring[last_avail mod Q].
	 * @return VQC_OK and c->head set; VQC_EMPTY if the driver exposed
	 *         nothing new; VQC_CHAIN_REJECTED if the avail entry was consumed
	 *         but names no chain that can be returned (head >= Q, head already
	 *         in flight): nothing is owed for it; VQC_QUEUE_BROKEN.
	 */
	enum vqc_rc (*pop)(void *q, struct vqc_chain *c);

	/**
	 * Walk the chain popped last, completely, into host segments (readable
	 * first), validating it.  An adapter whose library pops and walks in one
	 * call (vringh_getdesc) does both in pop() and reports here.
	 * @p w->rc VQC_CHAIN_REJECTED: the chain is malformed; it must still be
	 * returned with push(c, 0) (the suite does).  Sets @p w fully.
	 * @return w->rc.
	 */
	enum vqc_rc (*walk)(void *q, struct vqc_chain *c, struct vqc_walk *w);

	/**
	 * Copy up to @p n bytes of the request (readable part) from the chain's
	 * cursor into @p dst, through the library's own copy routine.
	 * @return bytes copied (fewer only at the end of the readable part).
	 */
	size_t (*read)(void *q, struct vqc_chain *c, void *dst, size_t n);

	/**
	 * Copy up to @p n bytes of the reply from @p src into the chain's
	 * writable part at the cursor, through the library's own copy routine
	 * (so a library that hands out the wrong segments shows it here).
	 * @return bytes copied (fewer only when the writable part is full).
	 */
	size_t (*write)(void *q, struct vqc_chain *c, const void *src, size_t n);

	/**
	 * Write the used entry for @p c (id = head, len) without publishing it.
	 * @p written is what the device model says it wrote; it may exceed the
	 * writable part (a device bug): the published len must never do so, so
	 * an adapter whose library does not cap len caps it here.
	 * @return VQC_OK, VQC_QUEUE_BROKEN or VQC_FAILED.
	 */
	enum vqc_rc (*push)(void *q, struct vqc_chain *c, uint32_t written);

	/** Make every pushed entry visible: store used idx (release). */
	enum vqc_rc (*publish)(void *q);

	/**
	 * Decide whether the driver wants a used-buffer notification for what
	 * was published since the previous decision (avail flags / used_event).
	 * Each call is one decision; the suite calls it after publish.
	 */
	enum vqc_rc (*should_notify)(void *q, bool *notify);

	/** Ask the driver not to kick (used flags / stop moving avail_event). */
	enum vqc_rc (*disable_kicks)(void *q);

	/**
	 * Ask the driver to kick again and re-check the avail ring.
	 * @param pending  out: chains became available meanwhile (pop them)
	 */
	enum vqc_rc (*enable_kicks)(void *q, bool *pending);

	/**
	 * Return to the state right after create(): indices 0, nothing in
	 * flight.  Touches no guest memory (the driver re-initialises the rings
	 * before it uses the queue again).
	 */
	void (*reset)(void *q);

	/**
	 * Optional (VQC_CAP_SET_INDICES, else NULL): start from last_avail /
	 * used_idx as after a migration, nothing in flight.  Lets the suite test
	 * the 16-bit wrap without 65536 completions first.
	 */
	enum vqc_rc (*set_indices)(void *q, uint16_t last_avail, uint16_t used_idx);

	/**
	 * Optional (VQC_CAP_ACCESS_LOG, else NULL): report every guest memory
	 * access of this queue to @p fn (NULL stops).  Needed for the ordering
	 * clauses (SPLIT-USED-5/6/11, ORD-*) and SPLIT-DESC-3; without it they
	 * are reported as untested.
	 */
	enum vqc_rc (*set_access_log)(void *q, vqc_access_fn fn, void *opaque);
};

/**
 * Run the suite against @p impl: the whole main() of a suite binary.
 * Options: --list, --results FILE (JSON lines the report reads),
 * --xml FILE (Check's own log), --catalogue FILE (clauses.tsv).
 * Check's CK_INCLUDE_TAGS / CK_RUN_CASE select tests by clause or name.
 * @return process exit status: 0 if every test ran clean.
 */
int vqc_main(int argc, char **argv, const struct vqc_adapter *impl);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_CONFORMANCE_ADAPTER_H */
