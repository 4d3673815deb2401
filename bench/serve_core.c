/* SPDX-License-Identifier: MIT */
/* The core's half of a benchmark round (see serve.h). */
#include "serve.h"

__attribute__((noinline)) uint64_t bench_serve_core(struct bench_core *d, unsigned batch,
						    uint32_t wlen, struct bench_count *n)
{
	struct virtq_iov rd, wr;
	uint64_t served = 0;
	int rc;

	do {
		unsigned k = 0;

		while (k < batch && (rc = virtq_pop(&d->q, &d->chain[k])) == 1) {
			virtq_iov_init(&rd, d->rseg, BENCH_MAX_SEGS);
			virtq_iov_init(&wr, d->wseg, BENCH_MAX_SEGS);
			if (virtq_chain_collect(&d->chain[k], &rd, &wr) != 0)
				n->errors++;
			if (batch == 1) {
				bool notify = false;

				if (virtq_push(&d->q, &d->chain[k], wlen, &notify) != 0)
					n->errors++;
				n->notifies += notify;
			} else if (virtq_fill(&d->q, &d->chain[k], wlen) != 0) {
				n->errors++;
			}
			k++;
		}
		if (batch > 1 && k > 0) {
			if (virtq_flush(&d->q) != 0)
				n->errors++;
			n->notifies += virtq_should_notify(&d->q);
		}
		served += k;
	} while (rc == 1);
	if (rc < 0)
		n->errors++;
	n->served += served;
	return served;
}
