/* SPDX-License-Identifier: MIT */
/*
 * What the back-end's two halves share: the device's state, and the guest
 * memory and ring operations (rings.c) the protocol (backend.c) calls.
 */
#ifndef VUB_BACKEND_INTERNAL_H
#define VUB_BACKEND_INTERNAL_H

#include "backend.h"

#define NSEG 1024 /* segments one request may have per direction */

struct map {
	struct vhu_region r;
	void *base;  /* mmap of the fd from offset 0 */
	size_t len;  /* mmap_offset + size */
};

struct ring {
	uint32_t num;
	uint16_t base;
	bool have_addr, enabled, started;
	bool inited; /* q holds a queue (started, or stopped because it broke) */
	bool ran;    /* started since the last reset: a restart takes the used idx the ring holds */
	uint64_t desc, avail, used; /* guest-physical, translated from the front-end's addresses */
	int kick, call;
	struct virtq_queue q;
};

struct dev {
	const struct vub_type *type;
	int conn;
	uint64_t features, protocol;
	struct map map[VHU_MAX_REGIONS];
	unsigned nmap;
	struct virtq_mem_region table[VHU_MAX_REGIONS];
	struct virtq_mem mem;
	struct ring ring[VUB_MAX_RINGS];
	struct virtq_seg rseg[NSEG], wseg[NSEG];
};

/* A refusal: one line on stderr naming the message; the caller NACKs (-1). */
int refuse(const struct vhu_msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* rings.c: guest memory */
void unmap_all(struct map *map, unsigned n);
bool gpa_of_uva(const struct dev *d, uint64_t uva, uint64_t len, uint64_t *gpa);
int set_mem_table(struct dev *d, const struct vhu_msg *m, const int *fds, unsigned nfds);

/* rings.c: rings */
void close_fd(int *fd);
void ring_reset(struct ring *r);
int ring_try_start(struct dev *d, unsigned i, const struct vhu_msg *m);
bool ring_kicked(struct dev *d, unsigned i);

#endif /* VUB_BACKEND_INTERNAL_H */
