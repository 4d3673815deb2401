/* SPDX-License-Identifier: MIT */
/*
 * The C interface of virtq_interop/linux_driver.h over Linux's
 * drivers/virtio/virtio_ring.c.  Compiled against tools/virtio's shim
 * headers (as system headers), so that the test and bench code stays free
 * of them.
 */
#include <linux/kernel.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/scatterlist.h>
#include <linux/irqreturn.h>

#include "virtq_interop/linux_driver.h"

/* Exported by virtio_ring.c but not declared by the tools/virtio shims. */
irqreturn_t vring_interrupt(int irq, void *_vq);
const struct vring *virtqueue_get_vring(struct virtqueue *vq);
bool virtqueue_is_broken(struct virtqueue *_vq);

/* The shim's allocation hooks (defined in linux_globals.c). */
extern void *__kmalloc_fake, *__kfree_ignore_start, *__kfree_ignore_end;

struct virtq_linux_driver {
	struct virtio_device vdev;
	struct virtqueue *vq;
	struct virtq_linux_driver_config cfg;
	struct scatterlist *sg; /* [2 * max_sg]: out list, then in list */
};

/* Our driver from the struct virtqueue Linux hands back to its hooks. */
static struct virtq_linux_driver *from_vq(struct virtqueue *vq)
{
	return (struct virtq_linux_driver *)(void *)((char *)vq->vdev -
						     offsetof(struct virtq_linux_driver, vdev));
}

static bool notify_trampoline(struct virtqueue *vq)
{
	struct virtq_linux_driver *d = from_vq(vq);

	return d->cfg.notify ? d->cfg.notify(d->cfg.opaque) : true;
}

static void callback_trampoline(struct virtqueue *vq)
{
	struct virtq_linux_driver *d = from_vq(vq);

	if (d->cfg.callback)
		d->cfg.callback(d->cfg.opaque);
}

size_t virtq_linux_vring_bytes(uint32_t size, uint32_t align)
{
	return vring_size(size, align);
}

struct virtq_linux_driver *virtq_linux_driver_create(const struct virtq_linux_driver_config *cfg)
{
	struct virtq_linux_driver *d;

	if (!cfg || !cfg->ring || !cfg->size || (cfg->size & (cfg->size - 1)) || !cfg->max_sg)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->sg = calloc(2 * (size_t)cfg->max_sg, sizeof(*d->sg));
	if (!d->sg) {
		free(d);
		return NULL;
	}
	d->vdev.features = cfg->features;
	INIT_LIST_HEAD(&d->vdev.vqs);
	spin_lock_init(&d->vdev.vqs_list_lock);
	/* Driver-private state (vq, desc_state, desc_extra) comes from malloc. */
	__kmalloc_fake = NULL;
	__kfree_ignore_start = cfg->guest_start;
	__kfree_ignore_end = (char *)cfg->guest_start + cfg->guest_len;
	/* weak_barriers: the shims abort on the strong (I/O) ones, as vringh_test. */
	d->vq = vring_new_virtqueue(0, cfg->size, cfg->align, &d->vdev, true, false, cfg->ring,
				    notify_trampoline, callback_trampoline, "virtq-interop");
	if (!d->vq) {
		free(d->sg);
		free(d);
		return NULL;
	}
	return d;
}

void virtq_linux_driver_destroy(struct virtq_linux_driver *d)
{
	if (!d)
		return;
	vring_del_virtqueue(d->vq);
	free(d->sg);
	free(d);
}

/*
 * virtqueue_get_desc_addr() and friends insist on rings Linux allocated
 * itself (vring_create_virtqueue); ours came from the caller, so ask for the
 * vring and translate as the shims do (virt_to_phys is the identity).
 */
uint64_t virtq_linux_driver_desc_addr(const struct virtq_linux_driver *d)
{
	return virt_to_phys(virtqueue_get_vring(d->vq)->desc);
}

uint64_t virtq_linux_driver_avail_addr(const struct virtq_linux_driver *d)
{
	return virt_to_phys(virtqueue_get_vring(d->vq)->avail);
}

uint64_t virtq_linux_driver_used_addr(const struct virtq_linux_driver *d)
{
	return virt_to_phys(virtqueue_get_vring(d->vq)->used);
}

/* One terminated scatterlist over @n buffers. */
static struct scatterlist *fill_sg(struct scatterlist *sg, const struct virtq_linux_sg *b,
				   unsigned n)
{
	sg_init_table(sg, n);
	for (unsigned i = 0; i < n; i++)
		sg_set_buf(&sg[i], b[i].buf, b[i].len);
	return sg;
}

int virtq_linux_driver_add(struct virtq_linux_driver *d, const struct virtq_linux_sg *out,
			   unsigned nout, const struct virtq_linux_sg *in, unsigned nin,
			   void *token, void *indirect)
{
	struct scatterlist *sgs[2];
	unsigned nsgs = 0;
	int rc;

	if (!token || nout + nin == 0 || nout > d->cfg.max_sg || nin > d->cfg.max_sg)
		return -EINVAL;
	if (nout)
		sgs[nsgs++] = fill_sg(d->sg, out, nout);
	if (nin)
		sgs[nsgs++] = fill_sg(d->sg + d->cfg.max_sg, in, nin);
	/* alloc_indirect_split() kmallocs the table: hand it guest memory. */
	__kmalloc_fake = indirect;
	rc = virtqueue_add_sgs(d->vq, sgs, nout ? 1 : 0, nin ? 1 : 0, token, GFP_ATOMIC);
	__kmalloc_fake = NULL;
	return rc;
}

bool virtq_linux_driver_kick(struct virtq_linux_driver *d)
{
	return virtqueue_kick(d->vq);
}

void *virtq_linux_driver_get_buf(struct virtq_linux_driver *d, uint32_t *len)
{
	unsigned int l = 0;
	void *tok = virtqueue_get_buf(d->vq, &l);

	if (len)
		*len = l;
	return tok;
}

void virtq_linux_driver_disable_cb(struct virtq_linux_driver *d)
{
	virtqueue_disable_cb(d->vq);
}

bool virtq_linux_driver_enable_cb(struct virtq_linux_driver *d)
{
	return virtqueue_enable_cb(d->vq);
}

bool virtq_linux_driver_enable_cb_delayed(struct virtq_linux_driver *d)
{
	return virtqueue_enable_cb_delayed(d->vq);
}

bool virtq_linux_driver_interrupt(struct virtq_linux_driver *d)
{
	return vring_interrupt(0, d->vq) == IRQ_HANDLED;
}

unsigned virtq_linux_driver_num_free(const struct virtq_linux_driver *d)
{
	return d->vq->num_free;
}

bool virtq_linux_driver_is_broken(const struct virtq_linux_driver *d)
{
	return virtqueue_is_broken(d->vq);
}
