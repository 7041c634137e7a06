/* kzv frames FILE [--json] */
#include <math.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv frames FILE [--json] [--threads N]\n"
    "List every frame of FILE's video stream in display order.\n\n"
    "Text: one line per frame: index, pts and duration in seconds, K for a\n"
    "keyframe, size, and T or B for an interlaced frame (top or bottom field\n"
    "first); then a '#' summary line.\n"
    "  --json       JSON Lines: one object per frame with keys index, pts, pts_ts,\n"
    "               time_base, duration, keyframe, width, height, interlaced,\n"
    "               top_field_first, repeat_pict (ffprobe -show_frames' interlaced_frame,\n"
    "               top_field_first, repeat_pict) (pts null when\n"
    "               unknown; pts = pts_ts * time_base exactly, pts itself rounded\n"
    "               to 6 decimals, which kzv decode --start accepts as that frame)\n"
    "  --threads N  decoding threads (0 = one per core, the default)\n"
    "  --help       show this help\n";

int cmd_frames(int argc, char **argv)
{
    enum { OPT_JSON = CLI_OPT_FIRST_OWN };
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON }, CLI_LONGOPT_THREADS, CLI_LONGOPT_HELP,
        CLI_LONGOPT_HW, CLI_LONGOPT_STREAM, CLI_LONGOPT_REPORT, { 0 },
    };
    bool json = false;
    const char *v;
    cli_input in;
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    cli_input_init(&in, a.cmd);
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case OPT_JSON: json = true; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default:
            if (cli_input_option(&in, r, v) < 0)
                return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &in.path, true))
        return CLI_EXIT_USAGE;
    const char *path = in.path;

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    /* Only the timing is listed: no pixels, no conversion. */
    s.format = KZV_PIXFMT_NONE;
    kzv_decoder *d = cli_open_decoder(&in, &s);
    if (!d)
        return CLI_EXIT_INPUT;
    const kzv_video_info *info = kzv_decoder_info(d);

    cli_progress prog;
    cli_progress_init(&prog, "frames", info->total_frames);
    if (cli_progress_open(&prog, &in) != CLI_EXIT_OK) {
        kzv_decoder_close(&d);
        return CLI_EXIT_INPUT;
    }
    if (!json)
        fputs("#    index          pts     duration key  size\n", stdout);
    int64_t n = 0, keys = 0;
    double first_pts = NAN, last_end = NAN;
    kzv_frame *f = NULL;
    int err;
    while ((err = kzv_decoder_next(d, &f)) == KZV_OK) {
        bool has_pts = f->pts_ts != INT64_MIN && isfinite(f->pts);
        if (json) {
            fprintf(stdout, "{\"index\":%lld,\"pts\":", (long long)f->frame_index);
            cli_json_num(stdout, "%.6f", has_pts ? f->pts : NAN);
            if (has_pts)
                fprintf(stdout, ",\"pts_ts\":%lld", (long long)f->pts_ts);
            else
                fputs(",\"pts_ts\":null", stdout);
            fputs(",\"time_base\":", stdout);
            cli_json_rational(stdout, f->time_base);
            fputs(",\"duration\":", stdout);
            cli_json_num(stdout, "%.6f", f->duration);
            fprintf(stdout, ",\"keyframe\":%s,\"width\":%d,\"height\":%d,\"interlaced\":%s,"
                            "\"top_field_first\":%s,\"repeat_pict\":%d}\n",
                    f->keyframe ? "true" : "false", f->width, f->height,
                    f->interlaced ? "true" : "false", f->top_field_first ? "true" : "false",
                    f->repeat_pict);
        } else {
            const char *scan = !f->interlaced ? "" : f->top_field_first ? " T" : " B";
            if (has_pts)
                fprintf(stdout, "%10lld %12.6f %12.6f  %c   %dx%d%s\n", (long long)f->frame_index,
                        f->pts, f->duration, f->keyframe ? 'K' : '-', f->width, f->height, scan);
            else
                fprintf(stdout, "%10lld %12s %12.6f  %c   %dx%d%s\n", (long long)f->frame_index,
                        "-", f->duration, f->keyframe ? 'K' : '-', f->width, f->height, scan);
        }
        if (has_pts) {
            if (isnan(first_pts))
                first_pts = f->pts;
            last_end = f->pts + f->duration;
        }
        keys += f->keyframe;
        n++;
        if (f->pts_ts != INT64_MIN)
            cli_progress_pts(&prog, f->pts);
        kzv_frame_unref(&f);
        cli_progress_update(&prog, n);
        if (ferror(stdout))
            break;
    }
    cli_progress_end(&prog);
    int rc = CLI_EXIT_OK;
    if (err != KZV_EOF && err != KZV_OK) {
        fflush(stdout);
        cli_report_decode_error(a.cmd, path, d, err);
        rc = CLI_EXIT_INPUT;
    }
    if (!json) {
        kzv_decoder_stats st;
        kzv_decoder_get_stats(d, &st);
        fprintf(stdout, "# %lld frame%s, %lld keyframe%s", (long long)n, n == 1 ? "" : "s",
                (long long)keys, keys == 1 ? "" : "s");
        if (isfinite(first_pts) && isfinite(last_end))
            fprintf(stdout, ", %.6f s from pts %.6f", last_end - first_pts, first_pts);
        if (st.corrupt_packets || st.corrupt_frames)
            fprintf(stdout, ", %lld corrupt packets skipped, %lld damaged frames",
                    (long long)st.corrupt_packets, (long long)st.corrupt_frames);
        if (st.size_changes)
            fprintf(stdout, ", %lld size changes", (long long)st.size_changes);
        fputc('\n', stdout);
    }
    kzv_decoder_close(&d);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_errorf(a.cmd, "cannot write to standard output");
        rc = CLI_EXIT_INPUT;
    }
    return rc;
}
