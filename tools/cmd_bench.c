/* kzv bench FILE: where the time goes for one file, stage by stage. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv bench FILE [--format F] [--threads N] [--frames N] [--json]\n"
    "Measure one file, stage by stage:\n"
    "  index    the demux-only scan (what exact seeking and counting use)\n"
    "  decode   demux + decode only, no pixel conversion (format none)\n"
    "  full     demux + decode + conversion to F (default rgb24) through the\n"
    "           processor (decode thread -> queue -> this thread), with the\n"
    "           decode thread's time split into demux, codec and convert, and\n"
    "           the time this thread waited for frames (hand-over)\n"
    "  --frames N   stop each pass after N frames\n"
    "  --json       one JSON object: file, codec_name, width, height, pix_fmt,\n"
    "               frames, threads, format, stages[{name, thread, seconds,\n"
    "               frames, ms_per_frame, fps, note}], conversion_share (0..1:\n"
    "               the decode thread's convert time over the full pass)\n"
    "The conversion's share is measured where it happens, not as the\n"
    "difference of the two passes (which is noise on short files).\n";

typedef struct pass {
    int64_t frames;
    double wait, last;
} pass;

static int count_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    (void)f; (void)tex;
    pass *p = user;
    double t = cli_now();
    p->wait += t - p->last;   /* since the previous callback returned: waiting for this frame */
    p->frames++;
    p->last = cli_now();
    return 0;
}

typedef struct stage {
    const char *name, *group;   /* group: NULL, "decode thread", "consumer thread" */
    double sec;
    int64_t frames;
    char note[96];
} stage;

static void row(const stage *st)
{
    bool sub = st->group != NULL;
    printf("  %s%-*s %9.3f s  %9.2f ms/frame  %10.1f fps  %s\n", sub ? "  " : "", sub ? 10 : 12,
           st->name, st->sec, st->frames ? 1000.0 * st->sec / (double)st->frames : 0.0,
           st->sec > 0 ? (double)st->frames / st->sec : 0.0, st->note);
}

static void json_stage(const stage *st, bool first)
{
    printf("%s{\"name\":", first ? "" : ",");
    cli_json_str(stdout, st->name);
    fputs(",\"thread\":", stdout);
    cli_json_str(stdout, st->group);
    fputs(",\"seconds\":", stdout);
    cli_json_num(stdout, "%.6f", st->sec);
    printf(",\"frames\":%lld,\"ms_per_frame\":", (long long)st->frames);
    cli_json_num(stdout, "%.4f", st->frames ? 1000.0 * st->sec / (double)st->frames : NAN);
    fputs(",\"fps\":", stdout);
    cli_json_num(stdout, "%.2f", st->sec > 0 ? (double)st->frames / st->sec : NAN);
    fputs(",\"note\":", stdout);
    cli_json_str(stdout, st->note);
    fputc('}', stdout);
}

static int run_pass(const cli_input *in, kzv_pixfmt fmt, int64_t max,
                    pass *p, double *wall, kzv_decoder_stats *ds)
{
    kzv_processor_settings ps;
    kzv_processor_default_settings(&ps);
    ps.decoder.format = fmt;
    ps.max_frames = max;
    kzv_processor *proc = NULL;
    double t0 = cli_now();
    if (cli_open_processor(in, &ps, &proc) != CLI_EXIT_OK)
        return CLI_EXIT_INPUT;
    memset(p, 0, sizeof(*p));
    p->last = cli_now();
    int err = kzv_processor_run(proc, count_frame, p);
    *wall = cli_now() - t0;
    kzv_processor_get_decoder_stats(proc, ds);
    if (err < 0)
        cli_errorf(in->cmd, "%s: %s", in->path, kzv_processor_last_error(proc));
    kzv_processor_close(&proc);
    return err < 0 ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}

int cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' }, { "frames", required_argument, NULL, 'n' },
        { "json", no_argument, NULL, CLI_OPT_FIRST_OWN },
        CLI_LONGOPT_THREADS, CLI_LONGOPT_HELP, CLI_LONGOPT_HW, CLI_LONGOPT_STREAM, { 0 },
    };
    const char *v, *fmt_name = "rgb24";
    long long max = -1;
    bool json = false;
    cli_input in;
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    cli_input_init(&in, a.cmd);
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case 'f': fmt_name = v; break;
        case CLI_OPT_FIRST_OWN: json = true; break;
        case 'n':
            if (!cli_parse_int(v, 1, INT64_MAX, &max))
                return cli_usage_error(a.cmd, "--frames needs a number >= 1, not '%s'", v);
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default:
            if (cli_input_option(&in, r, v) < 0)
                return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &in.path, true))
        return CLI_EXIT_USAGE;
    const char *path = in.path;
    kzv_pixfmt fmt = kzv_pixfmt_from_name(fmt_name);
    if (fmt == KZV_PIXFMT_NONE)
        return cli_usage_error(a.cmd, "unknown format '%s'", fmt_name);

    /* index: open (decodes the first frame) + demux-only scan */
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    cli_input in1 = in;
    in1.threads = 1;
    kzv_decoder *d = cli_open_decoder(&in1, &s);
    if (!d)
        return CLI_EXIT_INPUT;
    const kzv_index_entry *e;
    int64_t n = 0;
    double t0 = cli_now();
    int err = kzv_decoder_get_index(d, &e, &n);
    double t_index = cli_now() - t0;
    const kzv_video_info *info = kzv_decoder_info(d);   /* kept open: its strings are the decoder's */
    if (err < 0) {
        cli_errorf(a.cmd, "%s: cannot index: %s", path, kzv_strerror(err));
        kzv_decoder_close(&d);
        return CLI_EXIT_INPUT;
    }

    pass p;
    kzv_decoder_stats ds;
    double wall;
    int rc = run_pass(&in, KZV_PIXFMT_NONE, max, &p, &wall, &ds);
    if (rc) {
        kzv_decoder_close(&d);
        return rc;
    }
    int64_t dec_frames = p.frames;
    double t_decode = wall;
    rc = run_pass(&in, fmt, max, &p, &wall, &ds);
    if (rc) {
        kzv_decoder_close(&d);
        return rc;
    }

    stage st[8];
    int ns = 0;
    st[ns++] = (stage){ "index", NULL, t_index, n, "demux only, no decoding" };
    st[ns++] = (stage){ "decode", NULL, t_decode, dec_frames, "demux + decode, no conversion" };
    st[ns] = (stage){ "full", NULL, wall, p.frames, "" };
    snprintf(st[ns++].note, sizeof(st[0].note), "demux + decode + %s, whole pipeline",
             kzv_pixfmt_name(fmt));
    st[ns++] = (stage){ "demux", "decode thread", ds.demux_ns / 1e9, p.frames, "" };
    st[ns++] = (stage){ "codec", "decode thread", ds.decode_ns / 1e9, p.frames,
                        "send + receive (incl. waiting for frame threads)" };
    st[ns] = (stage){ "convert", "decode thread", ds.convert_ns / 1e9, p.frames, "" };
    snprintf(st[ns++].note, sizeof(st[0].note), "to %s", kzv_pixfmt_name(fmt));
    st[ns++] = (stage){ "hand-over", "consumer thread", p.wait, p.frames,
                        "waiting for the next frame from the queue" };
    /* The conversion's share, measured where it happens (the decode thread's
     * convert time over the full pass), not as the difference of two passes:
     * that difference is mostly noise on short files and goes negative. */
    double share = wall > 0 ? 100.0 * (ds.convert_ns / 1e9) / wall : NAN;
    if (json) {
        fputs("{\"file\":", stdout);
        cli_json_str(stdout, path);
        fputs(",\"codec_name\":", stdout);
        cli_json_str(stdout, info->codec);
        printf(",\"width\":%d,\"height\":%d,\"pix_fmt\":", info->width, info->height);
        cli_json_str(stdout, info->pix_fmt);
        printf(",\"frames\":%lld,\"threads\":%d,\"format\":", (long long)n, in.threads);
        cli_json_str(stdout, kzv_pixfmt_name(fmt));
        fputs(",\"stages\":[", stdout);
        for (int i = 0; i < ns; i++)
            json_stage(&st[i], i == 0);
        fputs("],\"conversion_share\":", stdout);
        cli_json_num(stdout, "%.4f", share / 100.0);
        fputs("}\n", stdout);
    } else {
        printf("%s: %s %dx%d %s, %lld frames, %d decode threads (0 = auto)\n", path, info->codec,
               info->width, info->height, info->pix_fmt, (long long)n, in.threads);
        printf("  %-12s %11s  %18s  %14s\n", "stage", "time", "per frame", "rate");
        const char *group = NULL;
        for (int i = 0; i < ns; i++) {
            if (st[i].group && (!group || strcmp(group, st[i].group)))
                printf("  full pass, %s:\n", st[i].group);
            group = st[i].group;
            row(&st[i]);
        }
        printf("  conversion: %.1f%% of the full pass's time (decode thread's convert time; "
               "decode-only %.1f fps, full %.1f fps)\n", isfinite(share) ? share : 0.0,
               t_decode > 0 ? dec_frames / t_decode : 0.0, wall > 0 ? p.frames / wall : 0.0);
    }
    kzv_decoder_close(&d);
    return CLI_EXIT_OK;
}
