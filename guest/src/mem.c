/* SPDX-License-Identifier: MIT */
/*
 * Guest memory: regions and their mappings, the guest's walker, allocation.
 * See vguest/mem.h for the layout and what each option is for; the driver's
 * reads and writes are mem_access.c's, and mem_watch.c has what the memory
 * tells about a device.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bulk.h"
#include "mem_internal.h"

/* Largest region the guest maps (a sanity bound on hostile layouts, not a spec limit). */
#define MAX_REGION (UINT64_C(1) << 30)

/* ---- backings ---- */

static void backing_free(struct vg_backing *b)
{
	if (b->resv) {
		UNPOISON(b->resv, b->body_len + 2 * (b->body - b->resv));
		munmap(b->resv, b->body_len + 2 * (size_t)(b->body - b->resv));
	}
	if (b->drv)
		munmap(b->drv, b->body_len);
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

static struct vg_backing *backing_new(size_t body_len, size_t page)
{
	struct vg_backing *b = calloc(1, sizeof(*b));
	void *p;

	if (!b)
		return NULL;
	b->fd = memfd_create("vguest", MFD_CLOEXEC);
	b->body_len = body_len;
	if (b->fd < 0 || ftruncate(b->fd, (off_t)body_len) != 0)
		goto fail;
	p = mmap(NULL, body_len + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		goto fail;
	b->resv = p;
	b->body = b->resv + page;
	if (mmap(b->body, body_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, b->fd, 0) == MAP_FAILED)
		goto fail;
	p = mmap(NULL, body_len, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	b->drv = p;
	b->open = b->body; /* fresh mappings are addressable: the first backing_open() poisons them */
	b->open_len = body_len;
	return b;
fail:
	backing_free(b);
	return NULL;
}

/* A backing of at least @body_len bytes: a spare one if there is, else a new one. */
static struct vg_backing *backing_get(struct vg_mem *m, size_t body_len, bool *reused)
{
	struct vg_backing **pp;

	for (pp = &m->spare; *pp; pp = &(*pp)->next) {
		struct vg_backing *b = *pp;

		if (b->body_len >= body_len) {
			*pp = b->next;
			b->next = NULL;
			*reused = true;
			return b;
		}
	}
	*reused = false;
	return backing_new(body_len, m->page);
}

/*
 * Under ASan only [open, open + open_len) of a body is addressable: the region
 * it backs.  Moving the window re-poisons only what was open, not the whole
 * body, which for a big ring would cost as much as the input.
 */
static void backing_open(struct vg_backing *b, unsigned char *p, size_t n)
{
	POISON(b->open, b->open_len);
	UNPOISON(p, n);
	b->open = p;
	b->open_len = n;
}

/* Back to all-accessible, all-poisoned: ready for any later layout. */
static void backing_park(struct vg_mem *m, struct vg_backing *b)
{
	if (b->nprot)
		mprotect(b->body, b->body_len, PROT_READ | PROT_WRITE);
	b->nprot = 0;
	backing_open(b, NULL, 0);
	b->next = m->spare;
	m->spare = b;
}

/* A backing no region uses any more: kept for the next layout (VG_MEM_REUSE) or unmapped. */
static void backing_release(struct vg_mem *m, struct vg_backing *b)
{
	if (m->flags & VG_MEM_REUSE)
		backing_park(m, b);
	else
		backing_free(b);
}

static void free_list(struct vg_backing *b)
{
	while (b) {
		struct vg_backing *n = b->next;

		backing_free(b);
		b = n;
	}
}

/* ---- set-up ---- */

int vg_mem_init(struct vg_mem *m, unsigned flags)
{
	long pg = sysconf(_SC_PAGESIZE);

	memset(m, 0, sizeof(*m));
	m->flags = flags;
	m->page = pg > 0 ? (size_t)pg : 4096;
	return 0;
}

static void drop_regions(struct vg_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++) {
		struct vg_region *r = &m->r[i];

		if (m->flags & VG_MEM_REUSE) {
			backing_park(m, r->b);
		} else {
			backing_free(r->b);
			vg_store_free(&m->shadows[i]);
			vg_store_free(&m->shadow_zero[i]);
			vg_store_free(&m->kinds[i]);
		}
	}
	memset(m->r, 0, sizeof(m->r));
	m->nr = 0;
	while (m->retired) {
		struct vg_backing *b = m->retired;

		m->retired = b->next;
		backing_release(m, b);
	}
	free(m->guards);
	m->guards = NULL;
	m->nguards = m->capguards = 0;
	m->cursor = (struct vg_zone){0, 0};
	m->cursor_region = 0;
}

void vg_mem_clear(struct vg_mem *m) { drop_regions(m); }

void vg_mem_destroy(struct vg_mem *m)
{
	unsigned flags = m->flags;

	m->flags &= ~VG_MEM_REUSE;
	drop_regions(m);
	free_list(m->spare);
	m->spare = NULL;
	for (unsigned i = 0; i < VG_MAX_REGIONS; i++) {
		vg_store_free(&m->shadows[i]);
		vg_store_free(&m->shadow_zero[i]);
		vg_store_free(&m->kinds[i]);
	}
	m->flags = flags;
}

/* Where the region sits in a body of @b->body_len bytes (see mem.h). */
static unsigned char *place(const struct vg_mem *m, const struct vg_backing *b, uint64_t gpa,
			    uint64_t size)
{
	if (m->flags & VG_MEM_TIGHT) {
		size_t lead = gpa & 15, span = vg__round_up(lead + size, 16);

		return b->body + b->body_len - span + lead;
	}
	return b->body + (gpa & (m->page - 1));
}

static size_t body_needed(const struct vg_mem *m, uint64_t gpa, uint64_t size)
{
	size_t lead = (m->flags & VG_MEM_TIGHT) ? (gpa & 15) : (gpa & (m->page - 1));

	return vg__round_up(vg__round_up(lead + size, 16), m->page);
}

/* End of @r as an exclusive zone bound (saturated for a region that ends at 2^64 - 1). */
static uint64_t zone_end(const struct vg_region *r)
{
	return r->gpa + (r->size - 1) == UINT64_MAX ? UINT64_MAX : r->gpa + r->size;
}

static bool overlaps(const struct vg_mem *m, uint64_t gpa, uint64_t last)
{
	for (unsigned i = 0; i < m->nr; i++)
		if (gpa <= m->r[i].gpa + (m->r[i].size - 1) && m->r[i].gpa <= last)
			return true;
	return false;
}

/* Attach @b to region @r: the device sees exactly [dev, dev + size). */
static void attach(struct vg_mem *m, struct vg_region *r, struct vg_backing *b)
{
	r->b = b;
	r->dev = place(m, b, r->gpa, r->size);
	r->drv = b->drv + (r->dev - b->body);
	backing_open(b, r->dev, r->size);
}

/* Region m->nr at @gpa over backing @b (fresh, or a spare if @reused). */
static int add_region(struct vg_mem *m, uint64_t gpa, uint64_t size, struct vg_backing *b,
		      bool reused)
{
	struct vg_region *r = &m->r[m->nr];

	r->gpa = gpa;
	r->size = size;
	attach(m, r, b);
	if (reused) /* it holds the last layout's bytes; a new memfd is zero and stays untouched */
		vg__set(r->drv, 0, size);
	/* Kept per region slot: the next layout's region i reuses them (VG_MEM_REUSE). */
	r->kind = (m->flags & VG_MEM_KINDS) ? vg_store_get(&m->kinds[m->nr], size, true) : NULL;
	if (((m->flags & VG_MEM_SHADOW) && !vg__shadow_start(m, r, m->nr)) || ((m->flags & VG_MEM_KINDS) && !r->kind)) {
		backing_free(b);
		memset(r, 0, sizeof(*r));
		return -1;
	}
	if (m->nr == 0)
		m->cursor = (struct vg_zone){gpa, zone_end(r)};
	return (int)m->nr++;
}

int vg_mem_add(struct vg_mem *m, uint64_t gpa, uint64_t size)
{
	struct vg_backing *b;
	bool reused;

	if (size == 0 || size > MAX_REGION || gpa + (size - 1) < gpa || m->nr == VG_MAX_REGIONS)
		return -1;
	if (overlaps(m, gpa, gpa + (size - 1)))
		return -1;
	b = backing_get(m, body_needed(m, gpa, size), &reused);
	if (!b)
		return -1;
	return add_region(m, gpa, size, b, reused);
}

/*
 * The backing comes first and the gpa is where the region lands in it: placed
 * as for gpa 0 (the body is page-aligned, a tight region's start 16-aligned),
 * that address has the low bits place() keeps, so placing it again at its own
 * address gives the same dev.
 */
int vg_mem_add_identity(struct vg_mem *m, uint64_t size)
{
	struct vg_backing *b;
	uint64_t gpa;
	bool reused;

	if (size == 0 || size > MAX_REGION || m->nr == VG_MAX_REGIONS)
		return -1;
	b = backing_get(m, body_needed(m, 0, size), &reused);
	if (!b)
		return -1;
	gpa = (uint64_t)(uintptr_t)place(m, b, 0, size);
	/* A host mapping can sit where an earlier region's (made-up) gpa is. */
	if (place(m, b, gpa, size) != (unsigned char *)(uintptr_t)gpa ||
	    overlaps(m, gpa, gpa + (size - 1))) {
		backing_release(m, b);
		return -1;
	}
	return add_region(m, gpa, size, b, reused);
}

/*
 * The old device view of a moved region stays reserved and untouchable, so
 * that a stale pointer faults.  Under ASan it is poisoned, and the fault
 * handler hears of an access through ASan's report (vg_mem_on_fault): no
 * mprotect() now and none to undo when the backing is parked, each a
 * system call and a TLB shootdown that cost about a fifth of an ops input
 * on this project's virtual machines.  Without ASan it is made
 * inaccessible.
 */
static void retire(struct vg_mem *m, struct vg_backing *old)
{
#ifdef VG_ASAN
	backing_open(old, NULL, 0);
#else
	backing_open(old, old->body, old->body_len);
	mprotect(old->body, old->body_len, PROT_NONE);
	old->prot[0].off = 0; /* so that parking it makes it accessible again */
	old->prot[0].len = old->body_len;
	old->prot[0].prot = VG_PROT_NONE;
	old->nprot = 1;
#endif
	old->next = m->retired;
	m->retired = old;
}

int vg_mem_move(struct vg_mem *m, unsigned i)
{
	struct vg_region *r;
	struct vg_backing *old, *b;

	if (i >= m->nr)
		return -1;
	r = &m->r[i];
	old = r->b;
	b = backing_get(m, body_needed(m, r->gpa, r->size), &(bool){false});
	if (!b)
		return -1;
	vg__copy(b->drv + (place(m, b, r->gpa, r->size) - b->body), r->drv, r->size);
	attach(m, r, b);
	retire(m, old);
	return 0;
}

/* ---- the walker ---- */

int vg_mem_fd(const struct vg_mem *m, unsigned i, uint64_t *offset)
{
	if (i >= m->nr)
		return -1;
	*offset = (uint64_t)(m->r[i].dev - m->r[i].b->body);
	return m->r[i].b->fd;
}

const struct vg_region *vg_mem_find(const struct vg_mem *m, uint64_t gpa)
{
	for (unsigned i = 0; i < m->nr; i++)
		if (gpa >= m->r[i].gpa && gpa - m->r[i].gpa < m->r[i].size)
			return &m->r[i];
	return NULL;
}

const struct vg_region *vg__prefix(const struct vg_mem *m, uint64_t gpa, uint64_t len,
				      uint64_t *contig, uint64_t *off)
{
	const struct vg_region *r = len ? vg_mem_find(m, gpa) : NULL;

	*contig = 0;
	if (!r)
		return NULL;
	*off = gpa - r->gpa;
	*contig = r->size - *off < len ? r->size - *off : len;
	return r;
}

unsigned char *vg_mem_dev(const struct vg_mem *m, uint64_t gpa, uint64_t len, uint64_t *contig)
{
	uint64_t off;
	const struct vg_region *r = vg__prefix(m, gpa, len, contig, &off);

	return r ? r->dev + off : NULL;
}

unsigned char *vg_mem_drv(const struct vg_mem *m, uint64_t gpa, uint64_t len, uint64_t *contig)
{
	uint64_t off;
	const struct vg_region *r = vg__prefix(m, gpa, len, contig, &off);

	return r ? r->drv + off : NULL;
}

void *vg_mem_hva(const struct vg_mem *m, uint64_t gpa)
{
	uint64_t n;

	return vg_mem_dev(m, gpa, 1, &n);
}

bool vg_mem_mapped(const struct vg_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t n;

	if (len != 0 && gpa + (len - 1) < gpa)
		return false;
	while (len > 0) {
		if (!vg_mem_drv(m, gpa, len, &n))
			return false;
		gpa += n;
		len -= n;
	}
	return true;
}

bool vg_mem_in_one_region(const struct vg_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t n;

	return len != 0 && vg_mem_drv(m, gpa, len, &n) && n == len;
}

bool vg_mem_gpa_of(const struct vg_mem *m, const void *host, uint64_t *gpa)
{
	const unsigned char *p = host;

	for (unsigned i = 0; i < m->nr; i++) {
		const struct vg_region *r = &m->r[i];

		if (p >= r->dev && (uint64_t)(p - r->dev) < r->size) {
			*gpa = r->gpa + (uint64_t)(p - r->dev);
			return true;
		}
		if (p >= r->drv && (uint64_t)(p - r->drv) < r->size) {
			*gpa = r->gpa + (uint64_t)(p - r->drv);
			return true;
		}
	}
	return false;
}

/* ---- allocation ---- */

uint64_t vg_zone_alloc(struct vg_mem *m, struct vg_zone *z, uint64_t len, uint64_t align,
		       enum vg_kind kind, enum vg_kind gk, uint64_t guard)
{
	uint64_t start, need;

	if (align == 0 || (align & (align - 1)) || z->next > UINT64_MAX - (align - 1))
		return 0;
	start = (z->next + (align - 1)) & ~(align - 1);
	if (start == 0)
		start = align > 1 ? align : 1; /* 0 means failure to callers */
	if (len > UINT64_MAX - guard)
		return 0;
	need = len + guard;
	if (start > z->end || z->end - start < need)
		return 0;
	z->next = start + need;
	if (len)
		vg_mem_mark(m, start, len, kind);
	if (guard)
		vg_mem_guard(m, start + len, guard, gk);
	return start;
}

/* The cursor moves on to the region added after the one it is in. */
static bool cursor_next(struct vg_mem *m)
{
	if (m->cursor_region + 1 >= m->nr)
		return false;
	m->cursor_region++;
	m->cursor.next = m->r[m->cursor_region].gpa;
	m->cursor.end = zone_end(&m->r[m->cursor_region]);
	return true;
}

uint64_t vg_mem_alloc(struct vg_mem *m, uint64_t len, uint64_t align)
{
	for (;;) {
		uint64_t gpa = vg_zone_alloc(m, &m->cursor, len, align ? align : 1, VG_K_FREE, VG_K_GUARD, VG_ALLOC_GUARD);

		if (gpa || !cursor_next(m))
			return gpa;
	}
}

uint64_t vg_mem_alloc_pages(struct vg_mem *m, uint64_t len)
{
	uint64_t body = len ? vg__round_up(len, m->page) : m->page;

	for (;;) {
		uint64_t gpa = vg_zone_alloc(m, &m->cursor, body, m->page, VG_K_FREE, VG_K_GUARD, m->page);

		if (gpa || !cursor_next(m))
			return gpa;
	}
}

