/* SPDX-License-Identifier: MIT */
/* Guest memory for fuzz targets (see guest.h). */
#include "guest.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static bool add_region(struct fuzz_guest *g, uint64_t gpa, uint32_t len)
{
	struct fuzz_region *r = &g->r[g->nr];

	r->gpa = gpa;
	r->len = len;
	r->host = calloc(1, len);
	r->shadow = NULL;
	if (r->host == NULL)
		return false;
	g->table[g->nr] = (struct virtq_mem_region){gpa, len, r->host};
	g->nr++;
	return true;
}

/* Ring parts back to back; with min_align each sits at its minimum alignment only. */
static uint64_t place_rings(struct virtq_queue_config *c, uint64_t base, uint32_t size, bool min_align)
{
	uint64_t p = base + (min_align ? 16 : 0);

	c->desc_gpa = p;
	p += virtq_desc_bytes(size);
	c->avail_gpa = p + (min_align ? 2 : 0);
	p = c->avail_gpa + virtq_avail_bytes(size);
	p = (p + 3) & ~UINT64_C(3);
	c->used_gpa = p + (min_align ? 4 : 0);
	return c->used_gpa + virtq_used_bytes(size) - base;
}

/* The callback backend: the same regions, answered through virtq_mem_translate. */
static void *translate_cb(void *opaque, uint64_t gpa, uint64_t len, uint64_t *contig)
{
	return virtq_mem_translate(opaque, gpa, len, contig);
}

bool guest_init(struct fuzz_guest *g, const struct script_vals *h)
{
	uint8_t layout = (uint8_t)h->v[H_LAYOUT];
	uint32_t size = 1u << (h->v[H_SIZE] % 16);
	bool rings_in_data = layout & 0x20;
	uint64_t ring_len;

	memset(g, 0, sizeof(*g));
	g->cfg.size = size;
	g->cfg.features = (h->v[H_FEAT] & 1 ? VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) : 0) |
			  (h->v[H_FEAT] & 2 ? VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) : 0) |
			  VIRTQ_FEATURE(VIRTQ_F_VERSION_1);
	g->cfg.indirect_max = (uint32_t)h->v[H_IMAX];
	ring_len = place_rings(&g->cfg, rings_in_data ? DATA_GPA + DATA_CHUNK - 0x100 : RING_GPA,
			       size, layout & 0x10);
	if (layout & 0x40) {
		g->cfg.desc_gpa += 8;
		ring_len += 8;
	}
	if (!rings_in_data && !add_region(g, RING_GPA, (uint32_t)ring_len))
		return false;
	for (unsigned i = 0; i < DATA_CHUNKS; i++)
		if (!(layout & (1u << i)) && !add_region(g, DATA_GPA + i * DATA_CHUNK, DATA_CHUNK))
			return false;
	virtq_mem_init(&g->table_mem, g->table, g->nr);
	if (layout & 0x80)
		virtq_mem_init_callback(&g->mem, translate_cb, &g->table_mem);
	else
		g->mem = g->table_mem;
	g->cfg.mem = &g->mem;
	return true;
}

void guest_free(struct fuzz_guest *g)
{
	for (unsigned i = 0; i < g->nr; i++) {
		free(g->r[i].host);
		free(g->r[i].shadow);
	}
	g->nr = 0;
}

bool guest_clone(struct fuzz_guest *dst, const struct fuzz_guest *src)
{
	*dst = *src;
	dst->nr = 0;
	for (unsigned i = 0; i < src->nr; i++) {
		if (!add_region(dst, src->r[i].gpa, src->r[i].len))
			return false;
		memcpy(dst->r[i].host, src->r[i].host, src->r[i].len);
	}
	virtq_mem_init(&dst->table_mem, dst->table, dst->nr);
	dst->mem = dst->table_mem;
	dst->cfg.mem = &dst->mem;
	return true;
}

struct fuzz_region *guest_region(const struct fuzz_guest *g, uint64_t gpa)
{
	for (unsigned i = 0; i < g->nr; i++)
		if (gpa >= g->r[i].gpa && gpa - g->r[i].gpa < g->r[i].len)
			return (struct fuzz_region *)&g->r[i];
	return NULL;
}

void *guest_hva(const struct fuzz_guest *g, uint64_t gpa, uint64_t len)
{
	struct fuzz_region *r = guest_region(g, gpa);

	if (r == NULL || len == 0 || len > r->len - (gpa - r->gpa))
		return NULL;
	return r->host + (gpa - r->gpa);
}

bool guest_gpa(const struct fuzz_guest *g, const void *hva, uint64_t *gpa)
{
	const unsigned char *p = hva;

	for (unsigned i = 0; i < g->nr; i++)
		if (p >= g->r[i].host && p < g->r[i].host + g->r[i].len) {
			*gpa = g->r[i].gpa + (uint64_t)(p - g->r[i].host);
			return true;
		}
	return false;
}

/* Walk [gpa, gpa+len) region by region; @fn(host, off, n) per piece. */
static bool each_piece(const struct fuzz_guest *g, uint64_t gpa, uint64_t len,
		       void (*fn)(unsigned char *host, uint64_t off, uint64_t n, void *arg), void *arg)
{
	uint64_t off = 0;

	if (len != 0 && gpa + (len - 1) < gpa)
		return false;
	while (off < len) { /* check first: nothing partial on failure */
		struct fuzz_region *r = guest_region(g, gpa + off);

		if (r == NULL)
			return false;
		off += r->len - (gpa + off - r->gpa) < len - off ? r->len - (gpa + off - r->gpa)
								   : len - off;
	}
	for (off = 0; off < len;) {
		struct fuzz_region *r = guest_region(g, gpa + off);
		uint64_t in = gpa + off - r->gpa;
		uint64_t n = r->len - in < len - off ? r->len - in : len - off;

		fn(r->host + in, off, n, arg);
		off += n;
	}
	return true;
}

static void copy_out(unsigned char *host, uint64_t off, uint64_t n, void *arg)
{
	memcpy((unsigned char *)arg + off, host, n);
}

static void copy_in(unsigned char *host, uint64_t off, uint64_t n, void *arg)
{
	memcpy(host, (const unsigned char *)arg + off, n);
}

/* Driver writes land in the shadow too: only device writes differ from it. */
static void mirror_shadow(const struct fuzz_guest *g, uint64_t gpa, uint64_t len)
{
	for (uint64_t k = 0; k < len; k++) {
		struct fuzz_region *r = guest_region(g, gpa + k);

		if (r && r->shadow)
			r->shadow[gpa + k - r->gpa] = r->host[gpa + k - r->gpa];
	}
}

bool guest_read(const struct fuzz_guest *g, uint64_t gpa, void *dst, uint64_t len)
{
	return each_piece(g, gpa, len, copy_out, dst);
}

bool guest_write(struct fuzz_guest *g, uint64_t gpa, const void *src, uint64_t len)
{
	if (!each_piece(g, gpa, len, copy_in, (void *)(uintptr_t)src))
		return false;
	mirror_shadow(g, gpa, len);
	return true;
}

uint16_t guest_le16(const struct fuzz_guest *g, uint64_t gpa)
{
	uint8_t b[2] = {0, 0};

	guest_read(g, gpa, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

void guest_put_le16(struct fuzz_guest *g, uint64_t gpa, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	guest_write(g, gpa, b, 2);
}

void guest_snapshot(struct fuzz_guest *g)
{
	for (unsigned i = 0; i < g->nr; i++) {
		if (g->r[i].shadow == NULL)
			g->r[i].shadow = malloc(g->r[i].len);
		FUZZ_ASSERT(g->r[i].shadow != NULL, "out of memory");
		memcpy(g->r[i].shadow, g->r[i].host, g->r[i].len);
	}
}

static bool allowed_at(uint64_t gpa, const struct fuzz_range *allowed, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (gpa >= allowed[i].gpa && gpa - allowed[i].gpa < allowed[i].len)
			return true;
	return false;
}

void guest_check_writes(const struct fuzz_guest *g, const struct fuzz_range *allowed, unsigned n)
{
	for (unsigned i = 0; i < g->nr; i++) {
		const struct fuzz_region *r = &g->r[i];

		if (r->shadow == NULL || memcmp(r->host, r->shadow, r->len) == 0)
			continue;
		for (uint32_t k = 0; k < r->len; k++) {
			/* Skip equal 64-byte blocks quickly; judge only bytes that differ. */
			if (k % 64 == 0 && r->len - k >= 64 && memcmp(r->host + k, r->shadow + k, 64) == 0) {
				k += 63;
				continue;
			}
			FUZZ_ASSERT(r->host[k] == r->shadow[k] || allowed_at(r->gpa + k, allowed, n),
				    "device wrote guest byte 0x%llx (0x%02x -> 0x%02x) outside the "
				    "used ring and the writable buffers it was given",
				    (unsigned long long)(r->gpa + k), r->shadow[k], r->host[k]);
		}
	}
}
