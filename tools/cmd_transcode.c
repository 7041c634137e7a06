/* kzv transcode IN OUT: decode → process → encode → mux, everything else
 * kept (kzv_transcode(), include/kzv/transcode.h). Self-contained: its own
 * option parsing (getopt_long), progress output and signal handling. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kzv/kzv.h>

int cmd_transcode(int argc, char **argv);

/* Exit codes of this command (also in README, "The way back"). */
enum {
    TC_EXIT_OK = 0,
    TC_EXIT_USAGE = 2,        /* bad command line */
    TC_EXIT_INPUT = 3,        /* cannot open, read or decode the input */
    TC_EXIT_OUTPUT = 4,       /* cannot write the output, the encoder or container refused the
                                 settings (unknown codec or option), processing or the filter failed */
    TC_EXIT_INTERRUPTED = 5,  /* stopped by SIGINT / SIGTERM: no output written */
};

/* Set by the handler, read by the progress callback on kzv's encode thread. */
static _Atomic int got_signal = 0;

static void on_signal(int sig)
{
    got_signal = sig;
}

static void usage(FILE *fp)
{
    fputs("usage: kzv transcode [OPTIONS] IN OUT\n"
          "Decode IN, process every frame, encode and write OUT with IN's other streams\n"
          "(audio, subtitles, fonts, chapters, metadata) copied and every timestamp kept.\n\n"
          "Encoding:\n"
          "  --codec NAME          FFmpeg encoder (default libx264): libx265, libsvtav1, ffv1 …\n"
          "  --crf X               constant rate factor\n"
          "  --qp N                constant quantiser\n"
          "  --preset P            encoder preset (ultrafast … veryslow, or the codec's)\n"
          "  -x, --opt KEY=VALUE   any encoder option (repeatable)\n"
          "  --pix-fmt FMT         output layout: yuv420p yuv422p yuv444p yuv420p10 yuv422p10\n"
          "                        yuv444p10 (default: the source's own)\n"
          "  --container NAME      muxer (default: from OUT's extension)\n"
          "Range (exact, on frames):\n"
          "  --start-frame N       first frame (display index)\n"
          "  --start SECONDS       first frame: the one displayed at this time\n"
          "  --frames N            number of frames\n"
          "Processing (one of; with neither, a plain re-encode):\n"
          "  --scale N             built-in lanczos scaler (libswscale) by N\n"
          "  --filter-cmd CMD      external filter: `sh -c CMD` reads raw frames on stdin and writes\n"
          "                        exactly one frame of --filter-size per input frame on stdout\n"
          "  --filter-size WxH     the filter's output size (default: the input's)\n"
          "  --filter-format FMT   rgb24 (default) or rgb48 (16-bit host-endian)\n"
          "  --filter-timeout SEC  a filter without progress this long fails (default 30)\n"
          "Streams:\n"
          "  --no-audio, --no-subtitles, --no-attachments, --no-data\n"
          "  --language LIST       keep only audio/subtitle streams in these languages (jpn,eng)\n"
          "Output:\n"
          "  --progress FILE|-     key=value progress blocks (like ffmpeg -progress)\n"
          "  -q, --quiet           no progress line on the terminal\n"
          "Exit status: 0 ok, 2 usage error, 3 input error, 4 output/encoder/filter error,\n"
          "5 interrupted (SIGINT/SIGTERM; OUT is not written).\n", fp);
}

typedef struct prog_state {
    FILE *machine;          /* --progress */
    bool tty;
    double last_line, last_block;
} prog_state;

static void fmt_time(char *buf, size_t n, double s)
{
    if (s < 0)
        s = 0;
    int64_t us = (int64_t)(s * 1e6 + 0.5);
    snprintf(buf, n, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%06" PRId64, us / 3600000000, us / 60000000 % 60,
             us / 1000000 % 60, us % 1000000);
}

static int on_progress(void *user, const kzv_transcode_progress *p)
{
    prog_state *ps = user;
    if (ps->tty && (p->done || p->elapsed - ps->last_line >= 0.25)) {
        ps->last_line = p->elapsed;
        char eta[32] = "?";
        if (p->total_frames > 0 && p->fps > 0) {
            double left = (double)(p->total_frames - p->frames) / p->fps;
            snprintf(eta, sizeof(eta), "%d:%02d", (int)left / 60, (int)left % 60);
        }
        char total[32] = "";
        if (p->total_frames > 0)
            snprintf(total, sizeof(total), "/%" PRId64, p->total_frames);
        fprintf(stderr, "\rframe %" PRId64 "%s  fps %.1f  speed %.2fx  eta %s   ", p->frames, total, p->fps, p->speed,
                eta);
        if (p->done)
            fputc('\n', stderr);
        fflush(stderr);
    }
    if (ps->machine && (p->done || p->elapsed - ps->last_block >= 0.5)) {
        ps->last_block = p->elapsed;
        char t[32];
        fmt_time(t, sizeof(t), p->out_time);
        fprintf(ps->machine, "frame=%" PRId64 "\ntotal_frames=%" PRId64 "\nfps=%.2f\nout_time_us=%" PRId64
                "\nout_time=%s\ntotal_size=%" PRId64 "\nspeed=%.3fx\nprogress=%s\n", p->frames, p->total_frames,
                p->fps, (int64_t)(p->out_time * 1e6), t, p->bytes, p->speed, p->done ? "end" : "continue");
        fflush(ps->machine);
    }
    return got_signal != 0;
}

static bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "kzv transcode: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'kzv transcode --help'.\n");
    return TC_EXIT_USAGE;
}

enum {
    O_CODEC = 256, O_CRF, O_QP, O_PRESET, O_PIXFMT, O_CONTAINER, O_START, O_START_FRAME, O_FRAMES, O_SCALE,
    O_FILTER_CMD, O_FILTER_SIZE, O_FILTER_FORMAT, O_FILTER_TIMEOUT, O_NO_AUDIO, O_NO_SUBS, O_NO_ATT, O_NO_DATA,
    O_LANGUAGE, O_PROGRESS, O_HELP,
};

int cmd_transcode(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "codec", required_argument, NULL, O_CODEC },
        { "crf", required_argument, NULL, O_CRF },
        { "qp", required_argument, NULL, O_QP },
        { "preset", required_argument, NULL, O_PRESET },
        { "opt", required_argument, NULL, 'x' },
        { "pix-fmt", required_argument, NULL, O_PIXFMT },
        { "container", required_argument, NULL, O_CONTAINER },
        { "start", required_argument, NULL, O_START },
        { "start-frame", required_argument, NULL, O_START_FRAME },
        { "frames", required_argument, NULL, O_FRAMES },
        { "scale", required_argument, NULL, O_SCALE },
        { "filter-cmd", required_argument, NULL, O_FILTER_CMD },
        { "filter-size", required_argument, NULL, O_FILTER_SIZE },
        { "filter-format", required_argument, NULL, O_FILTER_FORMAT },
        { "filter-timeout", required_argument, NULL, O_FILTER_TIMEOUT },
        { "no-audio", no_argument, NULL, O_NO_AUDIO },
        { "no-subtitles", no_argument, NULL, O_NO_SUBS },
        { "no-attachments", no_argument, NULL, O_NO_ATT },
        { "no-data", no_argument, NULL, O_NO_DATA },
        { "language", required_argument, NULL, O_LANGUAGE },
        { "progress", required_argument, NULL, O_PROGRESS },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, O_HELP },
        { NULL, 0, NULL, 0 },
    };
    kzv_transcode_settings s;
    kzv_transcode_default_settings(&s);
    s.encoder.codec = "libx264";
    const char *opts[65] = { NULL };
    int nopts = 0;
    const char *progress_path = NULL;
    bool quiet = false;
    int64_t iv;
    double dv;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "x:qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_CODEC: s.encoder.codec = optarg; break;
        case O_CRF:
            if (!parse_double(optarg, 0, 1000, &dv))
                return bad("--crf: '%s' is not a number >= 0", optarg);
            s.encoder.crf = dv;
            break;
        case O_QP:
            if (!parse_int(optarg, 0, 1000, &iv))
                return bad("--qp: '%s' is not an integer >= 0", optarg);
            s.encoder.qp = (int)iv;
            break;
        case O_PRESET: s.encoder.preset = optarg; break;
        case 'x':
            if (nopts == 64)
                return bad("too many encoder options%s", "");
            if (!strchr(optarg, '='))
                return bad("--opt: '%s' is not KEY=VALUE", optarg);
            opts[nopts++] = optarg;
            break;
        case O_PIXFMT: {
            char name[32];
            snprintf(name, sizeof(name), "%s", optarg);
            size_t l = strlen(name);
            if (l > 2 && !strcmp(name + l - 2, "le"))
                name[l - 2] = 0;    /* FFmpeg's yuv420p10le */
            kzv_pixfmt f = kzv_pixfmt_from_name(name);
            int sw;
            if (f == KZV_PIXFMT_NONE || f == KZV_PIXFMT_YUV_AUTO || !kzv_pixfmt_chroma_shift(f, &sw, NULL))
                return bad("--pix-fmt: '%s' is not a YUV layout kzv writes", optarg);
            s.encoder.format = f;
            break;
        }
        case O_CONTAINER: s.encoder.container = optarg; break;
        case O_START:
            if (!parse_double(optarg, 0, 1e9, &dv))
                return bad("--start: '%s' is not a time in seconds", optarg);
            s.start = dv;
            break;
        case O_START_FRAME:
            if (!parse_int(optarg, 0, INT64_MAX, &iv))
                return bad("--start-frame: '%s' is not a frame number", optarg);
            s.start_frame = iv;
            break;
        case O_FRAMES:
            if (!parse_int(optarg, 1, INT64_MAX, &iv))
                return bad("--frames: '%s' is not a positive count", optarg);
            s.frames = iv;
            break;
        case O_SCALE:
            if (!parse_int(optarg, 1, 16, &iv))
                return bad("--scale: '%s' is not a factor 1..16", optarg);
            s.scale = (int)iv;
            break;
        case O_FILTER_CMD: s.filter_cmd = optarg; break;
        case O_FILTER_SIZE: {
            int w, h;
            char tail;
            if (sscanf(optarg, "%dx%d%c", &w, &h, &tail) != 2 || w < 1 || h < 1 || w > 32768 || h > 32768)
                return bad("--filter-size: '%s' is not WxH", optarg);
            s.filter_width = w;
            s.filter_height = h;
            break;
        }
        case O_FILTER_FORMAT:
            if (!strcmp(optarg, "rgb24"))
                s.process_format = KZV_PIXFMT_RGB24;
            else if (!strcmp(optarg, "rgb48"))
                s.process_format = KZV_PIXFMT_RGB48;
            else
                return bad("--filter-format: '%s' is not rgb24 or rgb48", optarg);
            break;
        case O_FILTER_TIMEOUT:
            if (!parse_double(optarg, 0.001, 1e6, &dv))
                return bad("--filter-timeout: '%s' is not a number of seconds", optarg);
            s.filter_timeout_ms = (int64_t)(dv * 1000);
            break;
        case O_NO_AUDIO: s.drop_audio = true; break;
        case O_NO_SUBS: s.drop_subtitles = true; break;
        case O_NO_ATT: s.drop_attachments = true; break;
        case O_NO_DATA: s.drop_data = true; break;
        case O_LANGUAGE: s.languages = optarg; break;
        case O_PROGRESS: progress_path = optarg; break;
        case 'q': quiet = true; break;
        case 'h':
        case O_HELP: usage(stdout); return TC_EXIT_OK;
        default:
            return bad("unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return bad("expected IN and OUT, got %s", argc - optind < 2 ? "fewer" : "more");
    const char *in = argv[optind], *out = argv[optind + 1];
    if (s.filter_cmd && s.scale > 1)
        return bad("--scale and --filter-cmd do not go together%s", "");
    if (!s.filter_cmd && (s.filter_width || s.process_format != KZV_PIXFMT_RGB24))
        return bad("--filter-size and --filter-format need --filter-cmd%s", "");
    if (s.start_frame > 0 && s.start > 0)
        return bad("--start and --start-frame do not go together%s", "");
    if (nopts)
        s.encoder.options = opts;

    prog_state ps = { .tty = !quiet && isatty(STDERR_FILENO) };
    if (progress_path) {
        ps.machine = !strcmp(progress_path, "-") ? stdout : fopen(progress_path, "w");
        if (!ps.machine) {
            fprintf(stderr, "kzv transcode: cannot write progress to %s\n", progress_path);
            return TC_EXIT_OUTPUT;
        }
    }
    s.progress = on_progress;
    s.progress_user = &ps;

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    kzv_transcode_progress fin;
    int err = kzv_transcode(in, out, &s, &fin);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (ps.tty && !err)
        ; /* the final line ended with a newline */
    else if (ps.tty)
        fputc('\n', stderr);
    if (ps.machine && ps.machine != stdout)
        fclose(ps.machine);
    if (err == KZV_OK)
        return TC_EXIT_OK;
    kzv_transcode_stage stage = kzv_transcode_failed_stage();
    if (stage == KZV_TRANSCODE_STOPPED || got_signal) {
        fprintf(stderr, "kzv transcode: interrupted by %s after %" PRId64 " frames (output time %.3f s): %s was not "
                "written\n", got_signal == SIGTERM ? "SIGTERM" : "SIGINT", fin.frames, fin.out_time, out);
        return TC_EXIT_INTERRUPTED;
    }
    fprintf(stderr, "kzv transcode: %s\n", kzv_transcode_last_error());
    if (stage == KZV_TRANSCODE_INPUT)
        return TC_EXIT_INPUT;
    return TC_EXIT_OUTPUT;
}
