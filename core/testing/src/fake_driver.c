/* SPDX-License-Identifier: MIT */
/*
 * A fake virtio driver for one split queue.  See virtq_testing/fake_driver.h.
 *
 * Modelled on the split ring of Linux drivers/virtio/virtio_ring.c:
 * descriptors come from a free list linked through free_next (0 -> 1 -> ...
 * -> size-1 at creation); a chain takes them in free-list order, and each
 * descriptor's next field is the free_next of its index, so free_next is also
 * the driver's private copy of the chain links (Linux's desc_extra[].next).
 * Completions walk that private copy, never guest memory, so a test that
 * corrupts descriptors cannot corrupt the fake's free list.
 *
 * Every guest memory access goes through the arena and is little-endian.
 * Ring fields the device may touch concurrently (idx, flags, events) are
 * accessed with __atomic builtins when they are naturally aligned inside one
 * region; ring parts placed elsewhere with virtq_fake_create_at() fall back to
 * plain copies bracketed by fences.  Writes to unmapped guest memory (bogus
 * addresses given to create_at or the corruption helpers) are dropped and
 * reads of it yield 0.
 *
 * Limits: a chain holds at most VIRTQ_FAKE_MAX_BUFS buffers; appends beyond
 * that are ignored (chain_readable/chain_writable then return 0 and allocate
 * nothing).
 */
#include "virtq_testing/fake_driver.h"

#include <stdlib.h>
#include <string.h>

#include "virtq/ring.h"
#include "virtq_testing/arena.h"

/*
 * Only a naturally aligned field inside mapped host memory can be accessed
 * atomically; create_at() may put ring parts anywhere, so check.
 */
static uint16_t *atomic_field(const struct virtq_fake *f, uint64_t gpa)
{
	unsigned char *p = virtq_arena_hva(f->arena, gpa);

	if (!p || ((uintptr_t)p & 1u))
		return NULL;
	if ((unsigned char *)virtq_arena_hva(f->arena, gpa + 1) != p + 1)
		return NULL;
	return (uint16_t *)(void *)p;
}

/* Ring idx/flags/event stores race with the device: keep them single-copy atomic. */
static void store_le16(struct virtq_fake *f, uint64_t gpa, uint16_t v, int order)
{
	uint16_t *p = atomic_field(f, gpa);
	uint16_t le = virtq_le16(v);

	if (p) {
		__atomic_store_n(p, le, order);
		return;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	(void)virtq_arena_write(f->arena, gpa, &le, sizeof(le));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* The load side of store_le16. */
static uint16_t load_le16(const struct virtq_fake *f, uint64_t gpa, int order)
{
	uint16_t *p = atomic_field(f, gpa);
	uint16_t le = 0;

	if (p)
		return virtq_le16(__atomic_load_n(p, order));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	(void)virtq_arena_read(f->arena, gpa, &le, sizeof(le));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq_le16(le);
}

/* Plain (non-racing) ring entries are written whole, in guest byte order. */
static void put_le16(struct virtq_fake *f, uint64_t gpa, uint16_t v)
{
	uint16_t le = virtq_le16(v);

	(void)virtq_arena_write(f->arena, gpa, &le, sizeof(le));
}

/* One descriptor in guest layout; the struct matches it (ring.h asserts). */
static void put_desc(struct virtq_fake *f, uint64_t gpa, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct virtq_desc d;

	d.addr = virtq_le64(addr);
	d.len = virtq_le32(len);
	d.flags = virtq_le16(flags);
	d.next = virtq_le16(next);
	(void)virtq_arena_write(f->arena, gpa, &d, sizeof(d));
}

/* Field addresses, computed in one place so that layout mistakes show up once. */
static uint64_t avail_idx_gpa(const struct virtq_fake *f) { return f->avail_gpa + 2; }
static uint64_t avail_ring_gpa(const struct virtq_fake *f, uint16_t slot)
{
	return f->avail_gpa + 4 + 2 * (uint64_t)(slot & (f->size - 1));
}
static uint64_t used_event_gpa(const struct virtq_fake *f)
{
	return f->avail_gpa + 4 + 2 * (uint64_t)f->size;
}
static uint64_t used_idx_gpa(const struct virtq_fake *f) { return f->used_gpa + 2; }
static uint64_t used_elem_gpa(const struct virtq_fake *f, uint16_t slot)
{
	return f->used_gpa + 4 + 8 * (uint64_t)(slot & (f->size - 1));
}
static uint64_t avail_event_gpa(const struct virtq_fake *f)
{
	return f->used_gpa + 4 + 8 * (uint64_t)f->size;
}

/* Power of two in 1..VIRTQ_MAX_SIZE, as the device will insist. */
static bool size_ok(uint32_t size)
{
	return size >= 1 && size <= VIRTQ_MAX_SIZE && (size & (size - 1)) == 0;
}

struct virtq_fake *virtq_fake_create(struct virtq_arena *a, uint32_t size, uint64_t features)
{
	uint64_t desc, avail, used;

	if (!a || !size_ok(size))
		return NULL;
	desc = virtq_arena_alloc(a, (uint32_t)virtq_desc_bytes(size), VIRTQ_DESC_ALIGN);
	avail = virtq_arena_alloc(a, (uint32_t)virtq_avail_bytes(size), VIRTQ_AVAIL_ALIGN);
	used = virtq_arena_alloc(a, (uint32_t)virtq_used_bytes(size), VIRTQ_USED_ALIGN);
	if (!desc || !avail || !used)
		return NULL;
	return virtq_fake_create_at(a, size, features, desc, avail, used);
}

struct virtq_fake *virtq_fake_create_at(struct virtq_arena *a, uint32_t size, uint64_t features,
					uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa)
{
	struct virtq_fake *f;

	if (!a || !size_ok(size))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->free_next = malloc(size * sizeof(*f->free_next));
	f->out = calloc(size, sizeof(*f->out));
	if (!f->free_next || !f->out) {
		virtq_fake_destroy(f);
		return NULL;
	}
	f->arena = a;
	f->size = size;
	f->features = features;
	f->desc_gpa = desc_gpa;
	f->avail_gpa = avail_gpa;
	f->used_gpa = used_gpa;
	for (uint32_t i = 0; i + 1 < size; i++)
		f->free_next[i] = (uint16_t)(i + 1);
	f->free_next[size - 1] = 0;
	f->free_head = 0;
	f->num_free = size;
	/* SPLIT-ANS-1: the driver hands the device zeroed rings.  Best effort:
	 * tests of bad placements may pass addresses that are not mapped. */
	(void)virtq_arena_fill(a, desc_gpa, 0, virtq_desc_bytes(size));
	(void)virtq_arena_fill(a, avail_gpa, 0, virtq_avail_bytes(size));
	(void)virtq_arena_fill(a, used_gpa, 0, virtq_used_bytes(size));
	return f;
}

void virtq_fake_destroy(struct virtq_fake *f)
{
	if (!f)
		return;
	free(f->free_next);
	free(f->out);
	free(f);
}

struct virtq_queue_config virtq_fake_config(const struct virtq_fake *f)
{
	struct virtq_queue_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = f->size;
	cfg.desc_gpa = f->desc_gpa;
	cfg.avail_gpa = f->avail_gpa;
	cfg.used_gpa = f->used_gpa;
	cfg.features = f->features;
	cfg.indirect_max = 0;
	cfg.mem = &f->arena->mem;
	return cfg;
}

/* ---- building chains ---- */

void virtq_fake_chain_init(struct virtq_fake_chain *c)
{
	memset(c, 0, sizeof(*c));
}

/* A full chain drops further buffers (see the file comment). */
static void chain_append(struct virtq_fake_chain *c, uint64_t gpa, uint32_t len, bool writable)
{
	if (c->n >= VIRTQ_FAKE_MAX_BUFS)
		return;
	c->buf[c->n].gpa = gpa;
	c->buf[c->n].len = len;
	c->buf[c->n].writable = writable;
	c->n++;
}

uint64_t virtq_fake_chain_readable(struct virtq_fake *f, struct virtq_fake_chain *c,
				   const void *data, uint32_t len)
{
	uint64_t gpa;

	if (c->n >= VIRTQ_FAKE_MAX_BUFS)
		return 0;
	gpa = virtq_arena_alloc(f->arena, len, 8);
	if (!gpa)
		return 0;
	if (data)
		(void)virtq_arena_write(f->arena, gpa, data, len);
	else
		(void)virtq_arena_fill(f->arena, gpa, 0, len);
	chain_append(c, gpa, len, false);
	return gpa;
}

uint64_t virtq_fake_chain_writable(struct virtq_fake *f, struct virtq_fake_chain *c, uint32_t len)
{
	uint64_t gpa;

	if (c->n >= VIRTQ_FAKE_MAX_BUFS)
		return 0;
	gpa = virtq_arena_alloc(f->arena, len, 8);
	if (!gpa)
		return 0;
	(void)virtq_arena_fill(f->arena, gpa, VIRTQ_FAKE_POISON, len);
	chain_append(c, gpa, len, true);
	return gpa;
}

void virtq_fake_chain_ref(struct virtq_fake_chain *c, uint64_t gpa, uint32_t len, bool writable)
{
	chain_append(c, gpa, len, writable);
}

/* ---- publishing ---- */

/* Flags of a buffer descriptor: NEXT links it on, WRITE gives it to the device. */
static uint16_t buf_flags(const struct virtq_fake_buf *b, bool more)
{
	return (uint16_t)((more ? VIRTQ_DESC_F_NEXT : 0) | (b->writable ? VIRTQ_DESC_F_WRITE : 0));
}

/*
 * Linux's alloc_indirect_split() sets next = i + 1 on every entry, the last
 * one included, and only clears NEXT on it; copy that so the device is tested
 * against a real driver's leftovers.
 */
static uint64_t write_indirect(struct virtq_fake *f, uint16_t head, const struct virtq_fake_buf *b,
			       unsigned k)
{
	uint64_t table = f->out[head].table_cache;

	/* One table per head, reused: a head has at most one chain in flight. */
	if (!table)
		table = virtq_arena_alloc(f->arena, 16u * VIRTQ_FAKE_MAX_BUFS, VIRTQ_DESC_ALIGN);
	if (!table)
		return 0;
	f->out[head].table_cache = table;
	for (unsigned i = 0; i < k; i++)
		put_desc(f, table + 16u * i, b[i].gpa, b[i].len, buf_flags(&b[i], i + 1 < k),
			 (uint16_t)(i + 1));
	return table;
}

int virtq_fake_add(struct virtq_fake *f, const struct virtq_fake_chain *c, unsigned ndirect,
		   uint64_t token)
{
	unsigned n = c->n < VIRTQ_FAKE_MAX_BUFS ? c->n : VIRTQ_FAKE_MAX_BUFS;
	unsigned nd = ndirect < n ? ndirect : n;
	unsigned need = nd < n ? nd + 1 : n;
	struct virtq_fake_outstanding *o;
	uint64_t table = 0;
	uint32_t wlen = 0;
	uint16_t head, i;

	if (n == 0 || need > f->num_free)
		return -1;
	/* The table first, so that running out of arena leaks no descriptors. */
	if (nd < n) {
		table = write_indirect(f, f->free_head, &c->buf[nd], n - nd);
		if (!table)
			return -1;
	}
	head = i = f->free_head;
	for (unsigned j = 0; j < need; j++) {
		uint16_t nxt = f->free_next[i];
		uint64_t gpa = f->desc_gpa + 16u * (uint64_t)i;

		if (j < nd)
			put_desc(f, gpa, c->buf[j].gpa, c->buf[j].len,
				 buf_flags(&c->buf[j], j + 1 < need), nxt);
		else
			put_desc(f, gpa, table, 16u * (n - nd), VIRTQ_DESC_F_INDIRECT, nxt);
		i = nxt;
	}
	f->free_head = i;
	f->num_free -= need;
	for (unsigned j = 0; j < n; j++)
		if (c->buf[j].writable)
			wlen += c->buf[j].len;
	o = &f->out[head];
	o->live = true;
	o->ndesc = (uint16_t)need;
	o->token = token;
	o->writable_len = wlen;
	o->indirect_gpa = table;
	put_le16(f, avail_ring_gpa(f, f->avail_idx), head);
	f->avail_idx++;
	return head;
}

bool virtq_fake_publish(struct virtq_fake *f)
{
	uint16_t old_idx = f->published_idx, new_idx = f->avail_idx;
	bool kick;

	/* Descriptors and ring entries before idx (SPLIT-ANS-4). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	store_le16(f, avail_idx_gpa(f), new_idx, __ATOMIC_RELEASE);
	/* idx before reading the suppression fields (virtio_mb in kick_prepare). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if ((f->features >> VIRTQ_F_EVENT_IDX) & 1u)
		kick = virtq_need_event(virtq_fake_avail_event(f), new_idx, old_idx);
	else
		kick = !(virtq_fake_used_flags(f) & VIRTQ_USED_F_NO_NOTIFY);
	f->published_idx = new_idx;
	if (kick)
		f->kicks++;
	return kick;
}

int virtq_fake_add_publish(struct virtq_fake *f, const struct virtq_fake_chain *c, uint64_t token)
{
	int head = virtq_fake_add(f, c, VIRTQ_FAKE_MAX_BUFS, token);

	if (head >= 0)
		virtq_fake_publish(f);
	return head;
}

/* ---- completions ---- */

/*
 * Linux's detach_buf_split(): splice the chain back onto the free list along
 * the links the fake wrote (free_next), not whatever the guest table now says.
 */
static void free_chain(struct virtq_fake *f, uint16_t head, uint16_t ndesc)
{
	uint16_t last = head;

	for (uint16_t j = 1; j < ndesc; j++)
		last = f->free_next[last];
	f->free_next[last] = f->free_head;
	f->free_head = head;
	f->num_free += ndesc;
}

int virtq_fake_get_used(struct virtq_fake *f, uint32_t *id, uint32_t *len, uint64_t *token)
{
	uint32_t eid, elen;

	if (load_le16(f, used_idx_gpa(f), __ATOMIC_ACQUIRE) == f->last_used)
		return 0;
	virtq_fake_read_used_elem(f, f->last_used, &eid, &elen);
	f->last_used++;
	if (id)
		*id = eid;
	if (len)
		*len = elen;
	if (eid >= f->size || !f->out[eid].live)
		return -1;
	free_chain(f, (uint16_t)eid, f->out[eid].ndesc);
	f->out[eid].live = false;
	if (token)
		*token = f->out[eid].token;
	return 1;
}

void virtq_fake_notify(struct virtq_fake *f)
{
	f->notifications++;
}

/* ---- suppression fields ---- */

void virtq_fake_set_avail_flags(struct virtq_fake *f, uint16_t flags)
{
	store_le16(f, f->avail_gpa, flags, __ATOMIC_RELAXED);
}

void virtq_fake_set_used_event(struct virtq_fake *f, uint16_t v)
{
	store_le16(f, used_event_gpa(f), v, __ATOMIC_RELAXED);
}

uint16_t virtq_fake_used_flags(const struct virtq_fake *f)
{
	return load_le16(f, f->used_gpa, __ATOMIC_RELAXED);
}

uint16_t virtq_fake_avail_event(const struct virtq_fake *f)
{
	return load_le16(f, avail_event_gpa(f), __ATOMIC_RELAXED);
}

uint16_t virtq_fake_used_idx(const struct virtq_fake *f)
{
	return load_le16(f, used_idx_gpa(f), __ATOMIC_ACQUIRE);
}

/* The avail idx in guest memory (what the device sees); the shadow is f->avail_idx. */
uint16_t virtq_fake_avail_idx(const struct virtq_fake *f)
{
	return load_le16(f, avail_idx_gpa(f), __ATOMIC_RELAXED);
}

/* ---- corruption helpers (the hostile driver) ---- */

/* Indices at or beyond the queue size are ignored: guards stay intact. */
void virtq_fake_write_desc(struct virtq_fake *f, uint16_t idx, uint64_t addr, uint32_t len,
			   uint16_t flags, uint16_t next)
{
	if (idx >= f->size)
		return;
	put_desc(f, f->desc_gpa + 16u * (uint64_t)idx, addr, len, flags, next);
}

void virtq_fake_write_table_desc(struct virtq_fake *f, uint64_t table_gpa, uint32_t i,
				 uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put_desc(f, table_gpa + 16u * (uint64_t)i, addr, len, flags, next);
}

/* Out-of-table indices and unmapped tables read as an all-zero descriptor. */
void virtq_fake_read_desc(const struct virtq_fake *f, uint16_t idx, uint64_t *addr,
			  uint32_t *len, uint16_t *flags, uint16_t *next)
{
	struct virtq_desc d;

	memset(&d, 0, sizeof(d));
	if (idx < f->size &&
	    virtq_arena_read(f->arena, f->desc_gpa + 16u * (uint64_t)idx, &d, sizeof(d)) != 0)
		memset(&d, 0, sizeof(d));
	if (addr)
		*addr = virtq_le64(d.addr);
	if (len)
		*len = virtq_le32(d.len);
	if (flags)
		*flags = virtq_le16(d.flags);
	if (next)
		*next = virtq_le16(d.next);
}

void virtq_fake_set_avail_idx(struct virtq_fake *f, uint16_t v)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	store_le16(f, avail_idx_gpa(f), v, __ATOMIC_RELEASE);
	f->avail_idx = v;
	f->published_idx = v;
}

void virtq_fake_set_avail_ring(struct virtq_fake *f, uint16_t slot, uint16_t head)
{
	put_le16(f, avail_ring_gpa(f, slot), head);
}

void virtq_fake_read_used_elem(const struct virtq_fake *f, uint16_t slot, uint32_t *id,
			       uint32_t *len)
{
	struct virtq_used_elem e;

	if (virtq_arena_read(f->arena, used_elem_gpa(f, slot), &e, sizeof(e)) != 0)
		memset(&e, 0, sizeof(e));
	if (id)
		*id = virtq_le32(e.id);
	if (len)
		*len = virtq_le32(e.len);
}

void virtq_fake_make_loop(struct virtq_fake *f, uint16_t a, uint16_t b, uint64_t buf_gpa)
{
	virtq_fake_write_desc(f, a, buf_gpa, 16, VIRTQ_DESC_F_NEXT, b);
	virtq_fake_write_desc(f, b, buf_gpa, 16, VIRTQ_DESC_F_NEXT, a);
}
