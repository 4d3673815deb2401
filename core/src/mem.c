/* SPDX-License-Identifier: MIT */
/*
 * Guest memory translation (layer 1).  See virtq/mem.h for the contract.
 * All arithmetic is on offsets inside a region, never on gpa + len, so that
 * nothing can overflow (peer study bug class 5; Fuchsia study gap 16).
 */
#include "virtq/mem.h"

#include "internal.h"

#include "virtq/error.h"

/* Region sanity: non-empty, host-mapped, no wrap in either address space. */
static int region_ok(const struct virtq_mem_region *r)
{
	if (r->size == 0 || r->hva == NULL)
		return 0;
	if (r->gpa + (r->size - 1) < r->gpa)
		return 0;
	if (r->size - 1 > UINTPTR_MAX - (uintptr_t)r->hva)
		return 0;
	return 1;
}

/* Two regions overlap in guest-physical space (inclusive ends, no overflow). */
static int regions_overlap(const struct virtq_mem_region *a, const struct virtq_mem_region *b)
{
	uint64_t a_last = a->gpa + (a->size - 1);
	uint64_t b_last = b->gpa + (b->size - 1);

	return a->gpa <= b_last && b->gpa <= a_last;
}

int virtq_mem_init(struct virtq_mem *m, const struct virtq_mem_region *regions, size_t n)
{
	if (m == NULL || (regions == NULL && n != 0))
		return VIRTQ_E_INVAL;
	for (size_t i = 0; i < n; i++) {
		if (!region_ok(&regions[i]))
			return VIRTQ_E_MEM_REGIONS;
		for (size_t j = 0; j < i; j++)
			if (regions_overlap(&regions[i], &regions[j]))
				return VIRTQ_E_MEM_REGIONS;
	}
	m->regions = regions;
	m->nregions = n;
	m->translate = NULL;
	m->opaque = NULL;
	return 0;
}

int virtq_mem_init_callback(struct virtq_mem *m, virtq_translate_fn fn, void *opaque)
{
	if (m == NULL || fn == NULL)
		return VIRTQ_E_INVAL;
	m->regions = NULL;
	m->nregions = 0;
	m->translate = fn;
	m->opaque = opaque;
	return 0;
}

/* Table lookup: the region holding @gpa, and how much of @len it covers. */
static void *table_translate(const struct virtq_mem *m, uint64_t gpa, uint64_t len,
			     uint64_t *contig, const struct virtq_mem_region **region)
{
	for (size_t i = 0; i < m->nregions; i++) {
		void *p = virtq__region_translate(&m->regions[i], gpa, len, contig);

		if (p != NULL) {
			*region = &m->regions[i];
			return p;
		}
	}
	return NULL;
}

void *virtq__mem_lookup(const struct virtq_mem *m, uint64_t gpa, uint64_t len, uint64_t *contig,
			const struct virtq_mem_region **region)
{
	void *p;

	*contig = 0;
	*region = NULL;
	/* Zero-length ranges are never dereferenced; wrapping ones are invalid. */
	if (len == 0 || gpa + (len - 1) < gpa)
		return NULL;
	if (m->translate != NULL) {
		uint64_t got = 0;

		p = m->translate(m->opaque, gpa, len, &got);
		/* Distrust the callback too: a 0 or oversized answer is a fault. */
		if (p == NULL || got == 0 || got > len)
			return NULL;
		*contig = got;
		return p;
	}
	return table_translate(m, gpa, len, contig, region);
}

void *virtq_mem_translate(const struct virtq_mem *m, uint64_t gpa, uint64_t len,
			  uint64_t *contig)
{
	const struct virtq_mem_region *region;

	return virtq__mem_lookup(m, gpa, len, contig, &region);
}

void *virtq_mem_translate_all(const struct virtq_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t contig;
	void *p = virtq_mem_translate(m, gpa, len, &contig);

	return p != NULL && contig == len ? p : NULL;
}
