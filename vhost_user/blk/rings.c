/* SPDX-License-Identifier: MIT */
/*
 * The back-end's guest memory and rings (see backend_internal.h): the
 * front-end's memory table mapped and translated, each ring started on the
 * core once it has everything, and served when kicked.  The protocol that
 * drives them is backend.c's.
 */
#include "backend_internal.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- guest memory ---- */

void unmap_all(struct map *map, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		munmap(map[i].base, map[i].len);
}

/* The guest address of front-end address @uva, if a region holds [uva, uva + len). */
bool gpa_of_uva(const struct dev *d, uint64_t uva, uint64_t len, uint64_t *gpa)
{
	for (unsigned i = 0; i < d->nmap; i++) {
		const struct vhu_region *r = &d->map[i].r;

		if (uva >= r->uva && uva - r->uva < r->size && len <= r->size - (uva - r->uva)) {
			*gpa = r->gpa + (uva - r->uva);
			return true;
		}
	}
	return false;
}

/* One region of a SET_MEM_TABLE: checked for wraps before anything is mapped. */
static int map_region(const struct vhu_msg *m, unsigned i, int fd, struct map *out)
{
	const struct vhu_region *r = &m->p.mem.r[i];
	void *p;

	if (r->size == 0 || r->gpa + (r->size - 1) < r->gpa || r->uva + (r->size - 1) < r->uva)
		return refuse(m, "region %u: size %llu at gpa 0x%llx / uva 0x%llx is empty or wraps 2^64", i,
			      (unsigned long long)r->size, (unsigned long long)r->gpa, (unsigned long long)r->uva);
	if (r->mmap_offset + r->size < r->mmap_offset || r->mmap_offset + r->size > SIZE_MAX)
		return refuse(m, "region %u: mmap_offset 0x%llx + size overflows", i,
			      (unsigned long long)r->mmap_offset);
	p = mmap(NULL, (size_t)(r->mmap_offset + r->size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return refuse(m, "region %u: mmap of %llu bytes: %s", i,
			      (unsigned long long)(r->mmap_offset + r->size), strerror(errno));
	*out = (struct map){*r, p, (size_t)(r->mmap_offset + r->size)};
	return 0;
}

int set_mem_table(struct dev *d, const struct vhu_msg *m, const int *fds, unsigned nfds)
{
	struct map next[VHU_MAX_REGIONS];
	struct virtq_mem_region table[VHU_MAX_REGIONS];
	struct virtq_mem probe;
	unsigned n = m->p.mem.nregions, i;
	int rc;

	if (n == 0 || n > VHU_MAX_REGIONS || nfds != n)
		return refuse(m, "%u regions with %u descriptors (1..%d, one each)", n, nfds, VHU_MAX_REGIONS);
	for (i = 0; i < n; i++) {
		if (map_region(m, i, fds[i], &next[i]) != 0) {
			unmap_all(next, i);
			return -1;
		}
		table[i] = (struct virtq_mem_region){next[i].r.gpa, next[i].r.size,
						     (unsigned char *)next[i].base + next[i].r.mmap_offset};
	}
	rc = virtq_mem_init(&probe, table, n); /* the core's own check: no overlap, no wrap */
	if (rc < 0) {
		unmap_all(next, n);
		return refuse(m, "the regions: %s", virtq_strerror(rc));
	}
	unmap_all(d->map, d->nmap);
	memcpy(d->map, next, sizeof(next[0]) * n);
	memcpy(d->table, table, sizeof(table[0]) * n);
	d->nmap = n;
	virtq_mem_init(&d->mem, d->table, n); /* the table the queues keep */
	for (i = 0; i < VUB_MAX_RINGS; i++) /* the core's contract for a map change under live rings */
		if (d->ring[i].started && (rc = virtq_set_mem(&d->ring[i].q, &d->mem)) < 0) {
			fprintf(stderr, "virtq-vhost-user: ring %u is not in the new memory map (%s): stopped\n",
				i, virtq_strerror(rc));
			d->ring[i].started = false;
		}
	return 0;
}

/* ---- rings ---- */

void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void ring_reset(struct ring *r)
{
	close_fd(&r->kick);
	close_fd(&r->call);
	*r = (struct ring){.kick = -1, .call = -1};
}

/*
 * The used idx this ring last published, read from the used ring: vhost-user
 * carries only last_avail across a stop (GET/SET_VRING_BASE), and the two
 * differ by every avail entry we refused and skipped (a head out of range
 * gets no used entry).  virtq_init() has mapped the used ring.
 */
static uint16_t ring_used_idx(const struct dev *d, const struct ring *r)
{
	const uint16_t *idx = virtq_mem_translate_all(&d->mem, r->used + 2, 2);

	return idx ? le16toh(__atomic_load_n(idx, __ATOMIC_ACQUIRE)) : 0;
}

/* Start ring @i once it has everything: size, addresses, memory, kick fd, and enable. */
int ring_try_start(struct dev *d, unsigned i, const struct vhu_msg *m)
{
	struct ring *r = &d->ring[i];
	struct virtq_queue_config cfg;
	bool enabled = r->enabled || !(d->features & VIRTQ_FEATURE(VHU_F_PROTOCOL_FEATURES));
	int rc;

	if (r->started || !r->num || !r->have_addr || r->kick < 0 || !enabled || !d->nmap)
		return 0;
	cfg = (struct virtq_queue_config){.size = r->num, .desc_gpa = r->desc, .avail_gpa = r->avail,
					  .used_gpa = r->used, .features = d->features, .mem = &d->mem};
	rc = virtq_init(&r->q, &cfg);
	/* Nothing is in flight when the front-end stopped the ring: we finish every chain we pop. */
	if (rc == 0 && (r->base || r->ran))
		rc = virtq_restore(&r->q, r->base, ring_used_idx(d, r));
	if (rc < 0)
		return refuse(m, "ring %u cannot start: %s", i, virtq_strerror(rc));
	r->started = r->inited = r->ran = true;
	return 0;
}

static void signal_call(const struct ring *r)
{
	uint64_t one = 1;

	if (r->call >= 0 && write(r->call, &one, sizeof(one)) < 0)
		fprintf(stderr, "virtq-vhost-user: call: %s\n", strerror(errno));
}

/* Serve one chain: walk it, hand it to the device type, return it (len 0 if malformed). */
static void serve_chain(struct dev *d, struct ring *r, struct virtq_chain *c)
{
	struct virtq_iov rd, wr;
	uint32_t written = 0;
	int rc;

	virtq_iov_init(&rd, d->rseg, NSEG);
	virtq_iov_init(&wr, d->wseg, NSEG);
	rc = virtq_chain_collect(c, &rd, &wr);
	if (rc == 0)
		written = d->type->serve(d->type->ctx, &rd, &wr);
	rc = virtq_fill(&r->q, c, written);
	if (rc < 0)
		fprintf(stderr, "virtq-vhost-user: return of head %u: %s\n", virtq_chain_head(c), virtq_strerror(rc));
}

/* Pop and serve up to @budget chains; @return chains served, or -1 if the queue broke. */
static int serve_some(struct dev *d, struct ring *r, unsigned budget)
{
	struct virtq_chain c;
	unsigned n = 0;
	int rc = 0;

	while (n < budget && (rc = virtq_pop(&r->q, &c)) != 0) {
		if (rc == VIRTQ_E_HEAD_RANGE || rc == VIRTQ_E_HEAD_IN_USE)
			continue; /* that avail entry is skipped; the queue goes on */
		if (rc < 0)
			break;
		serve_chain(d, r, &c);
		n++;
	}
	if (virtq_flush(&r->q) == 0 && virtq_should_notify(&r->q))
		signal_call(r);
	return rc < 0 && rc != VIRTQ_E_HEAD_RANGE && rc != VIRTQ_E_HEAD_IN_USE ? -1 : (int)n;
}

/*
 * Chains served before the socket is looked at again.  One chain may cost up
 * to the queue size in descriptors (a loop, bounded by the walk), so a budget
 * that grew with the queue would let a guest hold the front-end off for Q^2
 * descriptor reads: GET_VRING_BASE must answer within a bound.
 */
#define SERVE_BUDGET 64u

/*
 * A kick: serve with kicks off, then turn them on and re-check (a chain added
 * meanwhile is not stranded).  @return whether chains may be left (the budget
 * ran out): the loop comes back without waiting for a kick.
 */
bool ring_kicked(struct dev *d, unsigned i)
{
	struct ring *r = &d->ring[i];
	unsigned budget = SERVE_BUDGET;
	int n;

	virtq_disable_kicks(&r->q);
	for (;;) {
		n = serve_some(d, r, budget);
		if (n < 0) {
			fprintf(stderr, "virtq-vhost-user: ring %u broken: %s; stopped until set up again\n", i,
				virtq_strerror(virtq_broken(&r->q)));
			r->started = false;
			return false;
		}
		if ((unsigned)n == budget)
			return true;
		budget -= (unsigned)n;
		if (virtq_enable_kicks(&r->q) != 1)
			return false;
		virtq_disable_kicks(&r->q);
	}
}
