/*
 * Capped reads (pd_file_read, pd_file_read_stream): every byte arrives,
 * in order, after what the buffer already held; the content is always
 * terminated; a file of exactly the limit is read and one byte more is
 * PD_ETOOBIG naming the file; a directory or a missing file is
 * PD_ENOINPUT.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "purdah/error.h"
#include "purdah/file.h"

/* The files of these tests, in one mkdtemp directory (the group's). */
static char dir[64];
static const char *const names[] = {"whole", "append", "empty", "limit", "x"};

static const char *at(const char *name)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/purdah-file-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(at(names[i]));
	return rmdir(dir);
}

/* n bytes that differ from place to place (a shifted read shows). */
static char *pattern(size_t n)
{
	char *p = malloc(n + 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)('a' + (i * 7 + i / 251) % 26);
	p[n] = '\0';
	return p;
}

static void write_bytes(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* A FILE* holding data, that is not a named regular file's size known up
 * front: the stream path, growing as it goes. */
static FILE *stream_of(const char *data, size_t n)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	rewind(f);
	return f;
}

static void test_file_read_whole_files(void **state)
{
	static const size_t sizes[] = {1,     255,   256,   65535,
	                               65536, 65537, 300001};
	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		char *want = pattern(n);
		pd_buf b = PD_BUF_INIT(1u << 20);
		write_bytes(at("whole"), want, n);
		assert_int_equal(pd_file_read(&b, at("whole")), PD_OK);
		assert_int_equal(b.len, n);
		assert_memory_equal(b.ptr, want, n);
		assert_int_equal(b.ptr[b.len], '\0');
		pd_buf_dispose(&b);
		free(want);
	}
}

static void test_file_read_appends(void **state)
{
	char *want = pattern(70000);
	pd_buf b = PD_BUF_INIT(1u << 20);

	(void)state;
	assert_int_equal(pd_buf_puts(&b, "head:"), PD_OK);
	write_bytes(at("append"), want, 70000);
	assert_int_equal(pd_file_read(&b, at("append")), PD_OK);
	assert_int_equal(b.len, 5 + 70000);
	assert_memory_equal(b.ptr, "head:", 5);
	assert_memory_equal(b.ptr + 5, want, 70000);
	assert_int_equal(b.ptr[b.len], '\0');
	pd_buf_dispose(&b);
	free(want);
}

static void test_file_read_empty_is_terminated(void **state)
{
	pd_buf b = PD_BUF_INIT(1024);
	FILE *f;

	(void)state;
	write_bytes(at("empty"), "", 0);
	assert_int_equal(pd_file_read(&b, at("empty")), PD_OK);
	assert_int_equal(b.len, 0);
	assert_non_null(b.ptr);
	assert_int_equal(b.ptr[0], '\0');
	pd_buf_dispose(&b);
	f = stream_of("", 0);
	assert_int_equal(pd_file_read_stream(&b, f, "empty"), PD_OK);
	assert_int_equal(b.len, 0);
	assert_non_null(b.ptr);
	assert_int_equal(b.ptr[0], '\0');
	fclose(f);
	pd_buf_dispose(&b);
}

/* The limit, through both paths: exactly the limit is read whole, one
 * byte over is refused with the file's name. */
static void test_file_read_limit(void **state)
{
	const size_t lim = 100000;
	char *want = pattern(lim + 1);

	(void)state;
	for (int stream = 0; stream < 2; stream++) {
		for (size_t n = lim - 1; n <= lim + 1; n++) {
			pd_buf b = PD_BUF_INIT(lim);
			FILE *f = NULL;
			pd_rc rc;
			pd_error_clear();
			if (stream) {
				f = stream_of(want, n);
				rc = pd_file_read_stream(&b, f, "in.txt");
				fclose(f);
			} else {
				write_bytes(at("limit"), want, n);
				rc = pd_file_read(&b, at("limit"));
			}
			if (n <= lim) {
				assert_int_equal(rc, PD_OK);
				assert_int_equal(b.len, n);
				assert_memory_equal(b.ptr, want, n);
				assert_int_equal(b.ptr[n], '\0');
			} else {
				assert_int_equal(rc, PD_ETOOBIG);
				assert_non_null(strstr(pd_error_message(),
				                       stream ? "in.txt"
				                              : at("limit")));
				assert_non_null(strstr(pd_error_message(),
				                       "larger than the limit "
				                       "of 100000 bytes"));
				assert_true(b.len <= lim);
			}
			pd_buf_dispose(&b);
		}
	}
	free(want);
}

/* A stream with no size known grows as it goes: a buffer that already
 * holds something, much more than one read's worth. */
static void test_file_read_stream_grows(void **state)
{
	char *want = pattern(1000003);
	pd_buf b = PD_BUF_INIT(4u << 20);
	FILE *f = stream_of(want, 1000003);

	(void)state;
	assert_int_equal(pd_buf_puts(&b, "x"), PD_OK);
	assert_int_equal(pd_file_read_stream(&b, f, "big"), PD_OK);
	assert_int_equal(b.len, 1 + 1000003);
	assert_int_equal(b.ptr[0], 'x');
	assert_memory_equal(b.ptr + 1, want, 1000003);
	assert_int_equal(b.ptr[b.len], '\0');
	fclose(f);
	pd_buf_dispose(&b);
	free(want);
}

static void test_file_read_not_a_file(void **state)
{
	pd_buf b = PD_BUF_INIT(1024);

	(void)state;
	assert_int_equal(pd_file_read(&b, dir), PD_ENOINPUT);
	assert_non_null(strstr(pd_error_message(), "is a directory"));
	assert_int_equal(pd_file_read(&b, at("x")), PD_ENOINPUT);
	assert_non_null(strstr(pd_error_message(), at("x")));
	assert_int_equal(b.len, 0);
	pd_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_file_read_whole_files),
	        cmocka_unit_test(test_file_read_appends),
	        cmocka_unit_test(test_file_read_empty_is_terminated),
	        cmocka_unit_test(test_file_read_limit),
	        cmocka_unit_test(test_file_read_stream_grows),
	        cmocka_unit_test(test_file_read_not_a_file),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
