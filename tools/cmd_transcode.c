/* kzv transcode IN OUT: decode → process → encode → mux, everything else
 * kept (kzv_transcode(), include/kzv/transcode.h). Options are parsed by the
 * tool's shared parser (args.c); its own are the progress output and the
 * signal handling. */
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kzv.h"

/* Exit codes of this command (also in README, "The way back"). */
enum {
    TC_EXIT_OK = 0,
    TC_EXIT_USAGE = CLI_EXIT_USAGE,   /* bad command line */
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
          "  -n, --frames N        number of frames\n"
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

/* The parsed command line. */
typedef struct tc_args {
    kzv_transcode_settings s;
    const char *opts[65];   /* -x KEY=VALUE, NULL-terminated */
    int nopts;
    const char *progress_path;
    bool quiet;
    const char *in, *out;
} tc_args;

enum {
    O_CODEC = CLI_OPT_FIRST_OWN, O_CRF, O_QP, O_PRESET, O_PIXFMT, O_CONTAINER, O_START, O_START_FRAME, O_SCALE,
    O_FILTER_CMD, O_FILTER_SIZE, O_FILTER_FORMAT, O_FILTER_TIMEOUT, O_NO_AUDIO, O_NO_SUBS, O_NO_ATT,
    O_NO_DATA, O_LANGUAGE,
};

/* One option into t; CLI_EXIT_USAGE after printing why it is wrong. */
static int take_option(tc_args *t, const char *cmd, int id, const char *v)
{
    kzv_transcode_settings *s = &t->s;
    long long n;
    double d;
    switch (id) {
    case O_CODEC: s->encoder.codec = v; break;
    case O_CRF:
        if (!cli_parse_number(v, 0, 1000, &d))
            return cli_usage_error(cmd, "--crf needs a number from 0 to 1000, not '%s'", v);
        s->encoder.crf = d;
        break;
    case O_QP:
        if (!cli_parse_int(v, 0, 1000, &n))
            return cli_usage_error(cmd, "--qp needs an integer from 0 to 1000, not '%s'", v);
        s->encoder.qp = (int)n;
        break;
    case O_PRESET: s->encoder.preset = v; break;
    case 'x':
        if (t->nopts == 64)
            return cli_usage_error(cmd, "more than 64 encoder options");
        if (!strchr(v, '='))
            return cli_usage_error(cmd, "--opt needs KEY=VALUE, not '%s'", v);
        t->opts[t->nopts++] = v;
        break;
    case O_PIXFMT: {
        char name[32];
        snprintf(name, sizeof(name), "%s", v);
        size_t l = strlen(name);
        if (l > 2 && !strcmp(name + l - 2, "le"))
            name[l - 2] = 0;    /* FFmpeg's yuv420p10le */
        kzv_pixfmt f = kzv_pixfmt_from_name(name);
        int sw;
        if (f == KZV_PIXFMT_NONE || f == KZV_PIXFMT_YUV_AUTO || !kzv_pixfmt_chroma_shift(f, &sw, NULL))
            return cli_usage_error(cmd, "--pix-fmt: '%s' is not a YUV layout kzv writes", v);
        s->encoder.format = f;
        break;
    }
    case O_CONTAINER: s->encoder.container = v; break;
    case O_START:
        if (!cli_parse_number(v, 0, 1e9, &d))
            return cli_usage_error(cmd, "--start needs a time in seconds, not '%s'", v);
        s->start = d;
        break;
    case O_START_FRAME:
        if (!cli_parse_int(v, 0, INT64_MAX, &n))
            return cli_usage_error(cmd, "--start-frame needs a frame number, not '%s'", v);
        s->start_frame = n;
        break;
    case 'n':
        if (!cli_parse_int(v, 1, INT64_MAX, &n))
            return cli_usage_error(cmd, "--frames needs a number >= 1, not '%s'", v);
        s->frames = n;
        break;
    case O_SCALE:
        if (!cli_parse_int(v, 1, 16, &n))
            return cli_usage_error(cmd, "--scale needs a factor from 1 to 16, not '%s'", v);
        s->scale = (int)n;
        break;
    case O_FILTER_CMD: s->filter_cmd = v; break;
    case O_FILTER_SIZE:
        if (!cli_parse_size(v, 32768, &s->filter_width, &s->filter_height))
            return cli_usage_error(cmd, "--filter-size needs WxH, not '%s'", v);
        break;
    case O_FILTER_FORMAT:
        if (!strcmp(v, "rgb24"))
            s->process_format = KZV_PIXFMT_RGB24;
        else if (!strcmp(v, "rgb48"))
            s->process_format = KZV_PIXFMT_RGB48;
        else
            return cli_usage_error(cmd, "--filter-format must be rgb24 or rgb48, not '%s'", v);
        break;
    case O_FILTER_TIMEOUT:
        if (!cli_parse_number(v, 0.001, 1e6, &d))
            return cli_usage_error(cmd, "--filter-timeout needs seconds from 0.001 to 1000000, not '%s'", v);
        s->filter_timeout_ms = (int64_t)(d * 1000);
        break;
    case O_NO_AUDIO: s->drop_audio = true; break;
    case O_NO_SUBS: s->drop_subtitles = true; break;
    case O_NO_ATT: s->drop_attachments = true; break;
    case O_NO_DATA: s->drop_data = true; break;
    case O_LANGUAGE: s->languages = v; break;
    case CLI_OPT_PROGRESS: t->progress_path = v; break;
    case 'q': t->quiet = true; break;
    }
    return 0;
}

/* The command line into t: 0, CLI_EXIT_USAGE, or -1 after --help. */
static int parse_args(tc_args *t, int argc, char **argv)
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
        { "frames", required_argument, NULL, 'n' },
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
        CLI_LONGOPT_REPORT, CLI_LONGOPT_HELP,
        { NULL, 0, NULL, 0 },
    };
    kzv_transcode_default_settings(&t->s);
    t->s.encoder.codec = "libx264";
    cli_args a;
    cli_args_init(&a, argc, argv, longopts);
    const char *v;
    for (int id; (id = cli_next(&a, &v)) != CLI_END;) {
        if (id == CLI_ERR)
            return CLI_EXIT_USAGE;
        if (id == 'h') {
            usage(stdout);
            return -1;
        }
        if (take_option(t, a.cmd, id, v))
            return CLI_EXIT_USAGE;
    }
    const kzv_transcode_settings *s = &t->s;
    if (s->filter_cmd && s->scale > 1)
        return cli_usage_error(a.cmd, "--scale and --filter-cmd do not go together");
    if (!s->filter_cmd && (s->filter_width || s->process_format != KZV_PIXFMT_RGB24))
        return cli_usage_error(a.cmd, "--filter-size and --filter-format need --filter-cmd");
    if (s->start_frame > 0 && s->start > 0)
        return cli_usage_error(a.cmd, "--start and --start-frame do not go together");
    if (cli_operands(&a, 2, 2, "IN and OUT") < 0)
        return CLI_EXIT_USAGE;
    t->in = argv[a.first_operand];
    t->out = argv[a.first_operand + 1];
    if (t->nopts)
        t->s.encoder.options = t->opts;
    return 0;
}

int cmd_transcode(int argc, char **argv)
{
    tc_args t;
    memset(&t, 0, sizeof(t));
    int rc = parse_args(&t, argc, argv);
    if (rc)
        return rc < 0 ? TC_EXIT_OK : rc;
    kzv_transcode_settings *s = &t.s;
    const char *out = t.out;

    prog_state ps = { .tty = !t.quiet && isatty(STDERR_FILENO) };
    if (t.progress_path) {
        ps.machine = !strcmp(t.progress_path, "-") ? stdout : fopen(t.progress_path, "w");
        if (!ps.machine) {
            cli_errorf("transcode", "cannot write progress to %s", t.progress_path);
            return TC_EXIT_OUTPUT;
        }
    }
    s->progress = on_progress;
    s->progress_user = &ps;

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    kzv_transcode_progress fin;
    int err = kzv_transcode(t.in, out, s, &fin);

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
