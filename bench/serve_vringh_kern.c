/* SPDX-License-Identifier: MIT */
/*
 * vringh's kern flavour as a third implementation (see serve.h): the
 * vringh_*_kern() accessors dereference ring, descriptor and indirect-table
 * addresses as they are, with no range check and no translation.  Over
 * identity guest memory (vg_mem_add_identity(): gpa == host address) that
 * is what a device that trusts its driver and does not translate costs: a
 * lower bound, not a safe device.  Compiled against tools/virtio's shims
 * like serve_vringh.c.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vringh.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_config.h>

#include "serve.h"
#include "virtq/mem.h"

struct bench_kern {
	struct vringh vrh;
	struct vringh_kiov riov, wiov;
	struct kvec rstore[BENCH_MAX_SEGS], wstore[BENCH_MAX_SEGS];
};

/* Every region must be identity-mapped: the kern accessors do not translate. */
static bool identity(const struct virtq_mem *m)
{
	if (!m || m->translate || m->nregions == 0)
		return false;
	for (size_t i = 0; i < m->nregions; i++)
		if ((uintptr_t)m->regions[i].hva != m->regions[i].gpa)
			return false;
	return true;
}

struct bench_kern *bench_kern_create(const struct virtq_queue_config *cfg)
{
	struct bench_kern *k;

	if (!cfg || !identity(cfg->mem))
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	vringh_kiov_init(&k->riov, k->rstore, BENCH_MAX_SEGS);
	vringh_kiov_init(&k->wiov, k->wstore, BENCH_MAX_SEGS);
	if (vringh_init_kern(&k->vrh, cfg->features, cfg->size, true,
			     (struct vring_desc *)(uintptr_t)cfg->desc_gpa,
			     (struct vring_avail *)(uintptr_t)cfg->avail_gpa,
			     (struct vring_used *)(uintptr_t)cfg->used_gpa) != 0) {
		free(k);
		return NULL;
	}
	return k;
}

void bench_kern_destroy(struct bench_kern *k)
{
	if (!k)
		return;
	vringh_kiov_cleanup(&k->riov); /* frees only arrays vringh grew */
	vringh_kiov_cleanup(&k->wiov);
	free(k);
}

/*
 * Linux 6.1 has no vringh_complete_multi_kern(): a batch completes chain by
 * chain (each vringh_complete_kern() publishes the used idx) and asks
 * vringh_need_notify_kern() once, which vringh's comments allow ("after one
 * or more calls").
 */
__attribute__((noinline)) uint64_t bench_serve_vringh_kern(struct bench_kern *k, unsigned batch,
							   uint32_t wlen, struct bench_count *n)
{
	uint64_t served = 0;
	int rc;

	do {
		unsigned c = 0;
		u16 head;

		while (c < batch && (rc = vringh_getdesc_kern(&k->vrh, &k->riov, &k->wiov, &head,
							      GFP_KERNEL)) == 1) {
			if (vringh_complete_kern(&k->vrh, head, wlen) != 0)
				n->errors++;
			if (batch == 1)
				n->notifies += vringh_need_notify_kern(&k->vrh) > 0;
			c++;
		}
		if (batch > 1 && c > 0)
			n->notifies += vringh_need_notify_kern(&k->vrh) > 0;
		served += c;
	} while (rc == 1);
	if (rc < 0)
		n->errors++;
	n->served += served;
	return served;
}
