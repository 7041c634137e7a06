/* kzv decode FILE [-o OUT] [--frames N] [--format F] [--threads N] */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv decode FILE [-o OUT] [--frames N] [--format F] [--threads N]\n"
    "Decode FILE's video stream.\n\n"
    "  -o, --output OUT  where the frames go:\n"
    "                      DIR        PNG files DIR/000000.png, DIR/000001.png, …\n"
    "                                 (named by frame index; DIR is created)\n"
    "                      PATTERN    a name with %d, %06d … for the frame index,\n"
    "                                 e.g. out/frame-%06d.png (%% for a literal %)\n"
    "                      -          raw frames back to back on standard output\n"
    "                                 (rows without padding; planar: Y, U, V)\n"
    "                      NAME.y4m   YUV4MPEG2 (needs a YUV format; yuv420p default)\n"
    "                    without -o, frames are decoded and discarded and a summary\n"
    "                    (frames, seconds, fps) goes to standard error\n"
    "  --frames N        stop after N frames\n"
    "  --format F        rgb24 (default), rgba, rgb48, yuv420p, yuv422p, yuv444p;\n"
    "                    PNG takes rgb24, rgba, rgb48\n"
    "  --threads N       decoding threads (0 = one per core, the default)\n"
    "  --help            show this help\n\n"
    "Raw and y4m output keep the first frame's size if the size changes mid-stream.\n";

enum out_kind { OUT_NONE, OUT_DIR, OUT_PATTERN, OUT_RAW, OUT_Y4M };

/* Validate a file-name pattern: exactly one %d with optional 0 flag and
 * width, plus any number of %%. Never handed to printf as a format. */
static bool pattern_ok(const char *p)
{
    int conversions = 0;
    for (; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p != 'd')
            return false;
        conversions++;
    }
    return conversions == 1;
}

/* Expand a pattern checked by pattern_ok() with index n. */
static bool pattern_format(char *out, size_t size, const char *p, long long n)
{
    size_t len = 0;
    for (; *p; p++) {
        char piece[64];
        const char *src = piece;
        size_t plen;
        if (*p != '%') {
            piece[0] = *p;
            plen = 1;
        } else if (p[1] == '%') {
            piece[0] = '%';
            plen = 1;
            p++;
        } else {
            p++;
            bool zero = *p == '0';
            int width = atoi(p);
            while (*p >= '0' && *p <= '9')
                p++;
            if (width > 32)
                width = 32;
            int r = zero ? snprintf(piece, sizeof(piece), "%0*lld", width, n)
                         : snprintf(piece, sizeof(piece), "%*lld", width, n);
            plen = r > 0 ? (size_t)r : 0;
        }
        if (len + plen + 1 > size)
            return false;
        memcpy(out + len, src, plen);
        len += plen;
    }
    out[len] = '\0';
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

/* mkdir -p */
static bool make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return false;
        buf[i] = c;
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cmd_decode(int argc, char **argv)
{
    static const kzv_opt opts[] = {
        { "output", 'o', true }, { "frames", 'n', true }, { "format", 'f', true },
        { "threads", 0, true }, { "help", 'h', false }, { 0 },
    };
    const char *path = NULL, *out = NULL, *fmt_name = NULL, *v;
    long long max_frames = -1, threads = 0;
    kzv_args a;
    kzv_args_init(&a, argc, argv);
    for (int r; (r = kzv_args_next(&a, opts, &v)) != -2;) {
        switch (r) {
        case -3: return KZV_EXIT_USAGE;
        case -1:
            if (path)
                return kzv_usage_error(a.cmd, "more than one FILE given");
            path = v;
            break;
        case 0: out = v; break;
        case 1:
            if (!kzv_parse_int(v, 0, INT64_MAX, &max_frames))
                return kzv_usage_error(a.cmd, "--frames needs a number >= 0, not '%s'", v);
            break;
        case 2: fmt_name = v; break;
        case 3:
            if (!kzv_parse_int(v, 0, 1024, &threads))
                return kzv_usage_error(a.cmd, "--threads needs a number from 0 to 1024, not '%s'", v);
            break;
        case 4: fputs(usage, stdout); return KZV_EXIT_OK;
        }
    }
    if (!path)
        return kzv_usage_error(a.cmd, "no FILE given");
    if (out && !*out)
        return kzv_usage_error(a.cmd, "empty output name");

    enum out_kind kind = OUT_NONE;
    if (!out)
        kind = OUT_NONE;
    else if (!strcmp(out, "-"))
        kind = OUT_RAW;
    else if (ends_with(out, ".y4m"))
        kind = OUT_Y4M;
    else if (strchr(out, '%'))
        kind = OUT_PATTERN;
    else
        kind = OUT_DIR;

    kzv_pixfmt fmt = kind == OUT_Y4M ? KZV_PIXFMT_YUV420P : KZV_PIXFMT_RGB24;
    if (fmt_name) {
        fmt = kzv_pixfmt_from_name(fmt_name);
        if (fmt == KZV_PIXFMT_NONE)
            return kzv_usage_error(a.cmd, "unknown format '%s' (rgb24, rgba, rgb48, yuv420p, "
                                          "yuv422p, yuv444p)", fmt_name);
    }
    bool is_yuv = kzv_packed_bpp(fmt) == 0;
    if ((kind == OUT_DIR || kind == OUT_PATTERN) && is_yuv)
        return kzv_usage_error(a.cmd, "PNG output needs rgb24, rgba or rgb48, not %s",
                               kzv_pixfmt_name(fmt));
    if (kind == OUT_Y4M && !is_yuv)
        return kzv_usage_error(a.cmd, "y4m output needs yuv420p, yuv422p or yuv444p, not %s",
                               kzv_pixfmt_name(fmt));
    if (kind == OUT_PATTERN && !pattern_ok(out))
        return kzv_usage_error(a.cmd, "output pattern '%s' needs exactly one %%d (like %%06d); "
                                      "write %%%% for a literal %%", out);
    if (kind == OUT_RAW && isatty(STDOUT_FILENO))
        return kzv_usage_error(a.cmd, "refusing to write raw video to a terminal; "
                                      "redirect standard output");
    if (kind == OUT_DIR && !make_dirs(out)) {
        kzv_errorf(a.cmd, "cannot create directory '%s': %s", out, strerror(errno));
        return KZV_EXIT_INPUT;
    }

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = fmt;
    s.threads = (int)threads;
    /* A raw or y4m stream has one picture size for all frames. */
    s.keep_first_size = kind == OUT_RAW || kind == OUT_Y4M;
    kzv_decoder *d = kzv_open_or_report(a.cmd, path, &s);
    if (!d)
        return KZV_EXIT_INPUT;
    const kzv_video_info *info = kzv_decoder_info(d);

    int rc = KZV_EXIT_OK;
    FILE *fp = NULL;
    if (kind == OUT_RAW) {
        fp = stdout;
    } else if (kind == OUT_Y4M) {
        fp = fopen(out, "wb");
        if (!fp) {
            kzv_errorf(a.cmd, "cannot write '%s': %s", out, strerror(errno));
            kzv_decoder_close(&d);
            return KZV_EXIT_INPUT;
        }
    }

    int64_t want = max_frames;
    if (info->total_frames >= 0 && (want < 0 || info->total_frames < want))
        want = info->total_frames;
    kzv_progress prog;
    kzv_progress_init(&prog, "decode", want);
    double t0 = kzv_now();
    int64_t n = 0;
    char name[4096];
    kzv_frame *f = NULL;
    int err = KZV_OK;
    while ((max_frames < 0 || n < max_frames) && (err = kzv_decoder_next(d, &f)) == KZV_OK) {
        bool ok = true;
        switch (kind) {
        case OUT_NONE:
            break;
        case OUT_RAW:
            ok = kzv_write_frame_raw(fp, f);
            if (!ok) {
                kzv_progress_clear(&prog);
                kzv_errorf(a.cmd, "cannot write to standard output");
            }
            break;
        case OUT_Y4M:
            if (n == 0 && !kzv_y4m_write_header(fp, f->width, f->height, f->format,
                                                info->frame_rate, info->sample_aspect_ratio,
                                                f->color.range))
                ok = false;
            ok = ok && kzv_y4m_write_frame(fp, f);
            if (!ok) {
                kzv_progress_clear(&prog);
                kzv_errorf(a.cmd, "cannot write '%s'", out);
            }
            break;
        case OUT_DIR:
        case OUT_PATTERN: {
            bool named = kind == OUT_DIR
                ? snprintf(name, sizeof(name), "%s/%06lld.png", out,
                           (long long)f->frame_index) < (int)sizeof(name)
                : pattern_format(name, sizeof(name), out, (long long)f->frame_index);
            int werr = named ? kzv_frame_write_png(f, name) : KZV_EINVAL;
            if (werr < 0) {
                kzv_progress_clear(&prog);
                kzv_errorf(a.cmd, "cannot write '%s': %s", named ? name : out,
                           kzv_strerror(werr));
                ok = false;
            }
            break;
        }
        }
        kzv_frame_unref(&f);
        if (!ok) {
            rc = KZV_EXIT_INPUT;
            break;
        }
        n++;
        kzv_progress_update(&prog, n);
    }
    kzv_progress_clear(&prog);
    double elapsed = kzv_now() - t0;
    if (kind == OUT_Y4M && n == 0 && rc == KZV_EXIT_OK &&
        !kzv_y4m_write_header(fp, info->width, info->height, fmt, info->frame_rate,
                              info->sample_aspect_ratio, info->color.range)) {
        kzv_errorf(a.cmd, "cannot write '%s'", out);
        rc = KZV_EXIT_INPUT;
    }
    if (rc == KZV_EXIT_OK && err != KZV_OK && err != KZV_EOF) {
        kzv_report_decode_error(a.cmd, path, d, err);
        rc = KZV_EXIT_INPUT;
    }
    if (fp && fp != stdout) {
        if (fclose(fp) != 0 && rc == KZV_EXIT_OK) {
            kzv_errorf(a.cmd, "cannot write '%s'", out);
            rc = KZV_EXIT_INPUT;
        }
    } else if (fp && (fflush(fp) != 0 || ferror(fp)) && rc == KZV_EXIT_OK) {
        kzv_errorf(a.cmd, "cannot write to standard output");
        rc = KZV_EXIT_INPUT;
    }
    if (kind == OUT_NONE || isatty(STDERR_FILENO)) {
        kzv_decoder_stats st;
        kzv_decoder_get_stats(d, &st);
        fprintf(stderr, "%lld frames (%s %dx%d) in %.3f s, %.1f fps", (long long)n,
                kzv_pixfmt_name(fmt), info->width, info->height, elapsed,
                elapsed > 0 ? (double)n / elapsed : 0.0);
        if (st.corrupt_packets)
            fprintf(stderr, ", %lld corrupt packets skipped", (long long)st.corrupt_packets);
        if (kind != OUT_NONE)
            fprintf(stderr, " -> %s", kind == OUT_RAW ? "standard output" : out);
        fputc('\n', stderr);
    }
    kzv_decoder_close(&d);
    return rc;
}
