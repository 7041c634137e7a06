/* Shared helpers of the kzv tool: argument parsing, error reporting, plane
 * geometry, raw frame output. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kzv.h"

void kzv_args_init(kzv_args *a, int argc, char **argv)
{
    a->argc = argc;
    a->argv = argv;
    a->pos = 1;
    a->no_more_opts = false;
    a->cmd = argv[0];
}

int kzv_args_next(kzv_args *a, const kzv_opt *opts, const char **value)
{
    *value = NULL;
    if (a->pos >= a->argc)
        return -2;
    const char *arg = a->argv[a->pos++];
    if (a->no_more_opts || arg[0] != '-' || !strcmp(arg, "-")) {
        *value = arg;
        return -1;
    }
    if (!strcmp(arg, "--")) {
        a->no_more_opts = true;
        return kzv_args_next(a, opts, value);
    }
    int found = -1;
    const char *inline_val = NULL;
    if (arg[1] == '-') {                       /* --name or --name=value */
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (int i = 0; opts[i].long_name || opts[i].short_name; i++)
            if (opts[i].long_name && strlen(opts[i].long_name) == len &&
                !strncmp(opts[i].long_name, name, len)) {
                found = i;
                break;
            }
        if (found >= 0 && eq) {
            if (!opts[found].has_arg) {
                kzv_usage_error(a->cmd, "option '--%s' takes no value", opts[found].long_name);
                return -3;
            }
            inline_val = eq + 1;
        }
    } else {                                   /* -x or -xVALUE */
        for (int i = 0; opts[i].long_name || opts[i].short_name; i++)
            if (opts[i].short_name && opts[i].short_name == arg[1]) {
                found = i;
                break;
            }
        if (found >= 0 && arg[2]) {
            if (!opts[found].has_arg) {
                kzv_usage_error(a->cmd, "unknown option '%s'", arg);
                return -3;
            }
            inline_val = arg + 2;
        }
    }
    if (found < 0) {
        kzv_usage_error(a->cmd, "unknown option '%s'", arg);
        return -3;
    }
    if (opts[found].has_arg) {
        if (inline_val) {
            *value = inline_val;
        } else if (a->pos < a->argc) {
            *value = a->argv[a->pos++];
        } else {
            kzv_usage_error(a->cmd, "option '%s' needs a value", arg);
            return -3;
        }
    }
    return found;
}

void kzv_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kzv %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int kzv_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kzv %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'kzv %s --help'.\n", cmd);
    va_end(ap);
    return KZV_EXIT_USAGE;
}

bool kzv_parse_int(const char *s, long long min, long long max, long long *out)
{
    if (!s || !*s)
        return false;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

kzv_decoder *kzv_open_or_report(const char *cmd, const char *path,
                                const kzv_decoder_settings *s)
{
    kzv_decoder *d = NULL;
    int err = kzv_decoder_open(&d, path, s);
    if (err < 0) {
        const char *msg = kzv_decoder_last_error(NULL);
        if (msg && *msg)
            kzv_errorf(cmd, "%s", msg);
        else
            kzv_errorf(cmd, "%s: %s", path, kzv_strerror(err));
        return NULL;
    }
    return d;
}

void kzv_report_decode_error(const char *cmd, const char *path,
                             const kzv_decoder *d, int err)
{
    const char *msg = kzv_decoder_last_error(d);
    if (msg && *msg)
        kzv_errorf(cmd, "%s", msg);
    else
        kzv_errorf(cmd, "%s: decoding failed: %s", path, kzv_strerror(err));
}

double kzv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool kzv_write_frame_raw(FILE *fp, const kzv_frame *f)
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

const char *kzv_primaries_name(int p)
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

const char *kzv_transfer_name(int t)
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
