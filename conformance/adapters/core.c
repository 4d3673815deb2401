/* SPDX-License-Identifier: MIT */
/*
 * Adapter for the virtq core: the worked example of plugging an
 * implementation into the conformance suite (README "Conformance").
 *
 * Built against `virtq_instrumented` (the core's sources with the shared-
 * memory seam compiled in), so the suite gets an access log; the same file,
 * compiled against `virtq_planted_<bug>`, is each planted-bug variant.  The
 * production library `virtq` is the same code without the seam.
 *
 * Mapping:
 *   create        virtq_mem_init (the suite's region table) + virtq_init
 *   pop           virtq_pop; HEAD_RANGE / HEAD_IN_USE -> CHAIN_REJECTED,
 *                 queue errors -> QUEUE_BROKEN
 *   walk          virtq_chain_collect into the queue's segment arrays
 *   read / write  virtq_iov_read / virtq_iov_write (the core's cursors)
 *   push          virtq_fill (len capped by the core, SPLIT-USED-3)
 *   publish       virtq_flush
 *   should_notify virtq_should_notify
 *   kicks         virtq_disable_kicks / virtq_enable_kicks
 *   reset         virtq_reset;  set_indices  virtq_restore
 *   access log    virtq_shm_set_hook, its ops mapped onto enum vqc_access
 */
#include <stdlib.h>
#include <string.h>

#include "virtq/shm_hook.h"
#include "virtq/virtq.h"
#include "virtq_conformance/adapter.h"

#ifndef VQC_IMPL_NAME
#define VQC_IMPL_NAME "core"
#endif
#ifndef VQC_IMPL_DESC
#define VQC_IMPL_DESC "virtq core"
#endif

/* Segments one chain may yield per direction: the device's chain limit (SPLIT-FRM-2). */
#define NSEG 1024

struct core_q {
	struct virtq_mem_region regions[4];
	struct virtq_mem mem;
	struct virtq_queue q;
	struct virtq_seg rseg[NSEG], wseg[NSEG];
	struct virtq_iov rd, wr;
	struct vqc_seg out[2 * NSEG];
	vqc_access_fn log;
	void *log_opaque;
};

_Static_assert(sizeof(struct virtq_chain) <= VQC_CHAIN_PRIV_BYTES, "chain fits in vqc_chain.priv");

/* The core's chain state lives in the suite-provided chain storage. */
static struct virtq_chain *chain_of(struct vqc_chain *c)
{
	return (struct virtq_chain *)(void *)c->priv;
}

static enum vqc_rc from_err(int rc)
{
	if (rc >= 0)
		return VQC_OK;
	return virtq_err_is_fatal(rc) ? VQC_QUEUE_BROKEN : VQC_CHAIN_REJECTED;
}

static enum vqc_rc core_create(const struct vqc_queue_params *p, void **out)
{
	const uint64_t known = VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) | VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) |
			       VIRTQ_FEATURE(VIRTQ_F_VERSION_1);
	struct virtq_queue_config cfg;
	struct core_q *cq;

	if (p->features & ~known)
		return VQC_UNSUPPORTED;
	if (p->nregions == 0 || p->nregions > 4)
		return VQC_FAILED;
	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return VQC_FAILED;
	for (size_t i = 0; i < p->nregions; i++)
		cq->regions[i] = (struct virtq_mem_region){p->regions[i].gpa, p->regions[i].size,
							   p->regions[i].hva};
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = p->size;
	cfg.desc_gpa = p->desc_gpa;
	cfg.avail_gpa = p->avail_gpa;
	cfg.used_gpa = p->used_gpa;
	cfg.features = p->features;
	cfg.mem = &cq->mem;
	if (virtq_mem_init(&cq->mem, cq->regions, p->nregions) != 0 || virtq_init(&cq->q, &cfg) != 0) {
		free(cq);
		return VQC_FAILED;
	}
	*out = cq;
	return VQC_OK;
}

static void core_destroy(void *q)
{
	struct core_q *cq = q;

	if (cq->log)
		virtq_shm_set_hook(NULL, NULL);
	free(cq);
}

static enum vqc_rc core_pop(void *q, struct vqc_chain *c)
{
	struct core_q *cq = q;
	int rc = virtq_pop(&cq->q, chain_of(c));

	if (rc == 1) {
		c->head = virtq_chain_head(chain_of(c));
		return VQC_OK;
	}
	return rc == 0 ? VQC_EMPTY : from_err(rc);
}

static enum vqc_rc core_walk(void *q, struct vqc_chain *c, struct vqc_walk *w)
{
	struct core_q *cq = q;
	int rc;

	virtq_iov_init(&cq->rd, cq->rseg, NSEG);
	virtq_iov_init(&cq->wr, cq->wseg, NSEG);
	rc = virtq_chain_collect(chain_of(c), &cq->rd, &cq->wr);
	memset(w, 0, sizeof(*w));
	w->rc = from_err(rc);
	w->detail = rc;
	w->detail_name = rc < 0 ? virtq_err_name(rc) : NULL;
	if (rc < 0)
		return w->rc;
	for (uint32_t i = 0; i < cq->rd.n; i++)
		cq->out[w->nseg++] = (struct vqc_seg){cq->rseg[i].addr, cq->rseg[i].len, cq->rseg[i].writable};
	for (uint32_t i = 0; i < cq->wr.n; i++)
		cq->out[w->nseg++] = (struct vqc_seg){cq->wseg[i].addr, cq->wseg[i].len, cq->wseg[i].writable};
	w->seg = cq->out;
	w->readable = cq->rd.bytes;
	w->writable = cq->wr.bytes;
	return VQC_OK;
}

static size_t core_read(void *q, struct vqc_chain *c, void *dst, size_t n)
{
	(void)c;
	return virtq_iov_read(&((struct core_q *)q)->rd, dst, n);
}

/* The reply goes through the core's own cursor, so wrong segments show. */
static size_t core_write(void *q, struct vqc_chain *c, const void *src, size_t n)
{
	(void)c;
	return virtq_iov_write(&((struct core_q *)q)->wr, src, n);
}

static enum vqc_rc core_push(void *q, struct vqc_chain *c, uint32_t written)
{
	int rc = virtq_fill(&((struct core_q *)q)->q, chain_of(c), written);

	return rc == 0 ? VQC_OK : rc == VIRTQ_E_BROKEN ? VQC_QUEUE_BROKEN : VQC_FAILED;
}

static enum vqc_rc core_publish(void *q)
{
	return virtq_flush(&((struct core_q *)q)->q) == 0 ? VQC_OK : VQC_QUEUE_BROKEN;
}

static enum vqc_rc core_should_notify(void *q, bool *notify)
{
	*notify = virtq_should_notify(&((struct core_q *)q)->q);
	return VQC_OK;
}

static enum vqc_rc core_disable_kicks(void *q)
{
	return virtq_disable_kicks(&((struct core_q *)q)->q) == 0 ? VQC_OK : VQC_QUEUE_BROKEN;
}

static enum vqc_rc core_enable_kicks(void *q, bool *pending)
{
	int rc = virtq_enable_kicks(&((struct core_q *)q)->q);

	*pending = rc == 1;
	return rc < 0 ? VQC_QUEUE_BROKEN : VQC_OK;
}

static void core_reset(void *q) { virtq_reset(&((struct core_q *)q)->q); }

static enum vqc_rc core_set_indices(void *q, uint16_t last_avail, uint16_t used_idx)
{
	return virtq_restore(&((struct core_q *)q)->q, last_avail, used_idx) == 0 ? VQC_OK : VQC_FAILED;
}

static void hook(void *opaque, enum virtq_shm_op op, enum virtq_shm_what what, const void *addr,
		 size_t size)
{
	struct core_q *cq = opaque;
	enum vqc_access k;

	switch (op) {
	case VIRTQ_SHM_LOAD:
	case VIRTQ_SHM_COPY_FROM:
		k = VQC_ACC_LOAD;
		break;
	case VIRTQ_SHM_STORE:
	case VIRTQ_SHM_COPY_TO:
		k = VQC_ACC_STORE;
		break;
	default:
		k = what == VIRTQ_SHM_FENCE_ACQUIRE   ? VQC_ACC_FENCE_ACQUIRE
		    : what == VIRTQ_SHM_FENCE_RELEASE ? VQC_ACC_FENCE_RELEASE
						      : VQC_ACC_FENCE_FULL;
		break;
	}
	cq->log(cq->log_opaque, k, addr, size);
}

static enum vqc_rc core_set_access_log(void *q, vqc_access_fn fn, void *opaque)
{
	struct core_q *cq = q;

	cq->log = fn;
	cq->log_opaque = opaque;
	/* The seam is per process; one queue at a time is all the suite uses. */
	virtq_shm_set_hook(fn ? hook : NULL, fn ? cq : NULL);
	return VQC_OK;
}

static const struct vqc_adapter vqc_core_adapter = {
	.version = VQC_ADAPTER_VERSION,
	.name = VQC_IMPL_NAME,
	.description = VQC_IMPL_DESC,
	.features = VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) | VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX),
	.caps = VQC_CAP_ACCESS_LOG | VQC_CAP_SET_INDICES,
	.create = core_create,
	.destroy = core_destroy,
	.pop = core_pop,
	.walk = core_walk,
	.read = core_read,
	.write = core_write,
	.push = core_push,
	.publish = core_publish,
	.should_notify = core_should_notify,
	.disable_kicks = core_disable_kicks,
	.enable_kicks = core_enable_kicks,
	.reset = core_reset,
	.set_indices = core_set_indices,
	.set_access_log = core_set_access_log,
};

int main(int argc, char **argv) { return vqc_main(argc, argv, &vqc_core_adapter); }
