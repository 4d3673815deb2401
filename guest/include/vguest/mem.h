/* SPDX-License-Identifier: MIT */
/*
 * Guest memory: the guest-physical regions the hostile guest owns, and the
 * guest's own walker over them.  It never asks an implementation under test
 * to translate anything: a bug in a device's translation cannot vouch for
 * itself here.
 *
 * Every region is a memfd mapped twice:
 *   dev  the device's view: the host addresses handed to the implementation
 *        under test (the region table).  It sits between two inaccessible
 *        guard pages, so a read or write past either end of any region faults,
 *        and parts of it can be made read-only or inaccessible for good
 *        (vg_mem_protect) while the driver still writes them;
 *   drv  the driver's (harness's) view of the same bytes, always writable.
 * Regions adjacent in guest-physical space are therefore never adjacent in
 * the host: a buffer that straddles them needs two host segments, for real.
 *
 * Placement inside the mapping:
 *   default     the region starts at the same offset in its page as its gpa
 *               (dev == gpa modulo the page size), so page-granular
 *               protection by guest address works;
 *   VG_MEM_TIGHT the region ends at most 15 bytes before the trailing guard
 *               page (dev == gpa modulo 16, which ring alignment checks need),
 *               so an overrun faults without a sanitizer; under ASan the slack
 *               before and after is poisoned, so a one-byte overrun is caught.
 * VG_MEM_REUSE keeps the mappings when the layout is cleared, for the next
 * one (fuzz inputs): nothing is mapped per input once the sizes are known.
 *
 * Optional per-region state: a shadow copy (VG_MEM_SHADOW) that the driver's
 * writes keep in step, so any other difference is a device write; and a kind
 * per byte (VG_MEM_KINDS) saying what the driver put there.
 *
 * Ranges are checked as offsets inside a region, never as gpa + len, so a
 * hostile address cannot overflow the guest's own arithmetic.  A region must
 * end at or below 2^64 - 1 (gpa + size - 1 does not wrap).
 */
#ifndef VGUEST_MEM_H
#define VGUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vguest/store.h"

#define VG_MAX_REGIONS 16
#define VG_GUARD_BYTE 0xA5
#define VG_ALLOC_GUARD 32 /* guard bytes vg_mem_alloc() puts after each allocation */

/* vg_mem_init() options. */
#define VG_MEM_SHADOW 0x1u /* keep a shadow copy (device-write oracle) */
#define VG_MEM_KINDS 0x2u  /* keep a kind per byte */
#define VG_MEM_TIGHT 0x4u  /* regions end at a guard page (see above) */
#define VG_MEM_REUSE 0x8u  /* vg_mem_clear() keeps mappings for reuse */

/** What the driver put at a guest byte (VG_MEM_KINDS). */
enum vg_kind {
	VG_K_FREE,
	VG_K_DESC,
	VG_K_AVAIL_FLAGS,
	VG_K_AVAIL_IDX,
	VG_K_AVAIL_RING,
	VG_K_USED_EVENT,
	VG_K_USED_FLAGS,
	VG_K_USED_IDX,
	VG_K_USED_ELEM,
	VG_K_AVAIL_EVENT,
	VG_K_INDIRECT,
	VG_K_RBUF,
	VG_K_WBUF,
	VG_K_GUARD_DESC,
	VG_K_GUARD_AVAIL,
	VG_K_GUARD_USED,
	VG_K_GUARD_IND,
	VG_K_GUARD_RBUF,
	VG_K_GUARD_WBUF,
	VG_K_GUARD,
	VG_K_OLD_RING,
	VG_K_COUNT
};

/** A readable name ("used ring entry"). */
const char *vg_kind_name(enum vg_kind k);
/** Whether the spec lets the device write bytes of this kind (used ring, writable buffers). */
bool vg_kind_device_writable(enum vg_kind k);
/** Whether @p k is guard bytes (or memory outside any part). */
bool vg_kind_is_guard(enum vg_kind k);

struct vg_backing;

/** One guest-physical region. */
struct vg_region {
	uint64_t gpa;
	uint64_t size;
	unsigned char *dev;    /**< the device's view */
	unsigned char *drv;    /**< the driver's view of the same bytes */
	unsigned char *shadow; /**< VG_MEM_SHADOW, else NULL; a page flagged in shadow_zero is stale */
	unsigned char *shadow_zero; /**< VG_MEM_SHADOW: per 4 KiB page, 1 if its shadow is all zero */
	unsigned char *kind;   /**< VG_MEM_KINDS, else NULL */
	struct vg_backing *b;
};

/** A bump allocator over [next, end) of guest-physical space. */
struct vg_zone {
	uint64_t next, end;
};

/** Device-view protection (vg_mem_protect). */
enum vg_prot { VG_PROT_RW, VG_PROT_RO, VG_PROT_NONE };

struct vg_guard {
	uint64_t gpa;
	uint64_t len;
};

struct vg_mem {
	struct vg_region r[VG_MAX_REGIONS];
	unsigned nr;
	unsigned flags;
	size_t page;
	struct vg_zone cursor; /* vg_mem_alloc: regions in the order added */
	unsigned cursor_region;
	struct vg_guard *guards;
	size_t nguards, capguards;
	struct vg_store shadows[VG_MAX_REGIONS], kinds[VG_MAX_REGIONS]; /* per region slot */
	struct vg_store shadow_zero[VG_MAX_REGIONS];                       /* per region slot */
	struct vg_backing *spare;   /* VG_MEM_REUSE: mappings kept for the next layout */
	struct vg_backing *retired; /* backings replaced by vg_mem_move, inaccessible until clear */
};

/** Empty guest memory with @p flags (VG_MEM_*).  @return 0. */
int vg_mem_init(struct vg_mem *m, unsigned flags);
/** Unmap everything (spares and retired backings too). */
void vg_mem_destroy(struct vg_mem *m);
/** Drop every region (kept for reuse with VG_MEM_REUSE), guards and the cursor. */
void vg_mem_clear(struct vg_mem *m);

/**
 * Add a zero-filled region of @p size bytes at @p gpa.
 * @return its index, or -1 (size 0, wraps 2^64, overlaps a region, table
 *         full, mapping failed).
 */
int vg_mem_add(struct vg_mem *m, uint64_t gpa, uint64_t size);

/**
 * Add a zero-filled region of @p size bytes whose guest-physical address is
 * its device-view host address (m->r[i].gpa == (uintptr_t)m->r[i].dev): the
 * memory of a device that does not translate addresses, e.g. Linux's vringh
 * "kern" accessors, which dereference descriptor and indirect-table addresses
 * as they are.  The gpa is the mapping's, so it is not chosen by the caller;
 * guards, placement (VG_MEM_TIGHT too) and options are those of vg_mem_add().
 * vg_mem_move() gives up the identity (the device view moves, the gpa stays).
 * @return its index, or -1 (size 0 or too large, table full, mapping failed,
 *         the mapping overlaps a region's gpa range).
 */
int vg_mem_add_identity(struct vg_mem *m, uint64_t size);

/**
 * Give region @p i a new host backing with the same contents (what a VMM does
 * when it remaps guest memory; vhost-user SET_MEM_TABLE).  The old device view
 * becomes inaccessible (under ASan: poisoned) and stays reserved until
 * vg_mem_clear(), so a device that keeps a stale translation faults, or
 * ASan reports it, deterministically; either way the fault handler of
 * vg_mem_on_fault() hears of it.  @return 0 or -1.
 */
int vg_mem_move(struct vg_mem *m, unsigned i);

/**
 * The memfd behind region @p i and the offset of the region's first byte in
 * it, for handing guest memory to another process (vhost-user SET_MEM_TABLE).
 * @return the descriptor (owned by @p m), or -1 if there is no region @p i.
 */
int vg_mem_fd(const struct vg_mem *m, unsigned i, uint64_t *offset);

/* ---- the guest's own walker ---- */

/** The region holding @p gpa, or NULL. */
const struct vg_region *vg_mem_find(const struct vg_mem *m, uint64_t gpa);
/**
 * Device-view pointer to the longest prefix of [gpa, gpa + len) inside one
 * region; *contig its length.  NULL (and *contig 0) if len is 0 or @p gpa is
 * not guest memory.
 */
unsigned char *vg_mem_dev(const struct vg_mem *m, uint64_t gpa, uint64_t len, uint64_t *contig);
/** The same in the driver's view. */
unsigned char *vg_mem_drv(const struct vg_mem *m, uint64_t gpa, uint64_t len, uint64_t *contig);
/** Device-view pointer for the one byte at @p gpa, or NULL. */
void *vg_mem_hva(const struct vg_mem *m, uint64_t gpa);
/** Whether all of [gpa, gpa + len) is guest memory (len 0: true). */
bool vg_mem_mapped(const struct vg_mem *m, uint64_t gpa, uint64_t len);
/** Whether [gpa, gpa + len) is non-empty and inside one region. */
bool vg_mem_in_one_region(const struct vg_mem *m, uint64_t gpa, uint64_t len);
/** Guest address of a host pointer into either view of a live region. */
bool vg_mem_gpa_of(const struct vg_mem *m, const void *host, uint64_t *gpa);

/* ---- driver access (all or nothing across regions; the shadow follows) ---- */

bool vg_mem_read(const struct vg_mem *m, uint64_t gpa, void *dst, uint64_t len);
bool vg_mem_write(struct vg_mem *m, uint64_t gpa, const void *src, uint64_t len);
bool vg_mem_fill(struct vg_mem *m, uint64_t gpa, int byte, uint64_t len);
/**
 * A 16-bit ring field, single-copy atomic when naturally aligned inside one
 * region (it races with the device), otherwise a fenced copy.  Unmapped
 * fields read as 0 and stores to them are dropped.
 */
uint16_t vg_mem_load16(const struct vg_mem *m, uint64_t gpa);
void vg_mem_store16(struct vg_mem *m, uint64_t gpa, uint16_t v, bool release);
uint32_t vg_mem_load32(const struct vg_mem *m, uint64_t gpa);

/* ---- kinds, guards, allocation ---- */

/** Set the kind of [gpa, gpa + len) (VG_MEM_KINDS; no-op otherwise). */
void vg_mem_mark(struct vg_mem *m, uint64_t gpa, uint64_t len, enum vg_kind k);
/** Kind of the byte at @p gpa (VG_K_FREE outside guest memory or without kinds). */
enum vg_kind vg_mem_kind(const struct vg_mem *m, uint64_t gpa);
/** Guard bytes of kind @p k at [gpa, gpa + len): filled, marked, and checked later. */
void vg_mem_guard(struct vg_mem *m, uint64_t gpa, uint64_t len, enum vg_kind k);
/** Every guard intact?  If not, *bad_gpa (may be NULL) is the first damaged byte. */
bool vg_mem_guards_intact(const struct vg_mem *m, uint64_t *bad_gpa);

/**
 * Allocate @p len bytes aligned to @p align (a power of two) from @p z,
 * followed by @p guard guard bytes of kind @p gk, and mark the bytes @p kind.
 * @return the gpa, or 0 when the zone is full (0 is never handed out).
 */
uint64_t vg_zone_alloc(struct vg_mem *m, struct vg_zone *z, uint64_t len, uint64_t align,
		       enum vg_kind kind, enum vg_kind gk, uint64_t guard);
/**
 * Allocate from the regions in the order added (VG_ALLOC_GUARD bytes after), moving
 * to the next region when one is full.  @return the gpa, or 0.
 */
uint64_t vg_mem_alloc(struct vg_mem *m, uint64_t len, uint64_t align);
/** Allocate on pages of their own (for vg_mem_protect), a page of guard bytes after. */
uint64_t vg_mem_alloc_pages(struct vg_mem *m, uint64_t len);

/* ---- protection of the device's view ---- */

/**
 * Protect the pages of the device's view covering [gpa, gpa + len), which
 * must lie in one page-placed (not VG_MEM_TIGHT) region.  The driver's view
 * stays writable.  @return 0 or -1.
 */
int vg_mem_protect(struct vg_mem *m, uint64_t gpa, uint64_t len, enum vg_prot prot);
/** Protection of the device's view at @p gpa. */
enum vg_prot vg_mem_prot_at(const struct vg_mem *m, uint64_t gpa);

/**
 * Called from the SIGSEGV/SIGBUS handler when the fault address lies in a
 * device view (a protected page, a guard page, a retired backing), and under
 * ASan from its error report when the first poisoned byte of the access
 * does (a retired backing, a region's slack bytes): then
 * vg_mem_fault_in_report() is true, and a handler that returns lets ASan end
 * the process its own way (a fuzzer's crash file is written there).  Only
 * async-signal-safe work; it should end the process.  @p gpa is the guest
 * address (0 for a guard page or retired memory, with @p what saying which).
 */
typedef void (*vg_fault_fn)(void *arg, uint64_t gpa, enum vg_kind kind, const char *what);
/** Install the handler for @p m (one guest memory per process); NULL removes it. */
void vg_mem_on_fault(struct vg_mem *m, vg_fault_fn fn, void *arg);
/** Whether the fault handler is running from ASan's report rather than from a signal. */
bool vg_mem_fault_in_report(void);

/* ---- the device-write oracle (VG_MEM_SHADOW) ---- */

/** Take the shadow from the current contents. */
void vg_mem_snapshot(struct vg_mem *m);
/**
 * Visit every byte that differs from the shadow (what only a device can have
 * written), skipping inaccessible pages, then take it into the shadow.
 */
void vg_mem_diff(struct vg_mem *m, void (*visit)(void *arg, uint64_t gpa, uint8_t was, uint8_t now),
		 void *arg);
/** The same, a call per run of consecutive differing bytes (faster when a device writes much). */
void vg_mem_diff_runs(struct vg_mem *m, void (*visit)(void *arg, uint64_t gpa, uint64_t len), void *arg);

#endif /* VGUEST_MEM_H */
