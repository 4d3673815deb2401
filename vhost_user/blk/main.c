/* SPDX-License-Identifier: MIT */
/*
 * virtq-vhost-user-blk: the virtq core as a vhost-user virtio-blk back-end,
 * the kind of program QEMU attaches with
 *     -chardev socket,id=c0,path=SOCK -device vhost-user-blk-pci,chardev=c0
 * The disk is memory: empty (--size) or loaded from a file (--image), and
 * never written back.  One front-end at a time; each connection starts over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "blk.h"

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s --socket PATH [--size BYTES | --image FILE] [--read-only] [--serial ID]\n"
		"  serves virtio-blk over vhost-user on PATH until SIGTERM.  The disk is memory:\n"
		"  BYTES zeroed (default 1 MiB, a multiple of 512), or FILE's contents (not written back).\n",
		argv0);
	return 2;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v == 0 || v % BLK_SECTOR || v > (1ull << 40)) {
		fprintf(stderr, "virtq-vhost-user-blk: --size %s: a multiple of 512 in 512..2^40 bytes\n", s);
		return -1;
	}
	*out = v;
	return 0;
}

static int load_image(const char *path, struct blk *b)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || n % BLK_SECTOR) {
		fprintf(stderr, "virtq-vhost-user-blk: --image %s: %s\n", path,
			f ? "not a non-empty multiple of 512 bytes" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	b->size = (uint64_t)n;
	b->disk = malloc((size_t)n);
	rewind(f);
	if (!b->disk || fread(b->disk, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "virtq-vhost-user-blk: --image %s: cannot read it\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct blk b = {.size = 1u << 20, .serial = "virtq-blk"};
	const char *socket_path = NULL, *image = NULL;
	struct vub_type t = {.name = "blk", .nrings = 1, .features = 1ull << VIRTIO_BLK_F_FLUSH,
			     .config = blk_config, .serve = blk_serve, .ctx = &b};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--read-only") == 0)
			b.read_only = true;
		else if (!v)
			return usage(argv[0]);
		else if (strcmp(a, "--socket") == 0)
			socket_path = argv[++i];
		else if (strcmp(a, "--size") == 0) {
			if (parse_size(argv[++i], &b.size) != 0)
				return 2;
		} else if (strcmp(a, "--image") == 0)
			image = argv[++i];
		else if (strcmp(a, "--serial") == 0)
			b.serial = argv[++i];
		else
			return usage(argv[0]);
	}
	if (!socket_path)
		return usage(argv[0]);
	if (image ? load_image(image, &b) != 0 : !(b.disk = calloc(1, (size_t)b.size))) {
		if (!image)
			fprintf(stderr, "virtq-vhost-user-blk: cannot allocate %llu bytes\n",
				(unsigned long long)b.size);
		return 1;
	}
	if (b.read_only)
		t.features |= 1ull << VIRTIO_BLK_F_RO;
	return vub_run(socket_path, &t);
}
