#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"

#include "kzv/frame.h"

int kt_checks, kt_failures;
static char kt_tmp[4096];

void kt_fail_at(const char *file, int line, const char *fmt, ...)
{
    kt_failures++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int kt_finish(void)
{
    if (kt_tmp[0]) {
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", kt_tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", kt_tmp);
    }
    printf("%d checks, %d failed\n", kt_checks, kt_failures);
    return kt_failures ? 1 : 0;
}

const char *kt_fixture(const char *name)
{
    static char slots[8][4096];
    static int next;
    const char *dir = getenv("KZV_FIXTURES");
    if (!dir || !*dir) {
        fprintf(stderr, "FAIL: KZV_FIXTURES is not set (run tests through `make test`, "
                        "or run tests/media/make_fixtures.sh DIR and export KZV_FIXTURES=DIR)\n");
        exit(1);
    }
    char *p = slots[next++ & 7];
    snprintf(p, 4096, "%s/%s", dir, name);
    if (access(p, R_OK) != 0) {
        fprintf(stderr, "FAIL: fixture %s is missing (regenerate with tests/media/make_fixtures.sh)\n", p);
        exit(1);
    }
    return p;
}

const char *kt_tmpdir(void)
{
    if (!kt_tmp[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(kt_tmp, sizeof(kt_tmp), "%s/kzv-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(kt_tmp)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return kt_tmp;
}

int kt_run_capture(const char *cmd, char **out, size_t *len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t cap = 1 << 16, n = 0;
    char *buf = kt_malloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, p)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) { free(buf); pclose(p); return -1; }
            buf = nb;
        }
    }
    buf[n] = '\0';
    int st = pclose(p);
    *out = buf;
    if (len)
        *len = n;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int kt_run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void *kt_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "FAIL: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

uint64_t kt_rgb24_hash(const kzv_frame *f)
{
    uint64_t h = 1469598103934665603ull;
    for (int y = 0; y < f->height; y++) {
        const uint8_t *p = f->data[0] + (size_t)y * f->stride[0];
        for (int x = 0; x < f->width * 3; x++) {
            h ^= p[x];
            h *= 1099511628211ull;
        }
    }
    return h ^ ((uint64_t)f->width << 32 | (uint64_t)f->height);
}
