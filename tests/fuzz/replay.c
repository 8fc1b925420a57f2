/*
 * Corpus replay without libFuzzer: linked with one tests/fuzz/fuzz_*.c into
 * build/<V>/replay/replay_<name> (gcc, release and ASan+UBSan builds) so that
 * `make check` runs every saved input through the same entry point.
 *
 *   replay_ics FILE|DIR...
 *
 * Each FILE, and each regular file directly inside each DIR (in name order),
 * is read whole (at most 16 MiB) into a buffer of exactly its size, so that a
 * read past the end is caught by ASan or valgrind, and handed to
 * LLVMFuzzerTestOneInput once. Nothing is printed on success. A crash is the
 * target's; the exit status is 0, or 66 when an argument cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_BYTES ((size_t)16 * 1024 * 1024)
#define EXIT_NOINPUT     66

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read all of `path` into a new buffer of exactly its length (freed with
 * free()). 0 on success, -1 with a message on stderr otherwise. */
static int read_whole(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > REPLAY_MAX_BYTES + 1)
				cap = REPLAY_MAX_BYTES + 1;
			if (n == cap) {
				fprintf(stderr,
				        "replay: %s: larger than %zu bytes\n",
				        path, REPLAY_MAX_BYTES);
				goto done;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "replay: %s: out of memory\n",
				        path);
				goto done;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		goto done;
	}
	/* Exactly n bytes (at least one allocated byte for an empty file). */
	nb = realloc(buf, n ? n : 1);
	if (!nb) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto done;
	}
	*out = nb;
	*len = n;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	fclose(f);
	return rc;
}

static int run_file(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;

	if (read_whole(path, &data, &len) < 0)
		return -1;
	(void)LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int run_dir(const char *dir)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);
	int rc = 0;

	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t need = strlen(dir) + strlen(ents[i]->d_name) + 2;
		char *path = malloc(need);
		struct stat st;

		if (!path) {
			fprintf(stderr, "replay: out of memory\n");
			rc = -1;
		} else {
			snprintf(path, need, "%s/%s", dir, ents[i]->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			    run_file(path) < 0)
				rc = -1;
		}
		free(path);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 64;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int rc;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			        strerror(errno));
			status = EXIT_NOINPUT;
			continue;
		}
		rc = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
		if (rc < 0)
			status = EXIT_NOINPUT;
	}
	return status;
}
