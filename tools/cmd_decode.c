/* kzv decode FILE [-o OUT] [--start SEC | --start-frame N] [--frames N] [--format F]
 *            [--threads N] [--queue N] [--policy block|drop]
 * Runs on kzv_processor: a decode thread fills the queue while this thread
 * writes the frames out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv decode FILE [-o OUT] [--start SEC | --start-frame N] [--frames N]\n"
    "                  [--format F] [--threads N] [--queue N] [--policy block|drop]\n"
    "Decode FILE's video stream.\n\n"
    "  -o, --output OUT  where the frames go, chosen by the name:\n"
    "                      NAME.png   one image (.jpg/.jpeg: JPEG): the first frame (or\n"
    "                                 the one --start\n"
    "                                 picks); --frames more than 1 is an error\n"
    "                      PATTERN    a name with %d, %06d … for the frame index,\n"
    "                                 e.g. out/frame-%06d.png (%% for a literal %)\n"
    "                      DIR        PNG files DIR/000000.png, DIR/000001.png, …\n"
    "                                 (named by frame index; DIR is created): a name\n"
    "                                 ending in /, an existing directory, or a name\n"
    "                                 without extension\n"
    "                      NAME.y4m   YUV4MPEG2 in the source's layout and depth\n"
    "                                 (C420p10 for 10-bit 4:2:0, C444 …) unless\n"
    "                                 --format says otherwise\n"
    "                      NAME.yuv   raw YUV frames, the source's layout unless --format\n"
    "                      NAME.rgb   raw RGB frames (rgb24 unless --format)\n"
    "                      NAME.raw   raw frames of any --format (rgb24 default)\n"
    "                      -          raw frames on standard output (rgb24 default)\n"
    "                    raw frames are back to back, rows without padding; planar:\n"
    "                    Y, U, V; nv12/p010: Y, then U,V interleaved; 16-bit samples\n"
    "                    in host byte order. Other extensions are refused.\n"
    "                    without -o, frames are decoded and discarded.\n"
    "                    At the end a summary line (frames, seconds, fps, where they\n"
    "                    went) goes to standard error unless -q.\n"
    "  --start SEC       begin with the frame displayed at SEC seconds (exact;\n"
    "                    SEC >= 0, stream time as kzv frames prints it)\n"
    "  --start-frame N   begin with frame N (display order, 0-based; exact)\n"
    "                    a start past the end is a usage error (exit 2)\n"
    "  --frames N        stop after N frames (N >= 1)\n"
    "  --format F        rgb24 (default), rgba, rgb48, yuv420p, yuv422p, yuv444p,\n"
    "                    yuv420p10, yuv422p10, yuv444p10 (10-bit values in 16-bit\n"
    "                    samples), nv12, p010 (10 bits in the high bits), or\n"
    "                    yuv: the YUV layout the codec decodes, passed through\n"
    "                    without conversion (8-bit 4:2:0 → yuv420p, 10-bit 4:2:0 →\n"
    "                    yuv420p10, 12-bit → 10-bit …; kzv probe shows which).\n"
    "                    YUV output keeps the source's matrix and range.\n"
    "                    PNG takes rgb24, rgba, rgb48; y4m the planar YUV ones\n"
    "  --threads N       decoding threads (0 = one per core, the default)\n"
    "  --queue N         frames buffered between decoding and writing (default 16)\n"
    "  --policy P        block (default: every frame) or drop (drop the oldest\n"
    "                    queued frame when the writer falls behind; how many were\n"
    "                    dropped is always said on standard error)\n"
    "  --autorotate      turn frames as the display matrix says (kzv probe: Rotation),\n"
    "                    as ffmpeg does (the default)\n"
    "  --no-autorotate   keep the coded orientation\n"
    "  --stream N        decode container stream N (kzv probe lists them; default:\n"
    "                    the best video stream)\n"
    "  -q, --quiet       no summary line at the end, no progress line\n"
    "  --progress FILE   write progress for scripts to FILE (- = standard output):\n"
    "                    blocks of key=value lines (frame, fps, total_frames,\n"
    "                    out_time_us, out_time, elapsed, speed) ending with\n"
    "                    progress=continue, every 0.5 s, and progress=end last,\n"
    "                    like ffmpeg -progress\n"
    "  --hw NAME         hardware decoding: auto, cuda, vaapi, … (software when\n"
    "                    unavailable; kzv probe --hwaccel lists them)\n"
    "  --help            show this help\n\n"
    "Raw and y4m output keep the first frame's size if the size changes mid-stream.\n";

typedef struct writer {
    cli_output *out;
    const kzv_video_info *info;
    cli_progress prog;
    int rc;
} writer;

/* The processor's callback: write one frame; > 0 stops on a write error. */
static int write_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    writer *w = user;
    (void)tex;
    if (w->out->kind != CLI_OUT_NONE) {
        int rc = cli_output_frame(w->out, f, w->info);
        if (rc != CLI_EXIT_OK) {
            cli_progress_clear(&w->prog);
            w->rc = rc;
            return 1;
        }
    } else {
        w->out->frames++;
    }
    cli_progress_pts(&w->prog, f->pts);
    cli_progress_update(&w->prog, w->out->frames);
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
        CLI_LONGOPT_HW, CLI_LONGOPT_STREAM, CLI_LONGOPT_AUTOROTATE, CLI_LONGOPT_REPORT, { 0 },
    };
    const char *out = NULL, *fmt_name = NULL, *v;
    long long max_frames = -1, start_frame = -1, queue_cap = 16;
    double start_time = NAN;
    kzv_queue_policy policy = KZV_QUEUE_BLOCK;
    cli_input in;
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    cli_input_init(&in, a.cmd);
    in.autorotate = true;   /* as ffmpeg: frames as they are meant to be shown */
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case 'o': out = v; break;
        case 'n':
            if (!cli_parse_int(v, 1, INT64_MAX, &max_frames))
                return cli_usage_error(a.cmd, "--frames needs a number >= 1, not '%s'", v);
            break;
        case 'f': fmt_name = v; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        case OPT_START:
            if (!cli_parse_seconds(v, &start_time))
                return cli_usage_error(a.cmd, "--start needs a time in seconds >= 0, not '%s'", v);
            break;
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
    if (in.progress && out && !strcmp(in.progress, "-") && !strcmp(out, "-"))
        return cli_usage_error(a.cmd, "--progress - and -o - both want standard output");
    if (start_frame >= 0 && !isnan(start_time))
        return cli_usage_error(a.cmd, "give --start or --start-frame, not both");
    cli_output o;
    int urc = cli_output_init(&o, a.cmd, out);
    if (urc)
        return urc;
    if (o.kind == CLI_OUT_IMAGE) {
        if (max_frames > 1)
            return cli_usage_error(a.cmd, "'%s' holds one frame, not %lld: use a pattern "
                                   "(frame-%%06d.png) or a directory for more", out, max_frames);
        max_frames = 1;
    }
    kzv_pixfmt fmt = cli_output_default_format(&o);
    if (fmt_name) {
        fmt = kzv_pixfmt_from_name(fmt_name);
        if (fmt == KZV_PIXFMT_NONE)
            return cli_usage_error(a.cmd, "unknown format '%s' (rgb24, rgba, rgb48, yuv420p, "
                                          "yuv422p, yuv444p, yuv420p10, yuv422p10, yuv444p10, "
                                          "nv12, p010, yuv)", fmt_name);
    }
    if ((urc = cli_output_check_format(&o, fmt)))
        return urc;
    kzv_processor_settings ps;
    kzv_processor_default_settings(&ps);
    ps.decoder.format = fmt;
    /* A raw or y4m stream has one picture size for all frames. */
    ps.decoder.keep_first_size = cli_output_one_size(&o);
    ps.queue.capacity = (int)queue_cap;
    ps.queue.policy = policy;
    ps.start_frame = start_frame;
    ps.start_time = start_time;
    ps.max_frames = max_frames;
    /* A start is an exact seek, which builds the frame index anyway: build
     * it at open, so a start past the end is refused before anything is
     * written. */
    ps.decoder.count_frames = start_frame >= 0 || !isnan(start_time);
    kzv_processor *p = NULL;
    if (cli_open_processor(&in, &ps, &p) != CLI_EXIT_OK)
        return CLI_EXIT_INPUT;
    const kzv_video_info *info = kzv_processor_info(p);
    /* "yuv" is settled now; hardware decoding resolves it to nv12/p010,
     * which y4m cannot carry. */
    fmt = info->format;
    if (o.kind == CLI_OUT_Y4M && (fmt == KZV_PIXFMT_NV12 || fmt == KZV_PIXFMT_P010)) {
        cli_errorf(a.cmd, "%s decodes to %s, which y4m cannot carry; use --format yuv420p or "
                   "yuv420p10, or raw output (.yuv or -)", path, kzv_pixfmt_name(fmt));
        kzv_processor_close(&p);
        return CLI_EXIT_USAGE;
    }
    if (start_frame >= 0 && info->total_frames >= 0 && start_frame >= info->total_frames) {
        long long total = (long long)info->total_frames;   /* info goes with p */
        kzv_processor_close(&p);
        return cli_usage_error(a.cmd, "--start-frame %lld is past the end: %s has %lld frames "
                               "(0 to %lld)", start_frame, path, total, total - 1);
    }
    if ((urc = cli_output_open(&o)) != CLI_EXIT_OK) {
        kzv_processor_close(&p);
        return urc;
    }

    writer w = { .out = &o, .info = info, .rc = CLI_EXIT_OK };
    int64_t want = max_frames;
    if (info->total_frames >= 0 && (want < 0 || info->total_frames < want))
        want = info->total_frames;
    cli_progress_init(&w.prog, "decode", want);
    if ((urc = cli_progress_open(&w.prog, &in)) != CLI_EXIT_OK) {
        kzv_processor_close(&p);
        cli_output_close(&o, info, urc);
        cli_output_remove(&o);
        return urc;
    }
    double t0 = cli_now();
    int err = kzv_processor_run(p, write_frame, &w);
    cli_progress_end(&w.prog);
    double elapsed = cli_now() - t0;
    int rc = w.rc;
    if (rc == CLI_EXIT_OK && err < 0) {
        cli_errorf(a.cmd, "%s: %s", path, kzv_processor_last_error(p)[0] ? kzv_processor_last_error(p)
                                                                          : kzv_strerror(err));
        rc = CLI_EXIT_INPUT;
    }
    if (rc == CLI_EXIT_OK && o.frames == 0 && !isnan(start_time)) {
        /* Nothing from a start time: it lies past the last frame's end. */
        double end = info->start_time + info->duration;   /* info goes with p */
        cli_output_close(&o, NULL, CLI_EXIT_USAGE);
        cli_output_remove(&o);
        kzv_processor_close(&p);
        return cli_usage_error(a.cmd, "--start %g is past the end of %s (its last frame ends at "
                               "%.6f s)", start_time, path, end);
    }
    rc = cli_output_close(&o, info, rc);
    kzv_processor_stats pst;
    kzv_processor_get_stats(p, &pst);
    if (pst.dropped > 0)   /* asked for, but never silently: the output has holes */
        cli_warnf(a.cmd, "%lld of %lld frames dropped (--policy drop: the writer fell behind "
                  "decoding); %lld written", (long long)pst.dropped,
                  (long long)(pst.dropped + o.frames), (long long)o.frames);
    if (!in.quiet) {   /* the summary line, wherever stderr goes */
        kzv_decoder_stats st;
        kzv_processor_get_decoder_stats(p, &st);
        fprintf(stderr, "%lld frames (%s %dx%d) in %.3f s, %.1f fps", (long long)o.frames,
                kzv_pixfmt_name(fmt), info->width, info->height, elapsed,
                elapsed > 0 ? (double)o.frames / elapsed : 0.0);
        if (st.corrupt_packets)
            fprintf(stderr, ", %lld corrupt packets skipped", (long long)st.corrupt_packets);
        if (pst.dropped)
            fprintf(stderr, ", %lld dropped (policy drop)", (long long)pst.dropped);
        if (o.kind != CLI_OUT_NONE)
            fprintf(stderr, " -> %s", cli_output_describe(&o));
        fputc('\n', stderr);
    }
    kzv_processor_close(&p);
    return rc;
}
