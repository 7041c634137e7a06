/* Tiny test support shared by kzv's C tests.
 *
 * A test program is a set of checks; KT_CHECK records a failure (file, line,
 * message) and goes on, so one run reports every broken expectation. main()
 * ends with `return kt_finish();` which prints a summary and returns 0 when
 * everything held, 1 otherwise (meson reads the exit code).
 */
#ifndef KZV_TESTS_KTEST_H
#define KZV_TESTS_KTEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int kt_checks, kt_failures;

void kt_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define KT_CHECK(cond, ...) do { kt_checks++; if (!(cond)) kt_fail_at(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define KT_CHECK_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
    KT_CHECK(_a == _b, "%s == %s: %lld != %lld", #a, #b, _a, _b); } while (0)
/* Abort the current test program (a setup step failed and nothing after it
 * can mean anything). */
#define KT_REQUIRE(cond, ...) do { kt_checks++; if (!(cond)) { kt_fail_at(__FILE__, __LINE__, __VA_ARGS__); return kt_finish(); } } while (0)

int kt_finish(void);

/* Absolute path of a generated fixture: $KZV_FIXTURES/name. Exits the test
 * with a clear message (and failure) when KZV_FIXTURES is unset or the file is
 * missing. Returns a static buffer rotated over 8 slots. */
const char *kt_fixture(const char *name);

/* FNV-1a over the visible bytes of an RGB24 frame's plane 0 (width * 3 per
 * row, row padding left out), mixed with its size: what the exactness tests
 * compare a seek's picture with sequential decoding by. */
struct kzv_frame;
uint64_t kt_rgb24_hash(const struct kzv_frame *f);

/* A fresh scratch directory under $TMPDIR (removed by kt_finish). */
const char *kt_tmpdir(void);

/* Run a shell command and capture its stdout. *out is malloc'd and
 * NUL-terminated (caller frees); *len gets the byte count (may be NULL).
 * Returns the command's exit status (-1 if it could not be run). */
int kt_run_capture(const char *cmd, char **out, size_t *len);

/* printf-style command, exit status returned, output discarded. */
int kt_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation helpers that abort the test on failure. */
void *kt_malloc(size_t n);

#endif
