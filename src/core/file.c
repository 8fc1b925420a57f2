/*
 * File helpers: capped reads, atomic replacement, sorted recursive listing.
 */
#include "purdah/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "purdah/alloc.h"

/* Reads go straight into the buffer's spare room (no copy through a
 * chunk): all of it at once when the size was reserved up front. When the
 * room runs out, one byte tells whether there is more (the buffer then
 * grows, doubling) or the file has ended. */
pd_rc pd_file_read_stream(pd_buf *out, FILE *f, const char *name)
{
	pd_rc rc;

	for (;;) {
		size_t left = out->limit - out->len, n;
		size_t room =
		        out->cap > out->len + 1 ? out->cap - out->len - 1 : 0;
		if (room == 0 || left == 0) {
			int c = fgetc(f);
			if (c == EOF)
				break;
			if (left == 0)
				return pd_error_set(PD_ETOOBIG,
				                    "%s: larger than the limit "
				                    "of %zu bytes",
				                    name, out->limit);
			if ((rc = pd_buf_putc(out, (char)c)) < 0)
				return rc;
			continue;
		}
		if (room > left)
			room = left;
		n = fread(out->ptr + out->len, 1, room, f);
		out->len += n;
		out->ptr[out->len] = '\0';
		if (n < room)
			break;
	}
	if (ferror(f))
		return pd_error_set(PD_EIO, "%s: read error: %s", name,
		                    strerror(errno));
	/* An empty file still yields a valid, terminated buffer. */
	if ((rc = pd_buf_reserve(out, 0)) < 0)
		return rc;
	out->ptr[out->len] = '\0';
	return PD_OK;
}

pd_rc pd_file_read(pd_buf *out, const char *path)
{
	FILE *f;
	pd_rc rc;
	struct stat st;

	if (strcmp(path, "-") == 0)
		return pd_file_read_stream(out, stdin, "<stdin>");
	f = fopen(path, "rb");
	if (!f)
		return pd_error_set(PD_ENOINPUT, "%s: cannot open: %s", path,
		                    strerror(errno));
	if (fstat(fileno(f), &st) != 0)
		memset(&st, 0, sizeof(st)); /* size unknown: read as a stream */
	if (S_ISDIR(st.st_mode)) {
		fclose(f);
		return pd_error_set(PD_ENOINPUT, "%s: is a directory", path);
	}
	/* A regular file's size is known: one allocation, no regrowth. A
	 * file over the limit is still refused by the read itself. */
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size <= out->limit - out->len &&
	    (rc = pd_buf_reserve(out, (size_t)st.st_size)) < 0) {
		fclose(f);
		return rc;
	}
	rc = pd_file_read_stream(out, f, path);
	fclose(f);
	return rc;
}

int pd_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int pd_file_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Create the directories above `path` that are missing (mkdir -p). */
static pd_rc ensure_parent_dir(const char *path)
{
	char *dir = pd_strdup(path);
	pd_rc rc = PD_OK;

	if (!dir)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (char *p = dir + 1; *p && rc == PD_OK; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (!pd_file_is_dir(dir) && mkdir(dir, 0777) != 0 &&
		    errno != EEXIST)
			rc = pd_error_set(PD_EIO,
			                  "%s: cannot create directory: %s",
			                  dir, strerror(errno));
		*p = '/';
	}
	pd_free(dir);
	return rc;
}

pd_rc pd_file_write_atomic(const char *path, const char *data, size_t len)
{
	pd_buf tmp = PD_BUF_INIT(4096);
	int fd = -1;
	size_t off = 0;
	pd_rc rc;
	struct stat st;
	mode_t mode = 0644;

	if ((rc = ensure_parent_dir(path)) < 0)
		return rc;
	if (stat(path, &st) == 0)
		mode = st.st_mode & 0777;
	if ((rc = pd_buf_printf(&tmp, "%s.tmp.XXXXXX", path)) < 0)
		return rc;
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		rc = pd_error_set(PD_EIO,
		                  "%s: cannot create temporary file: %s", path,
		                  strerror(errno));
		goto done;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = pd_error_set(PD_EIO, "%s: write failed: %s",
			                  tmp.ptr, strerror(errno));
			goto done;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) != 0 || fsync(fd) != 0) {
		rc = pd_error_set(PD_EIO, "%s: cannot flush: %s", tmp.ptr,
		                  strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = pd_error_set(PD_EIO, "%s: close failed: %s", tmp.ptr,
		                  strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, path) != 0) {
		rc = pd_error_set(PD_EIO, "%s: cannot replace: %s", path,
		                  strerror(errno));
		goto done;
	}
	rc = PD_OK;
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.ptr)
		unlink(tmp.ptr);
	pd_buf_dispose(&tmp);
	return rc;
}

typedef struct {
	char **items;
	size_t count, cap;
} strlist;

static pd_rc strlist_add(strlist *l, char *s)
{
	if (l->count == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **n = pd_realloc(l->items, ncap * sizeof(*n));
		if (!n) {
			pd_free(s);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
		l->items = n;
		l->cap = ncap;
	}
	l->items[l->count++] = s;
	return PD_OK;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);
	return ls >= lf && strcmp(s + ls - lf, suffix) == 0;
}

#define PD_MAX_LIST_DEPTH 16
#define PD_MAX_LIST_FILES 100000

static pd_rc list_walk(strlist *l, const char *dir, const char *suffix,
                       int depth)
{
	DIR *d;
	struct dirent *e;
	pd_rc rc = PD_OK;

	if (depth > PD_MAX_LIST_DEPTH)
		return pd_error_set(PD_ETOOBIG,
		                    "%s: directories nested too deep", dir);
	d = opendir(dir);
	if (!d)
		return pd_error_set(PD_ENOINPUT,
		                    "%s: cannot open directory: %s", dir,
		                    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		pd_buf p = PD_BUF_INIT(4096);
		struct stat st;

		if (e->d_name[0] == '.')
			continue; /* hidden files, editor temp files, . and ..
			           */
		if ((rc = pd_buf_printf(&p, "%s/%s", dir, e->d_name)) < 0)
			break;
		if (stat(p.ptr, &st) != 0) {
			pd_buf_dispose(&p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = list_walk(l, p.ptr, suffix, depth + 1);
			pd_buf_dispose(&p);
			if (rc < 0)
				break;
		} else if (S_ISREG(st.st_mode) &&
		           has_suffix(e->d_name, suffix)) {
			if (l->count >= PD_MAX_LIST_FILES) {
				pd_buf_dispose(&p);
				rc = pd_error_set(PD_ETOOBIG,
				                  "%s: more than %d files", dir,
				                  PD_MAX_LIST_FILES);
				break;
			}
			if ((rc = strlist_add(l, pd_buf_detach(&p))) < 0)
				break;
		} else {
			pd_buf_dispose(&p);
		}
	}
	closedir(d);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

pd_rc pd_file_list(char ***out, size_t *count, const char *dir,
                   const char *suffix)
{
	strlist l = {NULL, 0, 0};
	pd_rc rc = list_walk(&l, dir, suffix, 0);

	if (rc < 0) {
		pd_file_list_free(l.items, l.count);
		return rc;
	}
	if (l.count)
		qsort(l.items, l.count, sizeof(*l.items), cmp_str);
	*out = l.items;
	*count = l.count;
	return PD_OK;
}

void pd_file_list_free(char **list, size_t count)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < count; i++)
		pd_free(list[i]);
	pd_free(list);
}
