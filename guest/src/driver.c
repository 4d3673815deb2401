/* SPDX-License-Identifier: MIT */
/* The driver side of one split queue, its operation (see vguest/driver.h); set-up is driver_setup.c. */
#include "driver_internal.h"

#include <stdlib.h>
#include <string.h>

#include "vguest/event.h"

#define BUF_GUARD 16u

/* ---- building chains ---- */

void vg_chain_init(struct vg_chain *c) { memset(c, 0, sizeof(*c)); }

static void chain_append(struct vg_chain *c, uint64_t gpa, uint32_t len, bool writable)
{
	if (c->n >= VG_CHAIN_MAX)
		return;
	c->buf[c->n++] = (struct vg_buf){gpa, len, writable};
}

/* Buffer or table space: the driver's zones if set, else the mem's cursor. */
static uint64_t alloc_space(struct vg_drv *d, bool writable, uint64_t len, uint64_t align,
			    enum vg_kind kind, enum vg_kind guard)
{
	uint64_t gpa;

	if (d->own_zones)
		return vg_zone_alloc(d->mem, writable ? &d->wzone : &d->rzone, len, align, kind, guard,
				     BUF_GUARD);
	gpa = vg_mem_alloc(d->mem, len, align);
	if (gpa) {
		vg_mem_mark(d->mem, gpa, len, kind);
		vg_mem_mark(d->mem, gpa + len, VG_ALLOC_GUARD, guard);
	}
	return gpa;
}

uint64_t vg_chain_readable(struct vg_drv *d, struct vg_chain *c, const void *data, uint32_t len)
{
	uint64_t gpa;

	if (c->n >= VG_CHAIN_MAX)
		return 0;
	gpa = alloc_space(d, false, len, 8, VG_K_RBUF, VG_K_GUARD_RBUF);
	if (!gpa)
		return 0;
	if (data)
		(void)vg_mem_write(d->mem, gpa, data, len);
	else
		(void)vg_mem_fill(d->mem, gpa, 0, len);
	chain_append(c, gpa, len, false);
	return gpa;
}

uint64_t vg_chain_writable(struct vg_drv *d, struct vg_chain *c, uint32_t len)
{
	uint64_t gpa;

	if (c->n >= VG_CHAIN_MAX)
		return 0;
	gpa = alloc_space(d, true, len, 8, VG_K_WBUF, VG_K_GUARD_WBUF);
	if (!gpa)
		return 0;
	(void)vg_mem_fill(d->mem, gpa, VG_POISON, len);
	chain_append(c, gpa, len, true);
	return gpa;
}

void vg_chain_ref(struct vg_chain *c, uint64_t gpa, uint32_t len, bool writable)
{
	chain_append(c, gpa, len, writable);
}

/* ---- publishing ---- */

static uint16_t buf_flags(const struct vg_buf *b, bool more)
{
	return (uint16_t)((more ? VG_DESC_F_NEXT : 0) | (b->writable ? VG_DESC_F_WRITE : 0));
}

/* The head's copy of its buffers, in the pool; a slot is reused when it is big enough. */
static bool record_bufs(struct vg_drv *d, struct vg_head *h, const struct vg_buf *b, unsigned n)
{
	if (h->bcap < n) {
		if (d->nbufs + n > d->capbufs) {
			uint32_t cap = (d->nbufs + n) * 2 + 64;
			struct vg_buf *p = realloc(d->bufs, cap * sizeof(*p));

			if (!p)
				return false;
			d->bufs = p;
			d->capbufs = cap;
		}
		h->b0 = d->nbufs;
		h->bcap = n;
		d->nbufs += n;
	}
	memcpy(&d->bufs[h->b0], b, n * sizeof(*b));
	h->nb = n;
	return true;
}

/*
 * The indirect table of @h for buffers @b[0..m): Linux's alloc_indirect_split()
 * sets next = i + 1 on every entry, the last one included, and clears only its
 * NEXT; the shuffled layout links entries out of order (entry 0 first, §2.7.5.3)
 * and ends with next 0.  Garbage after the last linked entry must be ignored.
 */
static bool write_table(struct vg_drv *d, struct vg_head *h, const struct vg_buf *b, unsigned m,
			const struct vg_add_opts *o)
{
	unsigned entries = m + o->ind_garbage, perm[VG_CHAIN_MAX];

	if (!h->table || h->table_n < entries) {
		uint64_t t = alloc_space(d, false, (uint64_t)VG_DESC_SIZE * entries, VG_DESC_ALIGN,
					 VG_K_INDIRECT, VG_K_GUARD_IND);

		if (!t)
			return false;
		h->table = t;
		h->table_n = entries;
	}
	for (unsigned j = 0; j < m; j++)
		perm[j] = j;
	for (unsigned j = m - 1; o->ind_shuffle && j > 1; j--) {
		unsigned x = 1 + (unsigned)(vg__rng_next(d) % j), t = perm[j];

		perm[j] = perm[x];
		perm[x] = t;
	}
	for (unsigned j = 0; j < m; j++) {
		uint16_t next = (uint16_t)(j + 1 < m ? perm[j + 1] : o->ind_shuffle ? 0 : j + 1);

		vg_drv_write_table_desc(d, h->table, perm[j], b[j].gpa, b[j].len, buf_flags(&b[j], j + 1 < m),
					next);
	}
	for (unsigned j = m; j < entries; j++)
		vg_drv_write_table_desc(d, h->table, j, 0xDEAD0000ull + j, 0xFFFFFFFFu,
					VG_DESC_F_NEXT | VG_DESC_F_INDIRECT | VG_DESC_F_WRITE, 0);
	return true;
}

static void put_slot(struct vg_drv *d, uint16_t head, bool hostile)
{
	uint16_t s = vg__mask(d, d->avail_idx);

	d->slot_head[s] = head;
	d->slot_hostile[s] = hostile;
	vg__put_le16(d, d->avail + vg_avail_slot(d->size, d->avail_idx), head);
	d->avail_idx++;
}

static void capacities(struct vg_head *h, const struct vg_buf *b, unsigned n)
{
	h->rcap = h->wcap = 0;
	for (unsigned j = 0; j < n; j++) {
		if (b[j].writable)
			h->wcap += b[j].len;
		else
			h->rcap += b[j].len;
	}
}

int vg_drv_add_opts(struct vg_drv *d, const struct vg_chain *c, const struct vg_add_opts *o)
{
	unsigned n = c->n < VG_CHAIN_MAX ? c->n : VG_CHAIN_MAX;
	unsigned nd = o->ndirect < n ? o->ndirect : n;
	unsigned need = nd < n ? nd + 1 : n;
	uint16_t head = d->free_head, i;
	struct vg_head *h;

	if (n == 0 || need > d->num_free)
		return -1;
	h = vg__use_head(d, head);
	/* The table first, so that running out of space leaks no descriptors. */
	if (nd < n && !write_table(d, h, &c->buf[nd], n - nd, o))
		return -1;
	if (!record_bufs(d, h, c->buf, n))
		return -1;
	i = head;
	for (unsigned j = 0; j < need; j++) {
		uint16_t nxt = d->free_next[i];
		uint64_t at = d->desc + (uint64_t)VG_DESC_SIZE * i;

		if (j < nd)
			vg__put_desc(d, at, c->buf[j].gpa, c->buf[j].len, buf_flags(&c->buf[j], j + 1 < need), nxt);
		else
			vg__put_desc(d, at, h->table, VG_DESC_SIZE * (n - nd),
				 (uint16_t)(VG_DESC_F_INDIRECT | (o->ind_write ? VG_DESC_F_WRITE : 0)), nxt);
		i = nxt;
	}
	d->free_head = i;
	d->num_free -= need;
	capacities(h, c->buf, n);
	h->ndesc = (uint16_t)need;
	h->state = VG_HEAD_ADDED;
	h->hostile = o->hostile;
	h->token = o->token;
	put_slot(d, head, false);
	return head;
}

int vg_drv_add(struct vg_drv *d, const struct vg_chain *c, unsigned ndirect, uint64_t token)
{
	struct vg_add_opts o = {.ndirect = ndirect, .token = token};

	return vg_drv_add_opts(d, c, &o);
}

/* The used slots the newly exposed chains will take start as poison (catalogue "Poison"). */
static void poison_used_slots(struct vg_drv *d, uint32_t from, uint32_t to)
{
	for (uint32_t k = from; k < to; k++)
		vg_drv_write_used_elem(d, (uint16_t)(d->last_used + k), VG_POISON_ID, VG_POISON_LEN);
}

bool vg_drv_publish_n(struct vg_drv *d, uint16_t n)
{
	uint16_t old = d->avail_pub, now = (uint16_t)(old + n);
	uint32_t before = d->exposed;
	bool kick;

	for (uint16_t i = old; i != now; i++) {
		uint16_t h = d->slot_head[vg__mask(d, i)];

		if (h < d->size && d->head[h].state == VG_HEAD_ADDED) {
			d->head[h].state = VG_HEAD_EXPOSED;
			d->exposed++;
		}
	}
	if (d->poison_used)
		poison_used_slots(d, before, d->exposed);
	/* Descriptors and ring entries before idx (SPLIT-ANS-4), idx before the suppression read. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vg_mem_store16(d->mem, d->avail + VG_AVAIL_IDX, now, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vg_drv_has(d, VG_F_EVENT_IDX))
		kick = vg_event_in_window(vg_drv_avail_event(d), now, old);
	else
		kick = !(vg_drv_used_flags(d) & VG_USED_F_NO_NOTIFY);
	d->avail_pub = now;
	if (kick) {
		d->kicks++;
		d->kick_pending = true;
	}
	return kick;
}

bool vg_drv_publish(struct vg_drv *d)
{
	return vg_drv_publish_n(d, (uint16_t)(d->avail_idx - d->avail_pub));
}

int vg_drv_add_publish(struct vg_drv *d, const struct vg_chain *c, uint64_t token)
{
	int head = vg_drv_add(d, c, VG_CHAIN_MAX, token);

	if (head >= 0)
		vg_drv_publish(d);
	return head;
}

/* ---- completions ---- */

uint16_t vg_drv_used_pending(const struct vg_drv *d)
{
	return (uint16_t)(vg_drv_used_idx(d) - d->last_used);
}

/* Linux's detach_buf_split(): back onto the free list along the driver's own links. */
static void free_chain(struct vg_drv *d, uint16_t head, uint16_t ndesc)
{
	uint16_t last = head;

	for (uint16_t j = 1; j < ndesc; j++)
		last = d->free_next[last];
	d->free_next[last] = d->free_head;
	d->free_head = head;
	d->num_free += ndesc;
}

int vg_drv_reap(struct vg_drv *d, struct vg_used *u)
{
	struct vg_head *h;

	if (vg_drv_used_idx(d) == d->last_used)
		return 0;
	u->idx = d->last_used;
	vg_drv_read_used_elem(d, d->last_used, &u->id, &u->len);
	d->last_used++;
	u->token = 0;
	if (u->id >= d->size) {
		u->verdict = VG_USED_BAD_ID;
		return 1;
	}
	h = &d->head[u->id];
	if (h->state != VG_HEAD_EXPOSED) {
		u->verdict = VG_USED_NOT_EXPOSED;
		return 1;
	}
	free_chain(d, (uint16_t)u->id, h->ndesc);
	h->state = VG_HEAD_FREE;
	d->exposed--;
	u->token = h->token;
	u->verdict = u->len > h->wcap ? VG_USED_LEN_OVER : VG_USED_OK;
	return 1;
}

int vg_drv_get_used(struct vg_drv *d, uint32_t *id, uint32_t *len, uint64_t *token)
{
	struct vg_used u;

	if (vg_drv_reap(d, &u) == 0)
		return 0;
	if (id)
		*id = u.id;
	if (len)
		*len = u.len;
	if (u.verdict == VG_USED_BAD_ID || u.verdict == VG_USED_NOT_EXPOSED)
		return -1;
	if (token)
		*token = u.token;
	return 1;
}

void vg_drv_notify(struct vg_drv *d) { d->notifications++; }

const struct vg_buf *vg_drv_bufs(const struct vg_drv *d, uint16_t head, unsigned *n)
{
	const struct vg_head *h = &d->head[head];

	*n = h->nb;
	return h->nb ? &d->bufs[h->b0] : NULL;
}

/* ---- suppression fields ---- */

void vg_drv_set_avail_flags(struct vg_drv *d, uint16_t flags)
{
	vg_mem_store16(d->mem, d->avail + VG_AVAIL_FLAGS, flags, false);
}

void vg_drv_set_used_event(struct vg_drv *d, uint16_t v)
{
	vg_mem_store16(d->mem, vg_drv_used_event_gpa(d), v, false);
}

uint16_t vg_drv_avail_flags(const struct vg_drv *d) { return vg_mem_load16(d->mem, d->avail + VG_AVAIL_FLAGS); }
uint16_t vg_drv_used_event(const struct vg_drv *d) { return vg_mem_load16(d->mem, vg_drv_used_event_gpa(d)); }
uint16_t vg_drv_used_flags(const struct vg_drv *d) { return vg_mem_load16(d->mem, d->used + VG_USED_FLAGS); }
uint16_t vg_drv_avail_event(const struct vg_drv *d) { return vg_mem_load16(d->mem, vg_drv_avail_event_gpa(d)); }
uint16_t vg_drv_used_idx(const struct vg_drv *d) { return vg_mem_load16(d->mem, d->used + VG_USED_IDX); }
uint16_t vg_drv_avail_idx(const struct vg_drv *d) { return vg_mem_load16(d->mem, d->avail + VG_AVAIL_IDX); }

/* ---- the hostile driver ---- */

void vg_drv_write_desc(struct vg_drv *d, uint16_t idx, uint64_t addr, uint32_t len, uint16_t flags,
		       uint16_t next)
{
	if (idx >= d->size)
		return;
	vg__put_desc(d, d->desc + (uint64_t)VG_DESC_SIZE * idx, addr, len, flags, next);
}

void vg_drv_write_table_desc(struct vg_drv *d, uint64_t table, uint32_t i, uint64_t addr, uint32_t len,
			     uint16_t flags, uint16_t next)
{
	vg__put_desc(d, table + (uint64_t)VG_DESC_SIZE * i, addr, len, flags, next);
}

struct vg_desc vg_drv_read_desc(const struct vg_drv *d, uint16_t idx)
{
	uint8_t raw[VG_DESC_SIZE] = {0};

	if (idx >= d->size || !vg_mem_read(d->mem, d->desc + (uint64_t)VG_DESC_SIZE * idx, raw, sizeof(raw)))
		memset(raw, 0, sizeof(raw));
	return vg_desc_decode(raw);
}

void vg_drv_set_avail_idx(struct vg_drv *d, uint16_t v)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vg_mem_store16(d->mem, d->avail + VG_AVAIL_IDX, v, true);
	d->avail_idx = d->avail_pub = v;
}

void vg_drv_set_avail_ring(struct vg_drv *d, uint16_t slot, uint16_t head)
{
	vg__put_le16(d, d->avail + vg_avail_slot(d->size, slot), head);
}

void vg_drv_add_bogus_head(struct vg_drv *d, uint16_t head) { put_slot(d, head, true); }

int vg_drv_take(struct vg_drv *d, unsigned k, uint16_t *idx)
{
	if (k == 0 || k > d->num_free)
		return -1;
	idx[0] = d->free_head;
	for (unsigned j = 1; j < k; j++)
		idx[j] = d->free_next[idx[j - 1]];
	d->free_head = d->free_next[idx[k - 1]];
	d->num_free -= k;
	return 0;
}

void vg_drv_add_hostile(struct vg_drv *d, const uint16_t *idx, unsigned k, uint32_t wcap)
{
	struct vg_head *h = vg__use_head(d, idx[0]);

	h->state = VG_HEAD_ADDED;
	h->hostile = true;
	h->ndesc = (uint16_t)k;
	h->rcap = 0;
	h->wcap = wcap;
	h->nb = 0;
	h->token = 0;
	put_slot(d, idx[0], true);
}

void vg_drv_write_used_elem(struct vg_drv *d, uint16_t slot, uint32_t id, uint32_t len)
{
	uint8_t b[VG_USED_ELEM_SIZE];

	vg_put_le(b, id, 4);
	vg_put_le(b + 4, len, 4);
	(void)vg_mem_write(d->mem, vg_drv_used_elem_gpa(d, slot), b, sizeof(b));
}

void vg_drv_read_used_elem(const struct vg_drv *d, uint16_t slot, uint32_t *id, uint32_t *len)
{
	uint8_t b[VG_USED_ELEM_SIZE] = {0};

	if (!vg_mem_read(d->mem, vg_drv_used_elem_gpa(d, slot), b, sizeof(b)))
		memset(b, 0, sizeof(b));
	if (id)
		*id = (uint32_t)vg_get_le(b, 4);
	if (len)
		*len = (uint32_t)vg_get_le(b + 4, 4);
}

void vg_drv_make_loop(struct vg_drv *d, uint16_t a, uint16_t b, uint64_t buf)
{
	vg_drv_write_desc(d, a, buf, 16, VG_DESC_F_NEXT, b);
	vg_drv_write_desc(d, b, buf, 16, VG_DESC_F_NEXT, a);
}
