/* SPDX-License-Identifier: MIT */
/*
 * Guest memory for the conformance suite: one region above 4 GiB, a kind for
 * every byte (which ring part, buffer or guard it belongs to), a shadow copy
 * of everything the device must not change, and page protection.
 *
 * The catalogue's RO-view technique: the region is a memfd mapped twice.
 * The device's view (the host addresses in the region table) has the
 * driver-owned pages read-only for good; the harness writes through a second,
 * read-write view of the same pages.  No protection changes while a test
 * runs, so a device store into driver memory faults deterministically, at
 * any moment, and the fault handler reports the clause from the kind of the
 * byte hit (the test then ends).
 *
 * Layout (pages, in guest-physical order):
 *   RO zone   descriptor table, avail ring, readable buffers and indirect
 *             tables: read-only in the device's view.
 *   RW zone   used ring, writable buffers: the device may write the used
 *             ring parts and the writable buffers; everything else it
 *             changes is found by comparing with the shadow.
 * Every ring part sits on pages of its own at exactly its minimum alignment,
 * straddling a page boundary, with guard bytes before and after it; every
 * buffer and table has guard bytes after it.  The driver side of the suite
 * writes through guest_write(), which also updates the shadow.
 *
 * The suite links no implementation, so this is self-contained (no arena
 * from virtq_testing: that one translates through the core's mem layer).
 */
#ifndef VQC_GUEST_H
#define VQC_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Kind of a guest byte. */
enum gk {
	GK_FREE,
	GK_DESC,
	GK_AVAIL_FLAGS,
	GK_AVAIL_IDX,
	GK_AVAIL_RING,
	GK_USED_EVENT,
	GK_USED_FLAGS,
	GK_USED_IDX,
	GK_USED_ELEM,
	GK_AVAIL_EVENT,
	GK_INDIRECT,
	GK_RBUF,
	GK_WBUF,
	GK_GUARD_DESC,
	GK_GUARD_AVAIL,
	GK_GUARD_USED,
	GK_GUARD_IND,
	GK_GUARD_RBUF,
	GK_GUARD_WBUF,
	GK_OLD_RING,
	GK_COUNT
};

#define GUARD_BYTE 0xA5

struct gzone {
	size_t off, end, next; /* bump allocator over [off, end) */
};

struct prange {
	size_t off, len;
	bool none; /* inaccessible to the device (old rings) */
};

struct guest {
	uint64_t gpa;
	size_t size;
	unsigned char *hva;  /* the device's view */
	unsigned char *drv;  /* the harness's read-write view of the same pages */
	unsigned char *kind;
	unsigned char *shadow;
	size_t page;
	struct prange pr[8];
	unsigned npr;
	struct gzone ro, rw;
	const char *override_clause; /* robustness tests: stray writes count against this */
};

/** Map @p size bytes (page multiple) at guest-physical @p gpa; installs the fault handler. */
int guest_init(struct guest *g, uint64_t gpa, size_t size);
void guest_destroy(struct guest *g);

/** Whether the device may write bytes of this kind. */
bool gk_device_writable(enum gk k);
/** The clause a device store into this kind violates. */
const char *gk_clause(enum gk k);
/** A readable name for reports. */
const char *gk_name(enum gk k);

/** Kind of the byte at @p gpa (GK_FREE outside the region). */
enum gk guest_kind(const struct guest *g, uint64_t gpa);
/** Guest-physical address of host @p hva, or 0 if it is not guest memory. */
uint64_t guest_gpa(const struct guest *g, const void *hva);
/** The device's view of @p gpa (what the region table gives the implementation). */
void *guest_hva(const struct guest *g, uint64_t gpa);
/** The harness's read-write view of @p gpa. */
unsigned char *guest_ptr(const struct guest *g, uint64_t gpa);

/** Set the kind of [gpa, gpa+len). */
void guest_mark(struct guest *g, uint64_t gpa, size_t len, enum gk k);
/** Guard bytes of kind @p k at [gpa, gpa+len). */
void guest_guard(struct guest *g, uint64_t gpa, size_t len, enum gk k);

/** Make [gpa, gpa+len) (page-aligned) read-only in the device's view. */
void guest_protect(struct guest *g, uint64_t gpa, size_t len);
/** Make [gpa, gpa+len) (page-aligned) inaccessible to the device (old rings, VQ-RST-5). */
void guest_seal(struct guest *g, uint64_t gpa, size_t len);

/** Driver store: memory and shadow. */
void guest_write(struct guest *g, uint64_t gpa, const void *src, size_t len);
void guest_fill(struct guest *g, uint64_t gpa, int byte, size_t len);
/** Store to device-writable memory (poison): no skip when unchanged. */
void guest_write_raw(struct guest *g, uint64_t gpa, const void *src, size_t len);
void guest_fill_raw(struct guest *g, uint64_t gpa, int byte, size_t len);
void guest_read(const struct guest *g, uint64_t gpa, void *dst, size_t len);
uint16_t guest_ld16(const struct guest *g, uint64_t gpa);
uint32_t guest_ld32(const struct guest *g, uint64_t gpa);
void guest_st16(struct guest *g, uint64_t gpa, uint16_t v);

/**
 * Bump allocation in a zone, @p align a power of two, followed by @p guard
 * guard bytes of kind @p gkind.  Aborts the test if the zone is full (a
 * suite sizing bug).
 */
uint64_t guest_alloc(struct guest *g, struct gzone *z, size_t len, size_t align, enum gk kind,
		     enum gk gkind, size_t guard);

/** Compare all memory the device must not change with the shadow; report and resync. */
void guest_compare(struct guest *g);

#endif /* VQC_GUEST_H */
