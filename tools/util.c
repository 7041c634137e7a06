/* Shared helpers of the kzv tool: error reporting, number parsing, raw
 * frame output, colour names. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kzv.h"

void cli_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kzv %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warnf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kzv %s: warning: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kzv %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'kzv %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

/* strtoll and strtod skip leading white space; a value given as " 5" (a
 * quoting slip) is refused instead. */
bool cli_parse_int(const char *s, long long min, long long max, long long *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_parse_number(const char *s, double min, double max, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

bool cli_parse_seconds(const char *s, double *out)
{
    return cli_parse_number(s, 0, DBL_MAX, out);
}

bool cli_parse_size(const char *s, int max, int *w, int *h)
{
    const char *x = s ? strpbrk(s, "xX") : NULL;
    if (!x || x - s > 20)
        return false;
    char first[24];
    memcpy(first, s, (size_t)(x - s));
    first[x - s] = '\0';
    long long a, b;
    if (!cli_parse_int(first, 1, max, &a) || !cli_parse_int(x + 1, 1, max, &b))
        return false;
    *w = (int)a;
    *h = (int)b;
    return true;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool cli_write_frame_raw(FILE *fp, const kzv_frame *f)
{
    for (int p = 0; p < 4; p++) {
        int ph;
        size_t row;
        if (kzv_pixfmt_plane_size(f->format, f->width, f->height, p, NULL, &ph, &row) < 0)
            break;
        const uint8_t *src = f->data[p];
        if ((size_t)f->stride[p] == row) {     /* tight: one write */
            if (fwrite(src, row, (size_t)ph, fp) != (size_t)ph)
                return false;
            continue;
        }
        for (int y = 0; y < ph; y++)
            if (fwrite(src + (size_t)y * (size_t)f->stride[p], 1, row, fp) != row)
                return false;
    }
    return true;
}

const char *cli_primaries_name(int p)
{
    switch (p) {
    case 1:  return "bt709";
    case 2:  return "unspecified";
    case 4:  return "bt470m";
    case 5:  return "bt470bg";
    case 6:  return "smpte170m";
    case 7:  return "smpte240m";
    case 8:  return "film";
    case 9:  return "bt2020";
    case 10: return "smpte428";
    case 11: return "smpte431";
    case 12: return "smpte432";
    case 22: return "ebu3213";
    default: return "other";
    }
}

const char *cli_transfer_name(int t)
{
    switch (t) {
    case 1:  return "bt709";
    case 2:  return "unspecified";
    case 4:  return "gamma22";
    case 5:  return "gamma28";
    case 6:  return "smpte170m";
    case 7:  return "smpte240m";
    case 8:  return "linear";
    case 9:  return "log100";
    case 10: return "log316";
    case 11: return "iec61966-2-4";
    case 12: return "bt1361e";
    case 13: return "iec61966-2-1";
    case 14: return "bt2020-10";
    case 15: return "bt2020-12";
    case 16: return "smpte2084";
    case 17: return "smpte428";
    case 18: return "arib-std-b67";
    default: return "other";
    }
}
