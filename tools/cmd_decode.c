/* kzv decode FILE [-o OUT] [--start SEC | --start-frame N] [--frames N] [--format F]
 *            [--threads N] [--queue N] [--policy block|drop]
 * Runs on kzv_processor: a decode thread fills the queue while this thread
 * writes the frames out. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv decode FILE [-o OUT] [--start SEC | --start-frame N] [--frames N]\n"
    "                  [--format F] [--threads N] [--queue N] [--policy block|drop]\n"
    "Decode FILE's video stream.\n\n"
    "  -o, --output OUT  where the frames go:\n"
    "                      DIR        PNG files DIR/000000.png, DIR/000001.png, …\n"
    "                                 (named by frame index; DIR is created)\n"
    "                      PATTERN    a name with %d, %06d … for the frame index,\n"
    "                                 e.g. out/frame-%06d.png (%% for a literal %)\n"
    "                      -          raw frames back to back on standard output\n"
    "                                 (rows without padding; planar: Y, U, V;\n"
    "                                 nv12/p010: Y, then U,V interleaved;\n"
    "                                 16-bit samples in host byte order)\n"
    "                      NAME.y4m   YUV4MPEG2 (needs a planar YUV format;\n"
    "                                 yuv420p default; 10-bit as C420p10 …)\n"
    "                    without -o, frames are decoded and discarded and a summary\n"
    "                    (frames, seconds, fps) goes to standard error\n"
    "  --start SEC       begin with the frame displayed at SEC seconds (exact)\n"
    "  --start-frame N   begin with frame N (display order, 0-based; exact)\n"
    "  --frames N        stop after N frames\n"
    "  --format F        rgb24 (default), rgba, rgb48, yuv420p, yuv422p, yuv444p,\n"
    "                    yuv420p10, yuv422p10, yuv444p10 (10-bit values in 16-bit\n"
    "                    samples), nv12, p010 (10 bits in the high bits), or\n"
    "                    yuv: the YUV layout the codec decodes, passed through\n"
    "                    without conversion (8-bit 4:2:0 → yuv420p, 10-bit 4:2:0 →\n"
    "                    yuv420p10, 12-bit → 10-bit …; kzv probe shows which).\n"
    "                    YUV output keeps the source's matrix and range.\n"
    "                    PNG takes rgb24, rgba, rgb48; y4m takes the planar YUV ones\n"
    "  --threads N       decoding threads (0 = one per core, the default)\n"
    "  --queue N         frames buffered between decoding and writing (default 16)\n"
    "  --policy P        block (default: every frame) or drop (drop the oldest\n"
    "                    queued frame when the writer falls behind)\n"
    "  --hw NAME         hardware decoding: auto, cuda, vaapi, … (software when\n"
    "                    unavailable; kzv probe --hwaccel lists them)\n"
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

typedef struct writer {
    const char *cmd, *out;
    enum out_kind kind;
    const kzv_video_info *info;
    FILE *fp;
    cli_progress prog;
    int64_t n;
    int rc;
    char name[4096];
} writer;

/* The processor's callback: write one frame; > 0 stops on a write error. */
static int write_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    writer *w = user;
    (void)tex;
    bool ok = true;
    switch (w->kind) {
    case OUT_NONE:
        break;
    case OUT_RAW:
        ok = cli_write_frame_raw(w->fp, f);
        if (!ok) {
            cli_progress_clear(&w->prog);
            cli_errorf(w->cmd, "cannot write to standard output");
        }
        break;
    case OUT_Y4M:
        if (w->n == 0 && !cli_y4m_write_header(w->fp, f->width, f->height, f->format,
                                               w->info->frame_rate, w->info->sample_aspect_ratio,
                                               f->color.range))
            ok = false;
        ok = ok && cli_y4m_write_frame(w->fp, f);
        if (!ok) {
            cli_progress_clear(&w->prog);
            cli_errorf(w->cmd, "cannot write '%s'", w->out);
        }
        break;
    case OUT_DIR:
    case OUT_PATTERN: {
        bool named = w->kind == OUT_DIR
            ? snprintf(w->name, sizeof(w->name), "%s/%06lld.png", w->out,
                       (long long)f->frame_index) < (int)sizeof(w->name)
            : pattern_format(w->name, sizeof(w->name), w->out, (long long)f->frame_index);
        int werr = named ? kzv_frame_write_png(f, w->name) : KZV_EINVAL;
        if (werr < 0) {
            cli_progress_clear(&w->prog);
            cli_errorf(w->cmd, "cannot write '%s': %s", named ? w->name : w->out, kzv_strerror(werr));
            ok = false;
        }
        break;
    }
    }
    if (!ok) {
        w->rc = CLI_EXIT_INPUT;
        return 1;
    }
    w->n++;
    cli_progress_update(&w->prog, w->n);
    return 0;
}

int cmd_decode(int argc, char **argv)
{
    enum { OPT_START = CLI_OPT_FIRST_OWN, OPT_START_FRAME, OPT_QUEUE, OPT_POLICY };
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' }, { "frames", required_argument, NULL, 'n' },
        { "format", required_argument, NULL, 'f' }, { "start", required_argument, NULL, OPT_START },
        { "start-frame", required_argument, NULL, OPT_START_FRAME },
        { "queue", required_argument, NULL, OPT_QUEUE },
        { "policy", required_argument, NULL, OPT_POLICY }, CLI_LONGOPT_THREADS, CLI_LONGOPT_HELP,
        CLI_LONGOPT_HW, CLI_LONGOPT_STREAM, { 0 },
    };
    const char *out = NULL, *fmt_name = NULL, *v;
    long long max_frames = -1, start_frame = -1, queue_cap = 16;
    double start_time = NAN;
    kzv_queue_policy policy = KZV_QUEUE_BLOCK;
    cli_input in;
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    cli_input_init(&in, a.cmd);
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case 'o': out = v; break;
        case 'n':
            if (!cli_parse_int(v, 0, INT64_MAX, &max_frames))
                return cli_usage_error(a.cmd, "--frames needs a number >= 0, not '%s'", v);
            break;
        case 'f': fmt_name = v; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        case OPT_START: {
            char *end = NULL;
            start_time = strtod(v, &end);
            if (!*v || *end || !isfinite(start_time))
                return cli_usage_error(a.cmd, "--start needs a time in seconds, not '%s'", v);
            break;
        }
        case OPT_START_FRAME:
            if (!cli_parse_int(v, 0, INT64_MAX, &start_frame))
                return cli_usage_error(a.cmd, "--start-frame needs a number >= 0, not '%s'", v);
            break;
        case OPT_QUEUE:
            if (!cli_parse_int(v, 1, 4096, &queue_cap))
                return cli_usage_error(a.cmd, "--queue needs a number from 1 to 4096, not '%s'", v);
            break;
        case OPT_POLICY:
            if (!strcmp(v, "block"))
                policy = KZV_QUEUE_BLOCK;
            else if (!strcmp(v, "drop"))
                policy = KZV_QUEUE_DROP_OLDEST;
            else
                return cli_usage_error(a.cmd, "--policy is block or drop, not '%s'", v);
            break;
        default:
            if (cli_input_option(&in, r, v) < 0)
                return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &in.path, true))
        return CLI_EXIT_USAGE;
    const char *path = in.path;
    if (start_frame >= 0 && !isnan(start_time))
        return cli_usage_error(a.cmd, "give --start or --start-frame, not both");
    if (out && !*out)
        return cli_usage_error(a.cmd, "empty output name");

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
            return cli_usage_error(a.cmd, "unknown format '%s' (rgb24, rgba, rgb48, yuv420p, "
                                          "yuv422p, yuv444p, yuv420p10, yuv422p10, yuv444p10, "
                                          "nv12, p010, yuv)", fmt_name);
    }
    bool is_yuv = fmt == KZV_PIXFMT_YUV_AUTO || kzv_pixfmt_chroma_shift(fmt, NULL, NULL);
    if ((kind == OUT_DIR || kind == OUT_PATTERN) && is_yuv)
        return cli_usage_error(a.cmd, "PNG output needs rgb24, rgba or rgb48, not %s",
                               kzv_pixfmt_name(fmt));
    if (kind == OUT_Y4M && (!is_yuv || fmt == KZV_PIXFMT_NV12 || fmt == KZV_PIXFMT_P010))
        return cli_usage_error(a.cmd, "y4m output needs a planar YUV format (yuv420p, yuv422p, "
                               "yuv444p, their 10-bit forms, or yuv), not %s%s", kzv_pixfmt_name(fmt),
                               is_yuv ? " (y4m has no semi-planar layout; write raw with -o -)" : "");
    if (kind == OUT_PATTERN && !pattern_ok(out))
        return cli_usage_error(a.cmd, "output pattern '%s' needs exactly one %%d (like %%06d); "
                                      "write %%%% for a literal %%", out);
    if (kind == OUT_RAW && isatty(STDOUT_FILENO))
        return cli_usage_error(a.cmd, "refusing to write raw video to a terminal; "
                                      "redirect standard output");
    if (kind == OUT_DIR && !make_dirs(out)) {
        cli_errorf(a.cmd, "cannot create directory '%s': %s", out, strerror(errno));
        return CLI_EXIT_INPUT;
    }

    kzv_processor_settings ps;
    kzv_processor_default_settings(&ps);
    ps.decoder.format = fmt;
    /* A raw or y4m stream has one picture size for all frames. */
    ps.decoder.keep_first_size = kind == OUT_RAW || kind == OUT_Y4M;
    ps.queue.capacity = (int)queue_cap;
    ps.queue.policy = policy;
    ps.start_frame = start_frame;
    ps.start_time = start_time;
    ps.max_frames = max_frames;
    kzv_processor *p = NULL;
    if (cli_open_processor(&in, &ps, &p) != CLI_EXIT_OK)
        return CLI_EXIT_INPUT;
    const kzv_video_info *info = kzv_processor_info(p);
    /* "yuv" is settled now; hardware decoding resolves it to nv12/p010,
     * which y4m cannot carry. */
    fmt = info->format;
    if (kind == OUT_Y4M && (fmt == KZV_PIXFMT_NV12 || fmt == KZV_PIXFMT_P010)) {
        cli_errorf(a.cmd, "%s decodes to %s, which y4m cannot carry; use --format yuv420p or "
                   "yuv420p10, or raw output (-o -)", path, kzv_pixfmt_name(fmt));
        kzv_processor_close(&p);
        return CLI_EXIT_USAGE;
    }

    writer w = { .cmd = a.cmd, .out = out, .kind = kind, .info = info, .rc = CLI_EXIT_OK };
    if (kind == OUT_RAW) {
        w.fp = stdout;
    } else if (kind == OUT_Y4M) {
        w.fp = fopen(out, "wb");
        if (!w.fp) {
            cli_errorf(a.cmd, "cannot write '%s': %s", out, strerror(errno));
            kzv_processor_close(&p);
            return CLI_EXIT_INPUT;
        }
    }

    int64_t want = max_frames;
    if (info->total_frames >= 0 && (want < 0 || info->total_frames < want))
        want = info->total_frames;
    cli_progress_init(&w.prog, "decode", want);
    double t0 = cli_now();
    int err = kzv_processor_run(p, write_frame, &w);
    cli_progress_clear(&w.prog);
    double elapsed = cli_now() - t0;
    int rc = w.rc;
    if (kind == OUT_Y4M && w.n == 0 && rc == CLI_EXIT_OK &&
        !cli_y4m_write_header(w.fp, info->width, info->height, fmt, info->frame_rate,
                              info->sample_aspect_ratio, info->color.range)) {
        cli_errorf(a.cmd, "cannot write '%s'", out);
        rc = CLI_EXIT_INPUT;
    }
    if (rc == CLI_EXIT_OK && err < 0) {
        cli_errorf(a.cmd, "%s: %s", path, kzv_processor_last_error(p)[0] ? kzv_processor_last_error(p)
                                                                          : kzv_strerror(err));
        rc = CLI_EXIT_INPUT;
    }
    if (w.fp && w.fp != stdout) {
        if (fclose(w.fp) != 0 && rc == CLI_EXIT_OK) {
            cli_errorf(a.cmd, "cannot write '%s'", out);
            rc = CLI_EXIT_INPUT;
        }
    } else if (w.fp && (fflush(w.fp) != 0 || ferror(w.fp)) && rc == CLI_EXIT_OK) {
        cli_errorf(a.cmd, "cannot write to standard output");
        rc = CLI_EXIT_INPUT;
    }
    if (kind == OUT_NONE || isatty(STDERR_FILENO)) {
        kzv_decoder_stats st;
        kzv_processor_stats pst;
        kzv_processor_get_decoder_stats(p, &st);
        kzv_processor_get_stats(p, &pst);
        fprintf(stderr, "%lld frames (%s %dx%d) in %.3f s, %.1f fps", (long long)w.n,
                kzv_pixfmt_name(fmt), info->width, info->height, elapsed,
                elapsed > 0 ? (double)w.n / elapsed : 0.0);
        if (st.corrupt_packets)
            fprintf(stderr, ", %lld corrupt packets skipped", (long long)st.corrupt_packets);
        if (pst.dropped)
            fprintf(stderr, ", %lld dropped (policy drop)", (long long)pst.dropped);
        if (kind != OUT_NONE)
            fprintf(stderr, " -> %s", kind == OUT_RAW ? "standard output" : out);
        fputc('\n', stderr);
    }
    kzv_processor_close(&p);
    return rc;
}
