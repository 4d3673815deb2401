/* SPDX-License-Identifier: MIT */
/* toyq: see toyq.h.  Every driver-written value is checked before use. */
#include "toyq.h"

#include <string.h>

static uint16_t ld16(volatile uint8_t *p) { return __atomic_load_n((volatile uint16_t *)(void *)p, __ATOMIC_ACQUIRE); }
static void st16(volatile uint8_t *p, uint16_t v) { __atomic_store_n((volatile uint16_t *)(void *)p, v, __ATOMIC_RELEASE); }

void toyq_init(struct toyq *q, uint16_t size, void *desc, void *avail, void *used,
	       const struct toyq_region *regions, size_t nregions)
{
	memset(q, 0, sizeof(*q));
	q->size = size;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->regions = regions;
	q->nregions = nregions;
}

enum toyq_rc toyq_pop(struct toyq *q, uint16_t *head)
{
	uint16_t idx;

	if (q->broken)
		return TOYQ_BROKEN;
	idx = ld16(q->avail + 2);
	if (idx == q->last_avail)
		return TOYQ_EMPTY;
	if ((uint16_t)(idx - q->last_avail) > q->size) { /* avail idx ran past the ring */
		q->broken = true;
		return TOYQ_BROKEN;
	}
	*head = ld16(q->avail + 4 + 2u * (q->last_avail % q->size));
	q->last_avail++;
	return *head < q->size ? TOYQ_OK : TOYQ_BAD_ENTRY;
}

/* The region holding @gpa, or NULL. */
static const struct toyq_region *region_of(const struct toyq *q, uint64_t gpa)
{
	for (size_t i = 0; i < q->nregions; i++)
		if (gpa >= q->regions[i].gpa && gpa - q->regions[i].gpa < q->regions[i].size)
			return &q->regions[i];
	return NULL;
}

/* One buffer as segments, split where guest regions end; false if a byte is unmapped. */
static bool add_buffer(struct toyq *q, uint64_t gpa, uint32_t len, bool w)
{
	while (len) {
		const struct toyq_region *r = region_of(q, gpa);
		if (r == NULL || q->nseg == 2 * TOYQ_MAX_SEGS)
			return false;
		uint64_t room = r->size - (gpa - r->gpa);
		uint32_t c = room < len ? (uint32_t)room : len;
		q->seg[q->nseg++] = (struct toyq_seg){(uint8_t *)r->hva + (gpa - r->gpa), c, w};
		gpa += c; /* a wrap past 2^64 finds no region next time */
		len -= c;
	}
	return true;
}

enum toyq_rc toyq_walk(struct toyq *q, uint16_t head, uint64_t *readable, uint64_t *writable)
{
	uint16_t i = head;

	q->nseg = 0;
	q->rd_off = q->wr_off = 0;
	*readable = *writable = 0;
	for (unsigned hops = 0;; hops++) {
		uint8_t d[16];
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;

		if (hops == q->size || q->nseg == 2 * TOYQ_MAX_SEGS)
			return TOYQ_BAD_CHAIN; /* a loop, or longer than we take */
		memcpy(d, (const void *)(q->desc + 16u * i), sizeof(d)); /* fetched once */
		memcpy(&addr, d, 8);
		memcpy(&len, d + 8, 4);
		memcpy(&flags, d + 12, 2);
		memcpy(&next, d + 14, 2);
		if (flags & 4) /* INDIRECT: not negotiated */
			return TOYQ_BAD_CHAIN;
		bool w = flags & 2;
		if (!w && *writable)
			return TOYQ_BAD_CHAIN; /* readable after writable */
		if (!add_buffer(q, addr, len, w))
			return TOYQ_BAD_CHAIN;
		*(w ? writable : readable) += len;
		if (!(flags & 1))
			return TOYQ_OK;
		if (next >= q->size)
			return TOYQ_BAD_CHAIN;
		i = next;
	}
}

/* Copy across segments from byte @off of the ones chosen by @writable (-1: all). */
static size_t copy(struct toyq *q, int writable, size_t off, void *buf, size_t n, bool out)
{
	size_t done = 0;

	for (unsigned k = 0; k < q->nseg && done < n; k++) {
		struct toyq_seg *s = &q->seg[k];
		if (writable >= 0 && s->writable != (bool)writable)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		size_t c = s->len - off < n - done ? s->len - off : n - done;
		if (out)
			memcpy((uint8_t *)s->hva + off, (const uint8_t *)buf + done, c);
		else
			memcpy((uint8_t *)buf + done, (const uint8_t *)s->hva + off, c);
		done += c;
		off = 0;
	}
	return done;
}

size_t toyq_read(struct toyq *q, void *dst, size_t n)
{
	size_t c = copy(q, 0, q->rd_off, dst, n, false);
	q->rd_off += c;
	return c;
}

size_t toyq_write(struct toyq *q, const void *src, size_t n)
{
	/* The planted violation: every segment counts, readable ones too. */
	size_t c = copy(q, -1, q->wr_off, (void *)src, n, true);
	q->wr_off += c;
	return c;
}

void toyq_push(struct toyq *q, uint16_t head, uint32_t len)
{
	volatile uint8_t *e = q->used + 4 + 8u * (q->used_idx % q->size);
	uint32_t id = head;

	memcpy((void *)e, &id, 4);
	memcpy((void *)(e + 4), &len, 4);
	q->used_idx++;
	q->unpublished++;
}

void toyq_publish(struct toyq *q)
{
	if (q->unpublished == 0) /* nothing to say: the ring is not ours to rewrite */
		return;
	st16(q->used + 2, q->used_idx);
	q->news = true;
	q->unpublished = 0;
}

bool toyq_should_notify(struct toyq *q)
{
	bool news = q->news; /* nothing published since the last decision: nothing to say */

	q->news = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return news && !(ld16(q->avail) & 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT */
}

void toyq_kicks(struct toyq *q, bool on) { st16(q->used, on ? 0 : 1); /* VIRTQ_USED_F_NO_NOTIFY */ }

bool toyq_pending(struct toyq *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ld16(q->avail + 2) != q->last_avail;
}
