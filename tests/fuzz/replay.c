/*
 * replay.c — runs a fuzz target's LLVMFuzzerTestOneInput over files,
 * without libFuzzer, so the seed corpora and every crashing or slow input
 * found by fuzzing (tests/fuzz/regress/<target>/) are replayed by
 * `make check` with the normal compiler (and under the sanitizer build).
 *
 * Reads: the files and folders (not recursively) named on the command
 * line. Adds: one TAP line per file; exit 0 unless a folder or file
 * cannot be read (a crash in the target aborts the program, which the
 * test reports with the file name printed just before).
 */
#include "config.h"
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static int ntests, nbad;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		printf("not ok %d - %s: %s\n", ++ntests, path, strerror(errno));
		nbad++;
		return;
	}
	strbuf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) strbuf_append(&b, chunk, n);
	int rerr = ferror(fp);
	fclose(fp);
	if (rerr) {
		printf("not ok %d - %s: read error\n", ++ntests, path);
		nbad++;
		strbuf_free(&b);
		return;
	}
	fprintf(stderr, "replay: %s\n", path); /* names the input if the target aborts */
	fflush(stdout);
	/* an exact-size copy, so ASan sees reads past the end */
	uint8_t *data = xmalloc(b.len ? b.len : 1);
	if (b.len) memcpy(data, b.data, b.len);
	LLVMFuzzerTestOneInput(data, b.len);
	free(data);
	strbuf_free(&b);
	printf("ok %d - %s\n", ++ntests, path);
	fflush(stdout);
}

static void replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		printf("not ok %d - %s: %s\n", ++ntests, path, strerror(errno));
		nbad++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		printf("not ok %d - %s: %s\n", ++ntests, path, strerror(errno));
		nbad++;
		return;
	}
	VEC(char *) names = {0};
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') VEC_PUSH(&names, xasprintf("%s/%s", path, de->d_name));
	closedir(d);
	if (names.n > 1) qsort(names.v, names.n, sizeof *names.v, cmp_names);
	for (size_t i = 0; i < names.n; i++) {
		struct stat fst;
		if (stat(names.v[i], &fst) == 0 && S_ISREG(fst.st_mode)) replay_file(names.v[i]);
		free(names.v[i]);
	}
	VEC_FREE(&names);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) replay_path(argv[i]);
	printf("1..%d\n", ntests);
	return nbad ? 1 : 0;
}
