/* SPDX-License-Identifier: MIT */
/*
 * The standalone engine: replays files (and directories of files) through
 * LLVMFuzzerTestOneInput, with any compiler.  Each input is copied into a
 * heap buffer of exactly its size, so a read one byte past the input trips
 * ASan or valgrind.  Fails if an argument cannot be read or if no input was
 * found at all (an empty corpus must not look like a pass).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len;
	uint8_t *buf;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "standalone: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "standalone: cannot read %s\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	if (getenv("VIRTQ_FUZZ_VERBOSE"))
		fprintf(stderr, "standalone: %s (%ld bytes)\n", path, len);
	/* Exactly len bytes: the copy ends where the input ends. */
	if (len == 0) {
		free(buf);
		buf = NULL;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 1;
}

static int replay(const char *path)
{
	struct stat st;
	struct dirent **names;
	int n, total = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "standalone: no such file or directory: %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	n = scandir(path, &names, NULL, alphasort); /* sorted: reproducible order */
	if (n < 0) {
		fprintf(stderr, "standalone: cannot list %s\n", path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char child[4096];
		int rc = 0;

		if (names[i]->d_name[0] != '.') {
			snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name);
			if (stat(child, &st) == 0 && S_ISREG(st.st_mode))
				rc = replay_file(child);
		}
		free(names[i]);
		if (rc < 0) {
			for (int j = i + 1; j < n; j++)
				free(names[j]);
			free(names);
			return -1;
		}
		total += rc;
	}
	free(names);
	return total;
}

int main(int argc, char **argv)
{
	int total = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int n = replay(argv[i]);

		if (n < 0)
			return 1;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "standalone: no inputs found in the arguments\n");
		return 1;
	}
	printf("standalone: replayed %d inputs, no failure\n", total);
	return 0;
}
