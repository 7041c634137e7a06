/* kzv validate FILE [--json]: the seed design's checks (frame order, frame
 * loss, resolution and format), plus "the whole stream decodes". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kzv.h"
#include "validate_seeks.h"

static const char usage[] =
    "Usage: kzv validate FILE [--json] [--threads N] [--seeks N [--seed S]]\n"
    "Decode every frame of FILE and check:\n"
    "  order        frame_index is 0, 1, 2 … and pts never decreases\n"
    "  frame_count  frames decoded == frames in the stream (exact demux count)\n"
    "               and == the count the container header claims, when it has one\n"
    "  size_format  every frame has the stream's width and height, format rgb24\n"
    "  decode       the stream decodes to its end without an error\n"
    "  seeks        (with --seeks N) N random exact seeks, by index and by time,\n"
    "               each give the frame sequential decoding gave: same frame_index,\n"
    "               pts and pixels\n"
    "Corrupt packets skipped and damaged frames are reported as warnings.\n\n"
    "  --json       one JSON object: file, ok, frames, checks[{name, ok, detail}],\n"
    "               warnings[], width, height, total_frames, header_frames, stats{}\n"
    "  --threads N  decoding threads (0 = one per core, the default)\n"
    "  --seeks N    add the seeks check with N seeks (0 = none, the default)\n"
    "  --seed S     seed of the random seek targets (default 1): the same S gives\n"
    "               the same targets\n"
    "  --help       show this help\n\n"
    "Exit status: 0 all checks pass, 1 a check failed, 3 the file cannot be opened.\n";

#define MAX_WARNINGS 8

typedef struct check {
    const char *name;
    bool ok;
    char detail[320];
} check;

int cmd_validate(int argc, char **argv)
{
    enum { OPT_JSON = CLI_OPT_FIRST_OWN, OPT_SEEKS, OPT_SEED };
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON }, { "seeks", required_argument, NULL, OPT_SEEKS },
        { "seed", required_argument, NULL, OPT_SEED }, CLI_LONGOPT_THREADS, CLI_LONGOPT_HELP,
        CLI_LONGOPT_HW, CLI_LONGOPT_STREAM, CLI_LONGOPT_REPORT, { 0 },
    };
    bool json = false;
    long long seeks = 0, seed = 1;
    const char *v;
    cli_input in;
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    cli_input_init(&in, a.cmd);
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case OPT_JSON: json = true; break;
        case OPT_SEEKS:
            if (!cli_parse_int(v, 0, 1000000000, &seeks))
                return cli_usage_error(a.cmd, "--seeks needs a number from 0 to 1000000000, not '%s'", v);
            break;
        case OPT_SEED:
            if (!cli_parse_int(v, 0, INT64_MAX, &seed))
                return cli_usage_error(a.cmd, "--seed needs a number from 0 up, not '%s'", v);
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

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = KZV_PIXFMT_RGB24;
    s.count_frames = true;
    kzv_decoder *d = cli_open_decoder(&in, &s);
    if (!d)
        return CLI_EXIT_INPUT;
    const kzv_video_info *info = kzv_decoder_info(d);

    /* order */
    int64_t n = 0, order_bad = 0, pts_bad = 0, no_pts = 0;
    int64_t first_order_bad = -1, first_pts_bad = -1;
    int64_t prev_index = -1;
    double prev_pts = -INFINITY, bad_pts = 0, bad_prev = 0;
    int64_t bad_index = 0;
    /* size_format */
    int64_t size_bad = 0, first_size_bad = -1, fmt_bad = 0, first_fmt_bad = -1;
    int bad_w = 0, bad_h = 0;
    kzv_pixfmt bad_fmt = KZV_PIXFMT_NONE;
    /* seeks: every frame's pts and pixel digest */
    kzv_seen_frame *seen = NULL;
    int64_t seen_cap = 0;
    bool seen_oom = false;

    cli_progress prog;
    cli_progress_init(&prog, "validate", info->total_frames);
    if (cli_progress_open(&prog, &in) != CLI_EXIT_OK) {
        kzv_decoder_close(&d);
        return CLI_EXIT_INPUT;
    }
    kzv_frame *f = NULL;
    int err;
    while ((err = kzv_decoder_next(d, &f)) == KZV_OK) {
        if (f->frame_index != prev_index + 1) {
            if (!order_bad++) {
                first_order_bad = n;
                bad_index = f->frame_index;
            }
        }
        prev_index = f->frame_index;
        if (f->pts_ts == INT64_MIN || !isfinite(f->pts)) {
            no_pts++;
        } else {
            if (f->pts < prev_pts && !pts_bad++) {
                first_pts_bad = f->frame_index;
                bad_pts = f->pts;
                bad_prev = prev_pts;
            }
            prev_pts = f->pts;
        }
        if (f->width != info->width || f->height != info->height) {
            if (!size_bad++) {
                first_size_bad = f->frame_index;
                bad_w = f->width;
                bad_h = f->height;
            }
        }
        if (f->format != KZV_PIXFMT_RGB24 || f->stride[0] < f->width * 3 || !f->data[0]) {
            if (!fmt_bad++) {
                first_fmt_bad = f->frame_index;
                bad_fmt = f->format;
            }
        }
        if (seeks > 0 && !seen_oom) {
            if (n == seen_cap) {
                seen_cap = seen_cap ? seen_cap * 2 : 1024;
                kzv_seen_frame *ns = realloc(seen, sizeof(*seen) * (size_t)seen_cap);
                seen_oom = !ns;
                seen = ns ? ns : seen;
            }
            if (!seen_oom)
                seen[n] = (kzv_seen_frame){ f->pts, kzv_frame_digest(f) };
        }
        n++;
        if (f->pts_ts != INT64_MIN)
            cli_progress_pts(&prog, f->pts);
        kzv_frame_unref(&f);
        cli_progress_update(&prog, n);
    }
    cli_progress_end(&prog);
    kzv_decoder_stats st;
    kzv_decoder_get_stats(d, &st);

    check checks[5];
    int nchecks = 0;
    check *c = &checks[nchecks++];
    c->name = "order";
    c->ok = !order_bad && !pts_bad;
    if (c->ok) {
        if (n)
            snprintf(c->detail, sizeof(c->detail),
                     "%lld frames, frame_index 0..%lld in sequence, pts non-decreasing",
                     (long long)n, (long long)(n - 1));
        else
            snprintf(c->detail, sizeof(c->detail), "no frames");
    } else {
        int len = 0;
        c->detail[0] = '\0';
        if (order_bad)
            len = snprintf(c->detail, sizeof(c->detail),
                           "frame %lld has frame_index %lld (expected %lld); %lld out of sequence",
                           (long long)first_order_bad, (long long)bad_index,
                           (long long)first_order_bad, (long long)order_bad);
        if (pts_bad && len >= 0 && (size_t)len < sizeof(c->detail))
            snprintf(c->detail + len, sizeof(c->detail) - (size_t)len,
                     "%sframe %lld: pts %.6f < previous %.6f; %lld pts decreases",
                     len ? "; " : "", (long long)first_pts_bad, bad_pts, bad_prev,
                     (long long)pts_bad);
    }

    c = &checks[nchecks++];
    c->name = "frame_count";
    {
        char hdr[64] = "";
        if (info->header_frames >= 0)
            snprintf(hdr, sizeof(hdr), ", header says %lld", (long long)info->header_frames);
        bool total_ok = info->total_frames < 0 || info->total_frames == n;
        bool header_ok = info->header_frames < 0 || info->header_frames == n;
        c->ok = total_ok && header_ok;
        if (info->total_frames >= 0)
            snprintf(c->detail, sizeof(c->detail), "decoded %lld, stream has %lld%s%s",
                     (long long)n, (long long)info->total_frames, hdr,
                     c->ok ? "" : total_ok ? " (header count is wrong)" : " (frame loss)");
        else
            snprintf(c->detail, sizeof(c->detail), "decoded %lld, exact count unknown%s",
                     (long long)n, hdr);
    }

    c = &checks[nchecks++];
    c->name = "size_format";
    c->ok = !size_bad && !fmt_bad;
    if (c->ok) {
        snprintf(c->detail, sizeof(c->detail), "every frame %dx%d rgb24", info->width,
                 info->height);
    } else if (size_bad) {
        snprintf(c->detail, sizeof(c->detail),
                 "frame %lld is %dx%d, stream is %dx%d; %lld frames of another size%s",
                 (long long)first_size_bad, bad_w, bad_h, info->width, info->height,
                 (long long)size_bad, fmt_bad ? "; wrong format too" : "");
    } else {
        snprintf(c->detail, sizeof(c->detail), "frame %lld has format %s, expected rgb24; %lld frames",
                 (long long)first_fmt_bad, kzv_pixfmt_name(bad_fmt), (long long)fmt_bad);
    }

    c = &checks[nchecks++];
    c->name = "decode";
    c->ok = err == KZV_EOF;
    if (c->ok) {
        snprintf(c->detail, sizeof(c->detail), "decoded to the end of the stream");
    } else {
        const char *msg = kzv_decoder_last_error(d);
        snprintf(c->detail, sizeof(c->detail), "stopped after %lld frames: %s", (long long)n,
                 msg && *msg ? msg : kzv_strerror(err));
    }

    if (seeks > 0) {
        c = &checks[nchecks++];
        c->name = "seeks";
        if (err != KZV_EOF || n == 0 || seen_oom) {
            c->ok = false;
            snprintf(c->detail, sizeof(c->detail), "not run: %s", seen_oom ? "out of memory"
                     : n ? "sequential decoding did not reach the end" : "no frames");
        } else {
            c->ok = kzv_validate_seeks(d, seen, n, seeks, (uint64_t)seed, c->detail, sizeof(c->detail)) == 0;
        }
    }
    free(seen);

    char warnings[MAX_WARNINGS][160];
    int nwarn = 0;
    if (st.corrupt_packets)
        snprintf(warnings[nwarn++], sizeof(warnings[0]), "%lld corrupt packets skipped",
                 (long long)st.corrupt_packets);
    if (st.corrupt_frames)
        snprintf(warnings[nwarn++], sizeof(warnings[0]), "%lld frames flagged as damaged",
                 (long long)st.corrupt_frames);
    if (no_pts)
        snprintf(warnings[nwarn++], sizeof(warnings[0]), "%lld frames without a timestamp",
                 (long long)no_pts);
    if (st.size_changes)
        snprintf(warnings[nwarn++], sizeof(warnings[0]), "%lld mid-stream size changes",
                 (long long)st.size_changes);
    if (n == 0)
        snprintf(warnings[nwarn++], sizeof(warnings[0]), "no frames decoded");

    bool all_ok = true;
    int failed = 0;
    for (int i = 0; i < nchecks; i++)
        if (!checks[i].ok) {
            all_ok = false;
            failed++;
        }

    FILE *o = stdout;
    if (json) {
        fputs("{\"file\":", o);
        cli_json_str(o, path);
        fprintf(o, ",\"ok\":%s,\"frames\":%lld,\"width\":%d,\"height\":%d,"
                   "\"total_frames\":%lld,\"header_frames\":%lld,\"checks\":[",
                all_ok ? "true" : "false", (long long)n, info->width, info->height,
                (long long)info->total_frames, (long long)info->header_frames);
        for (int i = 0; i < nchecks; i++) {
            fprintf(o, "%s{\"name\":", i ? "," : "");
            cli_json_str(o, checks[i].name);
            fprintf(o, ",\"ok\":%s,\"detail\":", checks[i].ok ? "true" : "false");
            cli_json_str(o, checks[i].detail);
            fputc('}', o);
        }
        fputs("],\"warnings\":[", o);
        for (int i = 0; i < nwarn; i++) {
            if (i)
                fputc(',', o);
            cli_json_str(o, warnings[i]);
        }
        fprintf(o, "],\"stats\":{\"packets_read\":%lld,\"frames_decoded\":%lld,"
                   "\"frames_output\":%lld,\"corrupt_packets\":%lld,\"corrupt_frames\":%lld,"
                   "\"size_changes\":%lld}}\n",
                (long long)st.packets_read, (long long)st.frames_decoded,
                (long long)st.frames_output, (long long)st.corrupt_packets,
                (long long)st.corrupt_frames, (long long)st.size_changes);
    } else {
        fprintf(o, "Validating %s (%s %dx%d)\n", path, info->codec ? info->codec : "?",
                info->width, info->height);
        for (int i = 0; i < nchecks; i++)
            fprintf(o, "  %s  %-12s %s\n", checks[i].ok ? "PASS" : "FAIL", checks[i].name,
                    checks[i].detail);
        for (int i = 0; i < nwarn; i++)
            fprintf(o, "  WARN  %s\n", warnings[i]);
        if (all_ok)
            fprintf(o, "OK: %lld frames, all %d checks passed\n", (long long)n, nchecks);
        else
            fprintf(o, "FAILED: %d of %d checks failed\n", failed, nchecks);
    }
    kzv_decoder_close(&d);
    if (fflush(o) != 0 || ferror(o)) {
        cli_errorf(a.cmd, "cannot write to standard output");
        return CLI_EXIT_INPUT;
    }
    return all_ok ? CLI_EXIT_OK : CLI_EXIT_CHECK;
}
