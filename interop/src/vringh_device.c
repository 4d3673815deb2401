/* SPDX-License-Identifier: MIT */
/*
 * The C interface of virtq_interop/vringh_device.h over Linux's
 * drivers/vhost/vringh.c ("user" flavour).  Compiled against tools/virtio's
 * shim headers as system headers; the header it implements needs none.
 */
#include "vringh_device_impl.h"

#include "virtq/mem.h"

/* The shim's bounds of "user" memory (linux_globals.c). */
extern void *__user_addr_min, *__user_addr_max;

/* The segments handed out are vringh's iovecs, viewed through our type. */
_Static_assert(sizeof(struct virtq_vringh_seg) == sizeof(struct iovec), "iovec layout");
_Static_assert(offsetof(struct virtq_vringh_seg, addr) == offsetof(struct iovec, iov_base),
	       "iovec layout");
_Static_assert(offsetof(struct virtq_vringh_seg, len) == offsetof(struct iovec, iov_len),
	       "iovec layout");
_Static_assert(sizeof(struct virtq_used_elem) == sizeof(struct vring_used_elem),
	       "used element layout");

/*
 * Let the shim's copy_*_user checks (an assert, like the kernel's access_ok)
 * accept host range [lo, hi).  Regions may be added to an arena after the
 * wrapper was created, so every range getrange hands out is covered here.
 */
static void widen_user_bounds(char *lo, char *hi)
{
	if (!__user_addr_min || (char *)__user_addr_min > lo)
		__user_addr_min = lo;
	if (!__user_addr_max || (char *)__user_addr_max < hi)
		__user_addr_max = hi;
}

/* vrh is the first member, so the wrapper starts where it does. */
static struct virtq_vringh *from_vrh(struct vringh *vrh)
{
	return (struct virtq_vringh *)(void *)vrh;
}

/*
 * The guest range holding @gpa and its host offset, for vringh's range
 * check.  Region table: the region.  Callback: the host-contiguous run from
 * @gpa on, as far as the callback will say.
 */
static bool lookup(const struct virtq_mem *m, u64 gpa, struct vringh_range *r)
{
	if (m->translate) {
		u64 want = gpa == UINT64_MAX ? 1 : UINT64_MAX - gpa;
		uint64_t contig = 0;
		void *p = m->translate(m->opaque, gpa, want, &contig);

		if (!p || contig == 0 || contig > want)
			return false;
		r->start = gpa;
		r->end_incl = gpa + (contig - 1);
		r->offset = (u64)(uintptr_t)p - gpa;
		return true;
	}
	for (size_t i = 0; i < m->nregions; i++) {
		const struct virtq_mem_region *reg = &m->regions[i];

		if (gpa < reg->gpa || gpa - reg->gpa >= reg->size)
			continue;
		r->start = reg->gpa;
		r->end_incl = reg->gpa + (reg->size - 1);
		r->offset = (u64)(uintptr_t)reg->hva - reg->gpa;
		return true;
	}
	return false;
}

bool virtq__vringh_getrange(struct vringh *vrh, u64 addr, struct vringh_range *r)
{
	char *lo, *hi;

	if (!lookup(from_vrh(vrh)->mem, addr, r))
		return false;
	lo = (char *)(uintptr_t)(r->start + r->offset);
	hi = (char *)(uintptr_t)(r->end_incl + r->offset);
	if (unlikely(lo < (char *)__user_addr_min || hi >= (char *)__user_addr_max))
		widen_user_bounds(lo, hi + 1);
	return true;
}

/* Host pointer for a ring part, which must lie inside one guest range. */
static void *ring_part(const struct virtq_mem *m, u64 gpa, u64 len)
{
	struct vringh_range r;
	char *p;

	if (len == 0 || gpa + (len - 1) < gpa || !lookup(m, gpa, &r))
		return NULL;
	if (gpa + (len - 1) > r.end_incl)
		return NULL;
	p = (char *)(uintptr_t)(gpa + r.offset);
	widen_user_bounds(p, p + len);
	return p;
}

struct virtq_vringh *virtq_vringh_create(const struct virtq_queue_config *cfg, unsigned iov_cap,
					 int *err)
{
	struct virtq_vringh *v;
	void *desc, *avail, *used;
	int rc = -EINVAL;

	if (err)
		*err = 0;
	if (!cfg || !cfg->mem || iov_cap == 0 || iov_cap > 0xffff)
		goto fail;
	desc = ring_part(cfg->mem, cfg->desc_gpa, virtq_desc_bytes(cfg->size));
	avail = ring_part(cfg->mem, cfg->avail_gpa, virtq_avail_bytes(cfg->size));
	used = ring_part(cfg->mem, cfg->used_gpa, virtq_used_bytes(cfg->size));
	if (!desc || !avail || !used)
		goto fail;
	rc = -ENOMEM;
	v = calloc(1, sizeof(*v));
	if (!v)
		goto fail;
	v->rstore = calloc(iov_cap, sizeof(*v->rstore));
	v->wstore = calloc(iov_cap, sizeof(*v->wstore));
	if (!v->rstore || !v->wstore) {
		virtq_vringh_destroy(v);
		goto fail;
	}
	v->mem = cfg->mem;
	v->cap = iov_cap;
	vringh_iov_init(&v->riov, v->rstore, iov_cap);
	vringh_iov_init(&v->wiov, v->wstore, iov_cap);
	rc = vringh_init_user(&v->vrh, cfg->features, cfg->size, true, desc, avail, used);
	if (rc) {
		virtq_vringh_destroy(v);
		goto fail;
	}
	return v;
fail:
	if (err)
		*err = rc;
	return NULL;
}

/* Drop arrays vringh grew with malloc, so that nothing leaks. */
static void release_iovs(struct virtq_vringh *v)
{
	if (v->riov.max_num & VRINGH_IOV_ALLOCATED)
		vringh_iov_cleanup(&v->riov);
	if (v->wiov.max_num & VRINGH_IOV_ALLOCATED)
		vringh_iov_cleanup(&v->wiov);
}

void virtq_vringh_destroy(struct virtq_vringh *v)
{
	if (!v)
		return;
	release_iovs(v);
	free(v->rstore);
	free(v->wstore);
	free(v);
}

int virtq_vringh_getdesc(struct virtq_vringh *v, struct virtq_vringh_chain *c)
{
	u16 head;
	int rc;

	/* Only a chain that outgrew our storage left malloc'd arrays behind. */
	if (unlikely((v->riov.max_num | v->wiov.max_num) & VRINGH_IOV_ALLOCATED)) {
		release_iovs(v);
		vringh_iov_init(&v->riov, v->rstore, v->cap);
		vringh_iov_init(&v->wiov, v->wstore, v->cap);
	}
	rc = vringh_getdesc_user(&v->vrh, &v->riov, &v->wiov, virtq__vringh_getrange, &head);
	c->head = head;
	c->rd = (const struct virtq_vringh_seg *)v->riov.iov;
	c->nrd = rc == 1 ? v->riov.used : 0;
	c->wr = (const struct virtq_vringh_seg *)v->wiov.iov;
	c->nwr = rc == 1 ? v->wiov.used : 0;
	return rc;
}

ssize_t virtq_vringh_pull(struct virtq_vringh *v, void *dst, size_t len)
{
	return vringh_iov_pull_user(&v->riov, dst, len);
}

ssize_t virtq_vringh_push(struct virtq_vringh *v, const void *src, size_t len)
{
	return vringh_iov_push_user(&v->wiov, src, len);
}

int virtq_vringh_complete(struct virtq_vringh *v, uint16_t head, uint32_t len)
{
	return vringh_complete_user(&v->vrh, head, len);
}

int virtq_vringh_complete_multi(struct virtq_vringh *v, const struct virtq_used_elem *used,
				unsigned n)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	/* vringh copies the entries as they are: put them in ring byte order. */
	struct vring_used_elem tmp[64];

	while (n > 0) {
		unsigned k = n < 64 ? n : 64;
		int rc;

		for (unsigned i = 0; i < k; i++) {
			tmp[i].id = cpu_to_vringh32(&v->vrh, used[i].id);
			tmp[i].len = cpu_to_vringh32(&v->vrh, used[i].len);
		}
		rc = vringh_complete_multi_user(&v->vrh, tmp, k);
		if (rc)
			return rc;
		used += k;
		n -= k;
	}
	return 0;
#else
	return vringh_complete_multi_user(&v->vrh, (const struct vring_used_elem *)used, n);
#endif
}

int virtq_vringh_need_notify(struct virtq_vringh *v)
{
	return vringh_need_notify_user(&v->vrh);
}

bool virtq_vringh_notify_enable(struct virtq_vringh *v)
{
	return vringh_notify_enable_user(&v->vrh);
}

void virtq_vringh_notify_disable(struct virtq_vringh *v)
{
	vringh_notify_disable_user(&v->vrh);
}

void virtq_vringh_abandon(struct virtq_vringh *v, unsigned n)
{
	vringh_abandon_user(&v->vrh, n);
}

uint16_t virtq_vringh_last_avail(const struct virtq_vringh *v)
{
	return v->vrh.last_avail_idx;
}

uint16_t virtq_vringh_used_idx(const struct virtq_vringh *v)
{
	return (uint16_t)(v->vrh.last_used_idx + v->vrh.completed);
}
