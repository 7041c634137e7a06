/* kzv bench FILE: where the time goes for one file, stage by stage. */
#include <stdlib.h>
#include <string.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv bench FILE [--format F] [--threads N] [--frames N]\n"
    "Measure one file, stage by stage:\n"
    "  index    the demux-only scan (what exact seeking and counting use)\n"
    "  decode   demux + decode only, no pixel conversion (format none)\n"
    "  full     demux + decode + conversion to F (default rgb24) through the\n"
    "           processor (decode thread -> queue -> this thread), with the\n"
    "           decode thread's time split into demux, codec and convert, and\n"
    "           the time this thread waited for frames (hand-over)\n"
    "  --frames N   stop each pass after N frames\n";

typedef struct pass {
    int64_t frames;
    double wait, last;
} pass;

static int count_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    (void)f; (void)tex;
    pass *p = user;
    double t = kzv_now();
    p->wait += t - p->last;   /* since the previous callback returned: waiting for this frame */
    p->frames++;
    p->last = kzv_now();
    return 0;
}

static void row(const char *stage, double sec, int64_t frames, const char *note)
{
    printf("  %-10s %9.3f s  %9.2f ms/frame  %8.1f fps  %s\n", stage, sec,
           frames ? 1000.0 * sec / (double)frames : 0.0, sec > 0 ? (double)frames / sec : 0.0, note);
}

static int run_pass(const char *cmd, const char *path, kzv_pixfmt fmt, int threads, int64_t max,
                    pass *p, double *wall, kzv_decoder_stats *ds)
{
    kzv_processor_settings ps;
    kzv_processor_default_settings(&ps);
    ps.decoder.format = fmt;
    ps.decoder.threads = threads;
    ps.max_frames = max;
    kzv_processor *proc = NULL;
    double t0 = kzv_now();
    int err = kzv_processor_open(&proc, path, NULL, &ps);
    if (err < 0) {
        kzv_errorf(cmd, "%s", kzv_decoder_last_error(NULL));
        return KZV_EXIT_INPUT;
    }
    memset(p, 0, sizeof(*p));
    p->last = kzv_now();
    err = kzv_processor_run(proc, count_frame, p);
    *wall = kzv_now() - t0;
    kzv_processor_get_decoder_stats(proc, ds);
    if (err < 0)
        kzv_errorf(cmd, "%s: %s", path, kzv_processor_last_error(proc));
    kzv_processor_close(&proc);
    return err < 0 ? KZV_EXIT_INPUT : KZV_EXIT_OK;
}

int cmd_bench(int argc, char **argv)
{
    static const kzv_opt opts[] = {
        { "format", 'f', true }, { "threads", 0, true }, { "frames", 'n', true },
        { "help", 'h', false }, { 0 },
    };
    const char *path = NULL, *v, *fmt_name = "rgb24";
    long long threads = 0, max = -1;
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
        case 0: fmt_name = v; break;
        case 1:
            if (!kzv_parse_int(v, 0, 1024, &threads))
                return kzv_usage_error(a.cmd, "--threads needs a number from 0 to 1024, not '%s'", v);
            break;
        case 2:
            if (!kzv_parse_int(v, 1, INT64_MAX, &max))
                return kzv_usage_error(a.cmd, "--frames needs a number >= 1, not '%s'", v);
            break;
        case 3: fputs(usage, stdout); return KZV_EXIT_OK;
        }
    }
    if (!path)
        return kzv_usage_error(a.cmd, "no FILE given");
    kzv_pixfmt fmt = kzv_pixfmt_from_name(fmt_name);
    if (fmt == KZV_PIXFMT_NONE)
        return kzv_usage_error(a.cmd, "unknown format '%s'", fmt_name);

    /* index: open (decodes the first frame) + demux-only scan */
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.threads = 1;
    kzv_decoder *d = kzv_open_or_report(a.cmd, path, &s);
    if (!d)
        return KZV_EXIT_INPUT;
    const kzv_index_entry *e;
    int64_t n = 0;
    double t0 = kzv_now();
    int err = kzv_decoder_get_index(d, &e, &n);
    double t_index = kzv_now() - t0;
    const kzv_video_info *info = kzv_decoder_info(d);
    printf("%s: %s %dx%d %s, %lld frames, %d decode threads (0 = auto)\n", path, info->codec,
           info->width, info->height, info->pix_fmt, (long long)n, (int)threads);
    kzv_decoder_close(&d);
    if (err < 0) {
        kzv_errorf(a.cmd, "%s: cannot index: %s", path, kzv_strerror(err));
        return KZV_EXIT_INPUT;
    }

    pass p;
    kzv_decoder_stats ds;
    double wall;
    int rc = run_pass(a.cmd, path, KZV_PIXFMT_NONE, (int)threads, max, &p, &wall, &ds);
    if (rc)
        return rc;
    int64_t dec_frames = p.frames;
    double t_decode = wall;
    rc = run_pass(a.cmd, path, fmt, (int)threads, max, &p, &wall, &ds);
    if (rc)
        return rc;

    char note[128];
    printf("  %-10s %11s  %18s  %12s\n", "stage", "time", "per frame", "rate");
    row("index", t_index, n, "demux only, no decoding");
    row("decode", t_decode, dec_frames, "demux + decode, no conversion");
    snprintf(note, sizeof(note), "demux + decode + %s, whole pipeline", kzv_pixfmt_name(fmt));
    row("full", wall, p.frames, note);
    printf("  full pass, decode thread:\n");
    row("  demux", ds.demux_ns / 1e9, p.frames, "");
    row("  codec", ds.decode_ns / 1e9, p.frames, "send + receive (incl. waiting for frame threads)");
    snprintf(note, sizeof(note), "to %s", kzv_pixfmt_name(fmt));
    row("  convert", ds.convert_ns / 1e9, p.frames, note);
    printf("  full pass, consumer thread:\n");
    row("  hand-over", p.wait, p.frames, "waiting for the next frame from the queue");
    printf("  conversion costs %.1f%% of the full pass (decode-only %.1f fps vs full %.1f fps)\n",
           t_decode > 0 && wall > 0 ? 100.0 * (wall - t_decode) / wall : 0.0,
           t_decode > 0 ? dec_frames / t_decode : 0.0, wall > 0 ? p.frames / wall : 0.0);
    return KZV_EXIT_OK;
}
