/* kzv probe FILE [--json] [--count] [--hw NAME] | kzv probe --hwaccel [--json] */
#include <math.h>
#include <string.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv probe FILE [--json] [--count] [--hw NAME]\n"
    "       kzv probe --hwaccel [--json]\n"
    "Describe the video stream of FILE.\n\n"
    "  --json    print one JSON object instead of the readable summary\n"
    "  --count   count the frames (one demux-only pass over the file) so that\n"
    "            total_frames is exact; without it total_frames is -1 unless known\n"
    "  --hw NAME open with hardware decoding (auto, cuda, vaapi, …): shows what\n"
    "            is used (software when the device is missing)\n"
    "  --hwaccel list the hardware device types of this FFmpeg build and whether\n"
    "            each can be opened on this machine (no FILE needed)\n"
    "  --help    show this help\n\n"
    "JSON keys: file, codec, width, height, fps, frame_rate, total_frames (exact or -1),\n"
    "header_frames (-1 if none), duration, start_time, container, pix_fmt, bit_depth,\n"
    "yuv_format (what decode --format yuv outputs, e.g. yuv420p10),\n"
    "color_matrix, color_range, color_primaries, color_transfer, color_matrix_tagged,\n"
    "color_range_tagged, rotation, time_base, bit_rate, sample_aspect_ratio, stream_index,\n"
    "decoder, hwaccel.\n"
    "Unknown numbers are null.\n";

static void print_json(const char *path, const kzv_video_info *in)
{
    FILE *o = stdout;
    fputs("{\"file\":", o);
    cli_json_str(o, path);
    fputs(",\"codec\":", o);
    cli_json_str(o, in->codec);
    fprintf(o, ",\"width\":%d,\"height\":%d,\"fps\":", in->width, in->height);
    cli_json_num(o, "%.6f", in->fps > 0 ? in->fps : NAN);
    fputs(",\"frame_rate\":", o);
    cli_json_rational(o, in->frame_rate);
    fprintf(o, ",\"total_frames\":%lld,\"header_frames\":%lld,\"duration\":",
            (long long)in->total_frames, (long long)in->header_frames);
    cli_json_num(o, "%.6f", in->duration > 0 ? in->duration : NAN);
    fputs(",\"start_time\":", o);
    cli_json_num(o, "%.6f", in->start_time);
    fputs(",\"container\":", o);
    cli_json_str(o, in->container);
    fputs(",\"pix_fmt\":", o);
    cli_json_str(o, in->pix_fmt);
    fprintf(o, ",\"bit_depth\":%d,\"yuv_format\":", in->bit_depth);
    cli_json_str(o, kzv_pixfmt_name(in->format));
    fputs(",\"color_matrix\":", o);
    cli_json_str(o, kzv_color_matrix_name(in->color.matrix));
    fputs(",\"color_range\":", o);
    cli_json_str(o, kzv_color_range_name(in->color.range));
    fputs(",\"color_primaries\":", o);
    cli_json_str(o, cli_primaries_name(in->color.primaries));
    fputs(",\"color_transfer\":", o);
    cli_json_str(o, cli_transfer_name(in->color.transfer));
    fprintf(o, ",\"color_matrix_tagged\":%s,\"color_range_tagged\":%s,\"rotation\":%d,"
               "\"time_base\":",
            in->color.matrix_tagged ? "true" : "false",
            in->color.range_tagged ? "true" : "false", in->rotation);
    cli_json_rational(o, in->time_base);
    fputs(",\"bit_rate\":", o);
    if (in->bit_rate > 0)
        fprintf(o, "%lld", (long long)in->bit_rate);
    else
        fputs("null", o);
    fputs(",\"sample_aspect_ratio\":", o);
    cli_json_rational(o, in->sample_aspect_ratio);
    fprintf(o, ",\"stream_index\":%d,\"decoder\":", in->stream_index);
    cli_json_str(o, in->decoder);
    fputs(",\"hwaccel\":", o);
    cli_json_str(o, in->hwaccel);
    fputs("}\n", o);
}

static void print_text(const char *path, const kzv_video_info *in, bool counted)
{
    FILE *o = stdout;
    fprintf(o, "File:         %s\n", path);
    fprintf(o, "Container:    %s\n", in->container ? in->container : "?");
    fprintf(o, "Stream:       #%d, %s\n", in->stream_index, in->codec ? in->codec : "?");
    fprintf(o, "Size:         %dx%d", in->width, in->height);
    if (in->sample_aspect_ratio.num > 0 && in->sample_aspect_ratio.den > 0 &&
        in->sample_aspect_ratio.num != in->sample_aspect_ratio.den)
        fprintf(o, " (SAR %d:%d)", in->sample_aspect_ratio.num, in->sample_aspect_ratio.den);
    fputc('\n', o);
    if (in->fps > 0 && in->frame_rate.den > 0)
        fprintf(o, "Frame rate:   %.3f fps (%d/%d)\n", in->fps, in->frame_rate.num,
                in->frame_rate.den);
    else
        fputs("Frame rate:   unknown\n", o);
    fputs("Frames:       ", o);
    if (in->total_frames >= 0)
        fprintf(o, "%lld (exact)", (long long)in->total_frames);
    else
        fputs(counted ? "unknown" : "unknown (use --count)", o);
    if (in->header_frames >= 0)
        fprintf(o, ", header says %lld", (long long)in->header_frames);
    fputc('\n', o);
    if (in->duration > 0)
        fprintf(o, "Duration:     %.3f s\n", in->duration);
    else
        fputs("Duration:     unknown\n", o);
    fprintf(o, "Start time:   %.6f s\n", in->start_time);
    fprintf(o, "Time base:    %d/%d\n", in->time_base.num, in->time_base.den);
    fprintf(o, "Pixel format: %s (%d-bit; decode --format yuv gives %s)\n", in->pix_fmt ? in->pix_fmt : "?",
            in->bit_depth, kzv_pixfmt_name(in->format));
    fprintf(o, "Colour:       matrix %s%s, range %s%s, primaries %s, transfer %s\n",
            kzv_color_matrix_name(in->color.matrix),
            in->color.matrix_tagged ? "" : " (untagged, assumed)",
            kzv_color_range_name(in->color.range),
            in->color.range_tagged ? "" : " (untagged, assumed)",
            cli_primaries_name(in->color.primaries), cli_transfer_name(in->color.transfer));
    if (in->rotation)
        fprintf(o, "Rotation:     %d degrees clockwise\n", in->rotation);
    else
        fputs("Rotation:     none\n", o);
    if (in->bit_rate > 0)
        fprintf(o, "Bit rate:     %.0f kb/s\n", (double)in->bit_rate / 1000.0);
    else
        fputs("Bit rate:     unknown\n", o);
    fprintf(o, "Decoder:      %s (%s)\n", in->decoder, strcmp(in->hwaccel, "none") ? in->hwaccel : "software");
}

/* kzv probe --hwaccel: every device type FFmpeg knows, tried on this machine. */
static int list_hwaccels(bool json)
{
    if (json)
        fputs("{\"hwaccels\":[", stdout);
    for (int i = 0; kzv_hwaccel_type_name(i); i++) {
        const char *name = kzv_hwaccel_type_name(i);
        char why[128];
        bool ok = kzv_hwaccel_probe(name, why, sizeof(why)) == KZV_OK;
        if (json) {
            printf("%s{\"name\":", i ? "," : "");
            cli_json_str(stdout, name);
            printf(",\"available\":%s,\"reason\":", ok ? "true" : "false");
            cli_json_str(stdout, ok ? "" : why);
            fputs("}", stdout);
        } else {
            printf("%-14s %s%s%s\n", name, ok ? "available" : "not available",
                   ok ? "" : ": ", ok ? "" : why);
        }
    }
    if (json)
        fputs("]}\n", stdout);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_INPUT;
}

int cmd_probe(int argc, char **argv)
{
    enum { OPT_JSON = CLI_OPT_FIRST_OWN, OPT_COUNT, OPT_HWACCEL };
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON }, { "count", no_argument, NULL, OPT_COUNT },
        { "hwaccel", no_argument, NULL, OPT_HWACCEL }, CLI_LONGOPT_HELP, CLI_LONGOPT_HW,
        CLI_LONGOPT_STREAM, { 0 },
    };
    bool json = false, count = false, list_hw = false;
    const char *v;
    cli_input in;
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    cli_input_init(&in, a.cmd);
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case OPT_JSON: json = true; break;
        case OPT_COUNT: count = true; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        case OPT_HWACCEL: list_hw = true; break;
        default:
            if (cli_input_option(&in, r, v) < 0)
                return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &in.path, !list_hw))
        return CLI_EXIT_USAGE;
    if (list_hw && !in.path)
        return list_hwaccels(json);

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.count_frames = count;
    /* Costs nothing (probe converts no frame) and makes info.format say what
     * `decode --format yuv` would hand out. */
    s.format = KZV_PIXFMT_YUV_AUTO;
    kzv_decoder *d = cli_open_decoder(&in, &s);
    if (!d)
        return CLI_EXIT_INPUT;
    const kzv_video_info *info = kzv_decoder_info(d);
    if (json)
        print_json(in.path, info);
    else
        print_text(in.path, info, count);
    kzv_decoder_close(&d);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_errorf(a.cmd, "cannot write to standard output");
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}
