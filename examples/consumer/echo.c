/* SPDX-License-Identifier: MIT */
/*
 * Smallest complete use of virtq: a device that upper-cases what the driver
 * sends.  The "driver" here is a few lines writing the ring by hand, so the
 * program needs nothing but the installed library; ctest builds it against an
 * installed copy (find_package and pkg-config) to prove the install works.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <virtq/virtq.h>

#define GPA 0x40000000u /* where guest memory starts */
#define QSIZE 4

static _Alignas(4096) unsigned char guest[64 * 1024];

/* Driver side, by hand: 2 descriptors (request, reply), one avail entry. */
static void driver_post(void)
{
	struct virtq_desc *desc = (void *)guest;
	struct virtq_avail *avail = (void *)(guest + 0x100);

	strcpy((char *)guest + 0x1000, "hello, device");
	desc[0] = (struct virtq_desc){GPA + 0x1000, 13, VIRTQ_DESC_F_NEXT, 1};
	desc[1] = (struct virtq_desc){GPA + 0x2000, 64, VIRTQ_DESC_F_WRITE, 0};
	avail->ring[0] = 0;
	__atomic_store_n(&avail->idx, 1, __ATOMIC_RELEASE); /* little-endian host assumed */
}

int main(void)
{
	const struct virtq_mem_region region = {.gpa = GPA, .size = sizeof(guest), .hva = guest};
	struct virtq_mem mem;
	struct virtq_queue q;
	struct virtq_queue_config cfg = {
		.size = QSIZE, .desc_gpa = GPA, .avail_gpa = GPA + 0x100, .used_gpa = GPA + 0x200,
		.features = VIRTQ_FEATURE(VIRTQ_F_VERSION_1), .mem = &mem,
	};
	struct virtq_chain chain;
	struct virtq_seg rseg[QSIZE], wseg[QSIZE];
	struct virtq_iov rd, wr;
	char buf[64];
	size_t n;
	bool notify;
	int rc;

	if ((rc = virtq_mem_init(&mem, &region, 1)) < 0 || (rc = virtq_init(&q, &cfg)) < 0) {
		fprintf(stderr, "setup: %s\n", virtq_strerror(rc));
		return 1;
	}
	driver_post();
	while ((rc = virtq_pop(&q, &chain)) == 1) {
		virtq_iov_init(&rd, rseg, QSIZE);
		virtq_iov_init(&wr, wseg, QSIZE);
		rc = virtq_chain_collect(&chain, &rd, &wr);
		if (rc < 0) {
			/* Malformed chain: give the descriptors back, claim nothing. */
			fprintf(stderr, "bad chain: %s\n", virtq_strerror(rc));
			virtq_push(&q, &chain, 0, &notify);
			continue;
		}
		n = virtq_iov_read(&rd, buf, sizeof(buf));
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		virtq_iov_write(&wr, buf, n);
		virtq_push(&q, &chain, (uint32_t)virtq_iov_consumed(&wr), &notify);
		if (notify)
			puts("(would interrupt the driver)");
	}
	if (rc < 0) {
		fprintf(stderr, "queue: %s\n", virtq_strerror(rc));
		return 1;
	}
	printf("used idx %u, reply \"%.*s\"\n", virtq_used_idx(&q), 13, (char *)guest + 0x2000);
	return memcmp(guest + 0x2000, "HELLO, DEVICE", 13) == 0 ? 0 : 1;
}
