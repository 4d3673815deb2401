/* SPDX-License-Identifier: MIT */
/*
 * virtq-fuzz: the corpus tool.
 *   virtq-fuzz targets                     list targets and what they check
 *   virtq-fuzz ops TARGET                  the input format: header and ops
 *   virtq-fuzz decode TARGET FILE          print an input as a readable scenario
 *   virtq-fuzz encode TARGET TEXT OUT      scenario text -> input bytes
 *   virtq-fuzz gen SCENARIOS_DIR CORPUS_DIR
 *        every SCENARIOS_DIR/<target>/<name>.txt -> CORPUS_DIR/<target>/<name>
 *   virtq-fuzz run TARGET FILE...          replay inputs through a target
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "targets.h"

#define FUZZ_MAX_INPUT (1u << 20)

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = malloc(FUZZ_MAX_INPUT + 1);
	n = buf ? fread(buf, 1, FUZZ_MAX_INPUT, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static const struct fuzz_target *target_or_die(const char *name)
{
	const struct fuzz_target *t = fuzz_target_find(name);

	if (t == NULL) {
		fprintf(stderr, "virtq-fuzz: no target '%s' (try: virtq-fuzz targets)\n", name);
		exit(2);
	}
	return t;
}

static int encode_file(const struct fuzz_target *t, const char *in, const char *out)
{
	static uint8_t bytes[FUZZ_MAX_INPUT];
	char err[256] = "";
	size_t len;
	char *text = slurp(in, &len);
	long n;
	FILE *f;

	if (text == NULL) {
		fprintf(stderr, "virtq-fuzz: cannot read %s: %s\n", in, strerror(errno));
		return 1;
	}
	n = script_encode_text(t->def, text, bytes, sizeof(bytes), err, sizeof(err));
	free(text);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", in, err);
		return 1;
	}
	f = fopen(out, "wb");
	if (f == NULL || fwrite(bytes, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0) {
		fprintf(stderr, "virtq-fuzz: cannot write %s\n", out);
		return 1;
	}
	return 0;
}

static int gen(const char *scen, const char *corpus)
{
	int failed = 0, made = 0;

	for (unsigned i = 0; i < fuzz_ntargets; i++) {
		char dir[4096], outdir[4096];
		struct dirent **names;
		int n;

		snprintf(dir, sizeof(dir), "%s/%s", scen, fuzz_targets[i].name);
		n = scandir(dir, &names, NULL, alphasort);
		if (n < 0)
			continue;
		snprintf(outdir, sizeof(outdir), "%s/%s", corpus, fuzz_targets[i].name);
		mkdir(corpus, 0755);
		mkdir(outdir, 0755);
		for (int k = 0; k < n; k++) {
			const char *nm = names[k]->d_name;
			size_t l = strlen(nm);

			if (l > 4 && strcmp(nm + l - 4, ".txt") == 0) {
				char in[8192], out[8192];

				snprintf(in, sizeof(in), "%s/%s", dir, nm);
				snprintf(out, sizeof(out), "%s/%.*s", outdir, (int)(l - 4), nm);
				failed |= encode_file(&fuzz_targets[i], in, out);
				made++;
			}
			free(names[k]);
		}
		free(names);
	}
	printf("virtq-fuzz gen: %d seeds written under %s\n", made, corpus);
	return failed || made == 0;
}

static void print_schema(const struct script_def *d)
{
	printf("target %s\nheader:", d->target);
	for (unsigned i = 0; i < d->nheader; i++)
		printf(" %s(%u)", d->header[i].name, d->header[i].width);
	printf("\nops (opcode byte %% %u, then fields, little-endian):\n", d->nops);
	for (unsigned i = 0; i < d->nops; i++) {
		printf("  %2u %-12s", i, d->ops[i].name);
		for (unsigned k = 0; k < d->ops[i].nfields; k++)
			printf(" %s(%u)", d->ops[i].f[k].name, d->ops[i].f[k].width);
		printf("  -- %s\n", d->ops[i].doc);
	}
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "targets") == 0) {
		for (unsigned i = 0; i < fuzz_ntargets; i++)
			printf("%-7s %s\n", fuzz_targets[i].name, fuzz_targets[i].checks);
		return 0;
	}
	if (strcmp(cmd, "ops") == 0 && argc == 3) {
		print_schema(target_or_die(argv[2])->def);
		return 0;
	}
	if (strcmp(cmd, "decode") == 0 && argc == 4) {
		size_t len;
		char *buf = slurp(argv[3], &len);

		if (buf == NULL) {
			fprintf(stderr, "virtq-fuzz: cannot read %s\n", argv[3]);
			return 1;
		}
		script_describe(target_or_die(argv[2])->def, (const uint8_t *)buf, len, stdout);
		free(buf);
		return 0;
	}
	if (strcmp(cmd, "encode") == 0 && argc == 5)
		return encode_file(target_or_die(argv[2]), argv[3], argv[4]);
	if (strcmp(cmd, "gen") == 0 && argc == 4)
		return gen(argv[2], argv[3]);
	if (strcmp(cmd, "run") == 0 && argc >= 4) {
		const struct fuzz_target *t = target_or_die(argv[2]);

		for (int i = 3; i < argc; i++) {
			size_t len;
			char *buf = slurp(argv[i], &len);
			uint8_t *exact;

			if (buf == NULL) {
				fprintf(stderr, "virtq-fuzz: cannot read %s\n", argv[i]);
				return 1;
			}
			exact = malloc(len ? len : 1);
			memcpy(exact, buf, len);
			free(buf);
			t->run(exact, len);
			free(exact);
		}
		printf("virtq-fuzz run: %d inputs through %s, no failure\n", argc - 3, t->name);
		return 0;
	}
	fprintf(stderr, "usage: virtq-fuzz targets | ops TARGET | decode TARGET FILE |\n"
			"       encode TARGET TEXT OUT | gen SCENARIOS_DIR CORPUS_DIR | run TARGET FILE...\n");
	return 2;
}
