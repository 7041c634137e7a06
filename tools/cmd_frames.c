/* kzv frames FILE [--json] */
#include <math.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv frames FILE [--json] [--threads N]\n"
    "List every frame of FILE's video stream in display order.\n\n"
    "Text: one line per frame: index, pts and duration in seconds, K for a\n"
    "keyframe, size; then a '#' summary line.\n"
    "  --json       JSON Lines: one object per frame with keys index, pts, pts_ts,\n"
    "               duration, keyframe, width, height (pts null when unknown)\n"
    "  --threads N  decoding threads (0 = one per core, the default)\n"
    "  --help       show this help\n";

int cmd_frames(int argc, char **argv)
{
    static const kzv_opt opts[] = {
        { "json", 0, false }, { "threads", 0, true }, { "help", 'h', false }, { 0 },
    };
    bool json = false;
    long long threads = 0;
    const char *path = NULL, *v;
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
        case 0: json = true; break;
        case 1:
            if (!kzv_parse_int(v, 0, 1024, &threads))
                return kzv_usage_error(a.cmd, "--threads needs a number from 0 to 1024, not '%s'", v);
            break;
        case 2: fputs(usage, stdout); return KZV_EXIT_OK;
        }
    }
    if (!path)
        return kzv_usage_error(a.cmd, "no FILE given");

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    /* Only the timing is listed: no pixels, no conversion. */
    s.format = KZV_PIXFMT_NONE;
    s.threads = (int)threads;
    kzv_decoder *d = kzv_open_or_report(a.cmd, path, &s);
    if (!d)
        return KZV_EXIT_INPUT;
    const kzv_video_info *info = kzv_decoder_info(d);

    kzv_progress prog;
    kzv_progress_init(&prog, "frames", info->total_frames);
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
            kzv_json_num(stdout, "%.6f", has_pts ? f->pts : NAN);
            if (has_pts)
                fprintf(stdout, ",\"pts_ts\":%lld", (long long)f->pts_ts);
            else
                fputs(",\"pts_ts\":null", stdout);
            fputs(",\"duration\":", stdout);
            kzv_json_num(stdout, "%.6f", f->duration);
            fprintf(stdout, ",\"keyframe\":%s,\"width\":%d,\"height\":%d}\n",
                    f->keyframe ? "true" : "false", f->width, f->height);
        } else {
            if (has_pts)
                fprintf(stdout, "%10lld %12.6f %12.6f  %c   %dx%d\n", (long long)f->frame_index,
                        f->pts, f->duration, f->keyframe ? 'K' : '-', f->width, f->height);
            else
                fprintf(stdout, "%10lld %12s %12.6f  %c   %dx%d\n", (long long)f->frame_index,
                        "-", f->duration, f->keyframe ? 'K' : '-', f->width, f->height);
        }
        if (has_pts) {
            if (isnan(first_pts))
                first_pts = f->pts;
            last_end = f->pts + f->duration;
        }
        keys += f->keyframe;
        n++;
        kzv_frame_unref(&f);
        kzv_progress_update(&prog, n);
        if (ferror(stdout))
            break;
    }
    kzv_progress_clear(&prog);
    int rc = KZV_EXIT_OK;
    if (err != KZV_EOF && err != KZV_OK) {
        fflush(stdout);
        kzv_report_decode_error(a.cmd, path, d, err);
        rc = KZV_EXIT_INPUT;
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
        kzv_errorf(a.cmd, "cannot write to standard output");
        rc = KZV_EXIT_INPUT;
    }
    return rc;
}
