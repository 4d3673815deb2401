/* SPDX-License-Identifier: MIT */
/*
 * vringh's half of a benchmark round (see serve.h).  Compiled against
 * tools/virtio's shims so that it calls vringh_*_user() directly, with the
 * wrapper's getrange; the wrapper's own glue is not timed.
 */
#include "serve.h"
#include "vringh_device_impl.h"

__attribute__((noinline)) uint64_t bench_serve_vringh(struct virtq_vringh *v, unsigned batch,
						      uint32_t wlen, struct bench_count *n)
{
	struct vring_used_elem used[BENCH_MAX_BATCH];
	uint64_t served = 0;
	int rc;

	do {
		unsigned k = 0;
		u16 head;

		while (k < batch && (rc = vringh_getdesc_user(&v->vrh, &v->riov, &v->wiov,
							      virtq__vringh_getrange, &head)) == 1) {
			if (batch == 1) {
				if (vringh_complete_user(&v->vrh, head, wlen) != 0)
					n->errors++;
				n->notifies += vringh_need_notify_user(&v->vrh) > 0;
			} else {
				used[k].id = cpu_to_vringh32(&v->vrh, head);
				used[k].len = cpu_to_vringh32(&v->vrh, wlen);
			}
			k++;
		}
		if (batch > 1 && k > 0) {
			if (vringh_complete_multi_user(&v->vrh, used, k) != 0)
				n->errors++;
			n->notifies += vringh_need_notify_user(&v->vrh) > 0;
		}
		served += k;
	} while (rc == 1);
	if (rc < 0)
		n->errors++;
	n->served += served;
	return served;
}
