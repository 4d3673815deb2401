/* SPDX-License-Identifier: MIT */
/*
 * Guest memory arena for tests.  See virtq_testing/arena.h.
 *
 * Every region is its own anonymous mapping, so two regions that touch in
 * guest-physical space are (almost always) far apart in the host and a buffer
 * that straddles them really needs two host segments.  Ranges are checked as
 * offsets inside a region, never as gpa + len, so bogus addresses from tests
 * cannot overflow here.  A region must end below 2^64 (gpa + size fits in 64
 * bits) so that the bump allocator's limit is representable.
 */
#include "virtq_testing/arena.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "virtq/mem.h"

/* Page size decides mmap rounding and what mprotect can isolate. */
static uint64_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (uint64_t)p : 4096u;
}

/* The queue sees guest memory through a->mem, so it must follow every change. */
static void sync_mem(struct virtq_arena *a)
{
	memset(&a->mem, 0, sizeof(a->mem));
	(void)virtq_mem_init(&a->mem, a->regions, a->nregions);
}

/* Index of the region holding @gpa, or -1; offsets avoid overflow on bogus gpas. */
static long find_region(const struct virtq_arena *a, uint64_t gpa)
{
	for (size_t i = 0; i < a->nregions; i++) {
		const struct virtq_mem_region *r = &a->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return (long)i;
	}
	return -1;
}

/*
 * Host pointer for the part of [gpa, gpa + len) that lies in one region:
 * copies that cross regions are done piece by piece with this.  The arena's
 * own region table answers, through the core's translation.
 */
static unsigned char *piece(const struct virtq_arena *a, uint64_t gpa, uint64_t len,
			    uint64_t *n)
{
	return virtq_mem_translate(&a->mem, gpa, len, n);
}

/* Writes are all-or-nothing: check the whole range before touching it. */
static bool range_mapped(const struct virtq_arena *a, uint64_t gpa, uint64_t len)
{
	uint64_t n;

	if (len == 0)
		return true;
	if (gpa + (len - 1) < gpa)
		return false;
	while (len > 0) {
		if (!piece(a, gpa, len, &n))
			return false;
		gpa += n;
		len -= n;
	}
	return true;
}

/* Round up without wrapping; a wrap means "does not fit" to the caller. */
static bool align_up(uint64_t v, uint64_t align, uint64_t *out)
{
	if (v > UINT64_MAX - (align - 1))
		return false;
	*out = (v + (align - 1)) & ~(align - 1);
	return true;
}

/* Whether @need bytes from @start stay below the bump limit. */
static bool fits(const struct virtq_arena *a, uint64_t start, uint64_t need)
{
	return start <= a->limit && a->limit - start >= need;
}

/*
 * The bump pointer only knows the end of its region; regions do not overlap,
 * so that end names the region, and allocation goes on in the next one added.
 */
static int next_region(struct virtq_arena *a)
{
	for (size_t i = 0; i + 1 < a->nregions; i++) {
		const struct virtq_mem_region *r = &a->regions[i];

		if (r->gpa + r->size == a->limit) {
			a->next = a->regions[i + 1].gpa;
			a->limit = a->regions[i + 1].gpa + a->regions[i + 1].size;
			return 0;
		}
	}
	return -1;
}

/* The region the bump pointer is in (the one ending at the limit), or -1. */
static long current_region(const struct virtq_arena *a)
{
	for (size_t i = 0; i < a->nregions; i++) {
		const struct virtq_mem_region *r = &a->regions[i];

		if (r->gpa + r->size == a->limit)
			return (long)i;
	}
	return -1;
}

int virtq_arena_init(struct virtq_arena *a, uint64_t gpa, size_t size)
{
	if (!a)
		return -1;
	memset(a, 0, sizeof(*a));
	return virtq_arena_add_region(a, gpa, size);
}

int virtq_arena_add_region(struct virtq_arena *a, uint64_t gpa, size_t size)
{
	uint64_t pg = page_size();
	uint64_t last;
	size_t map_len;
	void *p;

	if (!a || size == 0 || a->nregions >= VIRTQ_ARENA_MAX_REGIONS)
		return -1;
	if ((uint64_t)size > UINT64_MAX - gpa || size > SIZE_MAX - (pg - 1))
		return -1;
	last = gpa + (size - 1);
	for (size_t i = 0; i < a->nregions; i++) {
		const struct virtq_mem_region *r = &a->regions[i];

		if (gpa <= r->gpa + (r->size - 1) && r->gpa <= last)
			return -1;
	}
	map_len = (size + (pg - 1)) & ~(size_t)(pg - 1);
	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	a->regions[a->nregions].gpa = gpa;
	a->regions[a->nregions].size = size;
	a->regions[a->nregions].hva = p;
	a->map_len[a->nregions] = map_len;
	a->nregions++;
	if (virtq_mem_init(&a->mem, a->regions, a->nregions) != 0) {
		a->nregions--;
		munmap(p, map_len);
		sync_mem(a);
		return -1;
	}
	if (a->nregions == 1) {
		a->next = gpa;
		a->limit = gpa + size;
	}
	return 0;
}

void virtq_arena_destroy(struct virtq_arena *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nregions; i++)
		munmap(a->regions[i].hva, a->map_len[i]);
	memset(a->regions, 0, sizeof(a->regions));
	memset(a->map_len, 0, sizeof(a->map_len));
	a->nregions = 0;
	a->next = 0;
	a->limit = 0;
	a->nguards = 0;
	sync_mem(a);
}

uint64_t virtq_arena_alloc(struct virtq_arena *a, uint32_t len, uint32_t align)
{
	uint64_t need = (uint64_t)len + VIRTQ_ARENA_GUARD_LEN;
	uint64_t start;

	if (!a || a->nregions == 0)
		return 0;
	if (align == 0)
		align = 1;
	if (align & (align - 1))
		return 0;
	for (;;) {
		if (align_up(a->next, align, &start)) {
			/* 0 means failure to callers, so never hand it out. */
			if (start == 0)
				start = align;
			if (fits(a, start, need))
				break;
		}
		if (next_region(a) != 0)
			return 0;
	}
	a->next = start + need;
	virtq_arena_add_guard(a, start + len, VIRTQ_ARENA_GUARD_LEN);
	return start;
}

/*
 * Page alignment is taken in the host (offset inside the region), since that
 * is what mprotect needs; with a page-aligned region gpa it is the same as
 * aligning the gpa.
 */
uint64_t virtq_arena_alloc_pages(struct virtq_arena *a, uint32_t len)
{
	uint64_t pg = page_size();
	uint64_t body, start = 0;
	long i;

	if (!a || a->nregions == 0)
		return 0;
	body = len == 0 ? pg : ((uint64_t)len + (pg - 1)) & ~(pg - 1);
	for (;;) {
		i = current_region(a);
		if (i >= 0) {
			const struct virtq_mem_region *r = &a->regions[i];
			uint64_t off;

			if (align_up(a->next - r->gpa, pg, &off) && off <= r->size) {
				start = r->gpa + off;
				if (start == 0)
					start += pg;
				if (fits(a, start, body + pg))
					break;
			}
		}
		if (next_region(a) != 0)
			return 0;
	}
	a->next = start + body + pg;
	virtq_arena_add_guard(a, start + body, (uint32_t)pg);
	return start;
}

void virtq_arena_add_guard(struct virtq_arena *a, uint64_t gpa, uint32_t len)
{
	if (!a || len == 0)
		return;
	if (virtq_arena_fill(a, gpa, VIRTQ_ARENA_GUARD_BYTE, len) != 0)
		return;
	if (a->nguards >= VIRTQ_ARENA_MAX_GUARDS)
		return;
	a->guards[a->nguards].gpa = gpa;
	a->guards[a->nguards].len = len;
	a->nguards++;
}

void *virtq_arena_hva(const struct virtq_arena *a, uint64_t gpa)
{
	uint64_t n;

	if (!a)
		return NULL;
	return piece(a, gpa, 1, &n);
}

/*
 * Run @fn over every host piece of [gpa, gpa + len), all or nothing: -1 and
 * nothing touched if any byte is unmapped.  @fn gets the offset into the range.
 */
static int each_piece(const struct virtq_arena *a, uint64_t gpa, size_t len,
		      void (*fn)(unsigned char *host, size_t off, size_t n, void *arg), void *arg)
{
	size_t done = 0;
	uint64_t n;

	if (!a || !range_mapped(a, gpa, len))
		return -1;
	while (done < len) {
		unsigned char *p = piece(a, gpa + done, len - done, &n);

		fn(p, done, (size_t)n, arg);
		done += (size_t)n;
	}
	return 0;
}

static void copy_in(unsigned char *host, size_t off, size_t n, void *src)
{
	memcpy(host, (const unsigned char *)src + off, n);
}

static void copy_out(unsigned char *host, size_t off, size_t n, void *dst)
{
	memcpy((unsigned char *)dst + off, host, n);
}

static void fill_with(unsigned char *host, size_t off, size_t n, void *byte)
{
	(void)off;
	memset(host, *(const int *)byte, n);
}

int virtq_arena_write(struct virtq_arena *a, uint64_t gpa, const void *src, size_t len)
{
	return each_piece(a, gpa, len, copy_in, (void *)(uintptr_t)src);
}

int virtq_arena_read(const struct virtq_arena *a, uint64_t gpa, void *dst, size_t len)
{
	return each_piece(a, gpa, len, copy_out, dst);
}

int virtq_arena_fill(struct virtq_arena *a, uint64_t gpa, int byte, size_t len)
{
	return each_piece(a, gpa, len, fill_with, &byte);
}

/* One guard, piece by piece; an unmapped guard byte counts as damaged. */
static bool guard_intact(const struct virtq_arena *a, const struct virtq_arena_guard *g,
			 uint64_t *bad_gpa)
{
	uint64_t gpa = g->gpa, len = g->len, n;
	const unsigned char *p;

	while (len > 0) {
		p = piece(a, gpa, len, &n);
		if (!p) {
			*bad_gpa = gpa;
			return false;
		}
		for (uint64_t i = 0; i < n; i++) {
			if (p[i] != VIRTQ_ARENA_GUARD_BYTE) {
				*bad_gpa = gpa + i;
				return false;
			}
		}
		gpa += n;
		len -= n;
	}
	return true;
}

bool virtq_arena_check_guards(const struct virtq_arena *a, uint64_t *bad_gpa)
{
	uint64_t dummy;

	if (!a)
		return true;
	if (!bad_gpa)
		bad_gpa = &dummy;
	for (size_t i = 0; i < a->nguards; i++)
		if (!guard_intact(a, &a->guards[i], bad_gpa))
			return false;
	return true;
}

int virtq_arena_protect(struct virtq_arena *a, uint64_t gpa, size_t len, bool ro)
{
	uint64_t pg = page_size();
	const struct virtq_mem_region *r;
	uint64_t off, first, end;
	long i;

	if (!a || len == 0)
		return -1;
	i = find_region(a, gpa);
	if (i < 0)
		return -1;
	r = &a->regions[i];
	off = gpa - r->gpa;
	if ((uint64_t)len > r->size - off)
		return -1;
	first = off & ~(pg - 1);
	end = (off + len + (pg - 1)) & ~(pg - 1);
	if (end > a->map_len[i])
		return -1;
	return mprotect((unsigned char *)r->hva + first, end - first,
			ro ? PROT_READ : PROT_READ | PROT_WRITE);
}
