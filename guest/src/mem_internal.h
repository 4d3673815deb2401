/* SPDX-License-Identifier: MIT */
/* What the guest's memory files share and nothing else sees (vguest/mem.h is the contract). */
#ifndef VGUEST_SRC_MEM_INTERNAL_H
#define VGUEST_SRC_MEM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "vguest/mem.h"

#include "asan.h"

#define MAX_PROT 16

/* One memfd: [guard page | body | guard page] in the device's view, body in the driver's. */
struct vg_backing {
	int fd;
	unsigned char *resv; /* start of the device-view reservation */
	size_t body_len;
	unsigned char *body; /* resv + page */
	unsigned char *drv;
	unsigned char *open; /* under ASan the only addressable part of body (backing_open) */
	size_t open_len;
	struct {
		size_t off, len;
		enum vg_prot prot;
	} prot[MAX_PROT];
	unsigned nprot;
	struct vg_backing *next; /* spare or retired list */
};

static inline size_t vg__round_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

/* mem.c: the prefix of [gpa, gpa + len) in one region, and its offset there. */
const struct vg_region *vg__prefix(const struct vg_mem *m, uint64_t gpa, uint64_t len, uint64_t *contig,
				   uint64_t *off);
/* mem_access.c: run @fn over every region piece of [gpa, gpa + len), all or nothing. */
bool vg__each_piece(const struct vg_mem *m, uint64_t gpa, uint64_t len,
		    void (*fn)(const struct vg_region *r, uint64_t off, uint64_t at, uint64_t n, void *arg),
		    void *arg);
/* mem_shadow.c: a region's shadow, kept by 4 KiB page; an all-zero page is only flagged. */
#define VG_SHADOW_PAGE 4096u
extern const unsigned char vg__zero_page[VG_SHADOW_PAGE];
/* The shadow of new region @r (slot @slot): all zero.  false: out of memory. */
bool vg__shadow_start(struct vg_mem *m, struct vg_region *r, unsigned slot);
/* Make flagged page @p real zeros, before its bytes are used one by one (a run diff_region finds lies in such pages). */
void vg__shadow_open_page(const struct vg_region *r, uint64_t p);
/* The driver wrote [off, off + n) of @r: the shadow follows. */
void vg__shadow_write(const struct vg_region *r, uint64_t off, const void *src, uint64_t n);
void vg__shadow_fill(const struct vg_region *r, uint64_t off, int byte, uint64_t n);
/* The shadow of @r from its current contents (vg_mem_snapshot). */
void vg__shadow_take(const struct vg_region *r);

/* mem_watch.c: protection of the device's view at byte @off of @b's body. */
enum vg_prot vg__prot_of(const struct vg_backing *b, size_t off);

#endif /* VGUEST_SRC_MEM_INTERNAL_H */
