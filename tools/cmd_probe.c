/* kzv probe FILE [--json] [--count] [--hw NAME] | kzv probe --hwaccel [--json] */
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv probe FILE [--json] [--count] [--hw NAME] [--stream N]\n"
    "       kzv probe --hwaccel [--json]\n"
    "Describe FILE: the container and every stream in it (video, audio,\n"
    "subtitles, attachments, data), the video stream kzv decodes in detail.\n\n"
    "  --json     one JSON object in ffprobe's shape (ffprobe -of json -show_format\n"
    "             -show_streams): {\"format\":{…},\"streams\":[…]}\n"
    "  --count    count the frames (one demux-only pass over the file) so that\n"
    "             nb_read_frames / total_frames are exact (ffprobe -count_frames)\n"
    "  --stream N describe container stream N as the decoded video stream\n"
    "             (default: the best video stream)\n"
    "  --hw NAME  open with hardware decoding (auto, cuda, vaapi, …): shows what\n"
    "             is used (software when the device is missing)\n"
    "  --hwaccel  list the hardware device types of this FFmpeg build and whether\n"
    "             each can be opened on this machine (no FILE needed)\n"
    "  --help     show this help\n\n"
    "JSON: the names, units and types ffprobe uses for every field both tools\n"
    "have (codec_name, codec_type, width, height, pix_fmt, color_range \"tv\"/\"pc\",\n"
    "color_space, color_transfer, color_primaries, chroma_location, field_order,\n"
    "sample_aspect_ratio \"1:1\", avg_frame_rate, time_base, start_time, duration,\n"
    "bit_rate, nb_frames, nb_read_frames, sample_rate, channels, channel_layout,\n"
    "disposition{}, tags{}, side_data_list [{\"side_data_type\":\"Display Matrix\",\n"
    "\"rotation\"}] with ffprobe's sign: counter-clockwise degrees), strings where\n"
    "ffprobe prints strings; null where a value is unknown (ffprobe leaves it\n"
    "out). kzv's own fields sit beside them in the decoded video stream, marked\n"
    "\"decoded\":true: fps, total_frames (exact or null), header_frames, bit_depth,\n"
    "yuv_format (what decode --format yuv outputs), color_matrix and\n"
    "color_range_kzv (what kzv converts with, untagged rule applied),\n"
    "color_matrix_tagged, color_range_tagged, interlaced, top_field_first,\n"
    "rotation (as in side_data_list), decoder, hwaccel.\n"
    "The other JSON outputs: frames --json is JSON Lines (one object a frame),\n"
    "validate/index/bench --json one object.\n";

static const char *null_if_unspecified(const char *name)
{
    return !name || !strcmp(name, "unspecified") || !strcmp(name, "other") ? NULL : name;
}

/* FFmpeg's (and ffprobe's) names of the H.273 matrix code points. */
static const char *color_space_name(int m)
{
    static const char *const names[] = { "gbr", "bt709", NULL, NULL, "fcc", "bt470bg",
        "smpte170m", "smpte240m", "ycgco", "bt2020nc", "bt2020c", "smpte2085",
        "chroma-derived-nc", "chroma-derived-c", "ictcp" };
    return m >= 0 && m < (int)(sizeof(names) / sizeof(names[0])) ? names[m] : NULL;
}

static const char *chroma_location_name(int c)
{
    static const char *const names[] = { NULL, "left", "center", "topleft", "top",
                                         "bottomleft", "bottom" };
    return c >= 0 && c < (int)(sizeof(names) / sizeof(names[0])) ? names[c] : NULL;
}

static const char *field_order_name(kzv_field_order f)
{
    switch (f) {
    case KZV_FIELD_PROGRESSIVE: return "progressive";
    case KZV_FIELD_TT: return "tt";
    case KZV_FIELD_BB: return "bb";
    case KZV_FIELD_TB: return "tb";
    case KZV_FIELD_BT: return "bt";
    default: return NULL;
    }
}

static const char *media_type_name(kzv_media_type t)
{
    switch (t) {
    case KZV_MEDIA_VIDEO: return "video";
    case KZV_MEDIA_AUDIO: return "audio";
    case KZV_MEDIA_SUBTITLE: return "subtitle";
    case KZV_MEDIA_ATTACHMENT: return "attachment";
    case KZV_MEDIA_DATA: return "data";
    default: return "unknown";
    }
}

/* ,"key":value helpers */
static void k_str(FILE *o, const char *key, const char *v)
{
    fprintf(o, ",\"%s\":", key);
    cli_json_str(o, v);
}

/* ffprobe prints times as strings with 6 decimals. */
static void k_time(FILE *o, const char *key, double v, bool known)
{
    if (!known || !isfinite(v)) {
        fprintf(o, ",\"%s\":null", key);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof(buf), "%.6f", v == 0 ? 0.0 : v);
    k_str(o, key, buf);
}

static void k_count_str(FILE *o, const char *key, int64_t v)
{
    if (v < 0) {
        fprintf(o, ",\"%s\":null", key);
        return;
    }
    fprintf(o, ",\"%s\":\"%lld\"", key, (long long)v);
}

static void k_ratio(FILE *o, const char *key, kzv_rational r, char sep)
{
    if (r.num <= 0 || r.den <= 0)
        fprintf(o, ",\"%s\":null", key);
    else
        fprintf(o, ",\"%s\":\"%d%c%d\"", key, r.num, sep, r.den);
}

static long long gcd_ll(long long a, long long b)
{
    while (b) {
        long long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* One element of "streams"; the decoded video stream gets the decoder's
 * own view (what the first frame says) and kzv's fields. */
static void print_stream(FILE *o, const kzv_stream_info *st, const kzv_video_info *in,
                         bool counted)
{
    bool dec = st->decoded;
    fprintf(o, "{\"index\":%d", st->index);
    k_str(o, "codec_name", dec ? in->codec : st->codec);
    k_str(o, "codec_type", media_type_name(st->type));
    if (st->type == KZV_MEDIA_VIDEO) {
        int w = dec ? in->width : st->width, h = dec ? in->height : st->height;
        fprintf(o, ",\"width\":%d,\"height\":%d", w, h);
        if (dec) {
            kzv_rational sar = in->sample_aspect_ratio;
            k_ratio(o, "sample_aspect_ratio", sar, ':');
            if (sar.num > 0 && sar.den > 0 && w > 0 && h > 0) {
                long long dn = (long long)w * sar.num, dd = (long long)h * sar.den;
                long long g = gcd_ll(dn, dd);
                fprintf(o, ",\"display_aspect_ratio\":\"%lld:%lld\"", dn / g, dd / g);
            } else {
                fputs(",\"display_aspect_ratio\":null", o);
            }
            k_str(o, "pix_fmt", in->pix_fmt);
            /* The tags as the stream gives them (null when untagged). */
            k_str(o, "color_range", !in->color.range_tagged ? NULL
                                   : in->color.range == KZV_RANGE_FULL ? "pc" : "tv");
            k_str(o, "color_space", in->color.matrix_tagged ? color_space_name(in->color.matrix) : NULL);
            k_str(o, "color_transfer", null_if_unspecified(cli_transfer_name(in->color.transfer)));
            k_str(o, "color_primaries", null_if_unspecified(cli_primaries_name(in->color.primaries)));
            k_str(o, "chroma_location", chroma_location_name(in->color.chroma_location));
            k_str(o, "field_order", field_order_name(in->field_order));
            k_ratio(o, "avg_frame_rate", in->frame_rate, '/');
        }
    }
    if (st->type == KZV_MEDIA_AUDIO) {
        k_str(o, "sample_fmt", st->sample_fmt);
        char rate[32];
        snprintf(rate, sizeof(rate), "%d", st->sample_rate);
        k_str(o, "sample_rate", st->sample_rate > 0 ? rate : NULL);
        fprintf(o, ",\"channels\":%d", st->channels);
        k_str(o, "channel_layout", st->channel_layout);
    }
    k_ratio(o, "time_base", st->time_base, '/');
    k_time(o, "start_time", dec ? in->start_time : st->start_time, true);
    k_time(o, "duration", dec ? in->duration : st->duration,
           (dec ? in->duration : st->duration) > 0);
    k_count_str(o, "bit_rate", (dec ? in->bit_rate : st->bit_rate) > 0
                               ? (dec ? in->bit_rate : st->bit_rate) : -1);
    k_count_str(o, "nb_frames", st->header_frames);
    if (dec && counted)
        k_count_str(o, "nb_read_frames", in->total_frames);
    fprintf(o, ",\"disposition\":{\"default\":%d,\"forced\":%d,\"attached_pic\":%d}",
            st->is_default, st->forced, st->attached_pic);
    fputs(",\"tags\":{", o);
    bool first = true;
    const char *tags[][2] = { { "language", st->language }, { "title", st->title },
                              { "filename", st->filename }, { "mimetype", st->mimetype } };
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        if (!tags[i][1])
            continue;
        fprintf(o, "%s\"%s\":", first ? "" : ",", tags[i][0]);
        cli_json_str(o, tags[i][1]);
        first = false;
    }
    fputc('}', o);
    if (dec && in->display_rotation)
        fprintf(o, ",\"side_data_list\":[{\"side_data_type\":\"Display Matrix\",\"rotation\":%d}]",
                in->display_rotation);
    if (dec) {   /* kzv's own, beside ffprobe's */
        fputs(",\"decoded\":true,\"fps\":", o);
        cli_json_num(o, "%.6f", in->fps > 0 ? in->fps : NAN);
        if (in->total_frames >= 0)
            fprintf(o, ",\"total_frames\":%lld", (long long)in->total_frames);
        else
            fputs(",\"total_frames\":null", o);
        if (in->header_frames >= 0)
            fprintf(o, ",\"header_frames\":%lld", (long long)in->header_frames);
        else
            fputs(",\"header_frames\":null", o);
        fprintf(o, ",\"bit_depth\":%d", in->bit_depth);
        k_str(o, "yuv_format", kzv_pixfmt_name(in->format));
        k_str(o, "color_matrix", kzv_color_matrix_name(in->color.matrix));
        k_str(o, "color_range_kzv", kzv_color_range_name(in->color.range));
        fprintf(o, ",\"color_matrix_tagged\":%s,\"color_range_tagged\":%s,\"interlaced\":%s,"
                   "\"top_field_first\":%s,\"rotation\":%d",
                in->color.matrix_tagged ? "true" : "false",
                in->color.range_tagged ? "true" : "false", in->interlaced ? "true" : "false",
                in->top_field_first ? "true" : "false", in->display_rotation);
        k_str(o, "decoder", in->decoder);
        k_str(o, "hwaccel", in->hwaccel);
    } else {
        fputs(",\"decoded\":false", o);
    }
    fputc('}', o);
}

static void print_json(const char *path, const kzv_decoder *d, const kzv_video_info *in,
                       bool counted)
{
    FILE *o = stdout;
    int n = kzv_decoder_stream_count(d);
    fputs("{\"streams\":[", o);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', o);
        print_stream(o, kzv_decoder_stream(d, i), in, counted);
    }
    fputs("],\"format\":{\"filename\":", o);
    cli_json_str(o, path);
    fprintf(o, ",\"nb_streams\":%d", n);
    k_str(o, "format_name", in->container);
    k_time(o, "start_time", in->container_start_time, true);
    k_time(o, "duration", in->container_duration, in->container_duration > 0);
    struct stat sb;
    k_count_str(o, "size", stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : -1);
    k_count_str(o, "bit_rate", in->container_bit_rate > 0 ? in->container_bit_rate : -1);
    fputs("}}\n", o);
}

static void print_text(const char *path, const kzv_decoder *d, const kzv_video_info *in,
                       bool counted)
{
    FILE *o = stdout;
    fprintf(o, "File:         %s\n", path);
    fprintf(o, "Container:    %s", in->container ? in->container : "?");
    if (in->container_duration > 0)
        fprintf(o, ", %.3f s", in->container_duration);
    fputc('\n', o);
    fprintf(o, "Video:        stream #%d, %s\n", in->stream_index, in->codec ? in->codec : "?");
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
    fprintf(o, "Colour:       matrix %s%s, range %s%s, primaries %s, transfer %s",
            kzv_color_matrix_name(in->color.matrix),
            in->color.matrix_tagged ? "" : " (untagged, assumed)",
            kzv_color_range_name(in->color.range),
            in->color.range_tagged ? "" : " (untagged, assumed)",
            cli_primaries_name(in->color.primaries), cli_transfer_name(in->color.transfer));
    if (chroma_location_name(in->color.chroma_location))
        fprintf(o, ", chroma %s", chroma_location_name(in->color.chroma_location));
    fputc('\n', o);
    fprintf(o, "Scan:         %s", in->interlaced ? (in->top_field_first ? "interlaced, top field first"
                                                                       : "interlaced, bottom field first")
                                                  : "progressive");
    if (field_order_name(in->field_order))
        fprintf(o, " (field_order %s)", field_order_name(in->field_order));
    fputc('\n', o);
    if (in->display_rotation)
        fprintf(o, "Rotation:     %d (display matrix, counter-clockwise as ffprobe prints it: "
                   "shown turned %d degrees clockwise)\n", in->display_rotation, in->rotation);
    else
        fputs("Rotation:     none\n", o);
    if (in->bit_rate > 0)
        fprintf(o, "Bit rate:     %.0f kb/s\n", (double)in->bit_rate / 1000.0);
    else
        fputs("Bit rate:     unknown\n", o);
    fprintf(o, "Decoder:      %s (%s)\n", in->decoder, strcmp(in->hwaccel, "none") ? in->hwaccel : "software");
    int n = kzv_decoder_stream_count(d);
    fprintf(o, "Streams:      %d\n", n);
    for (int i = 0; i < n; i++) {
        const kzv_stream_info *st = kzv_decoder_stream(d, i);
        fprintf(o, "  #%d %-10s %s", st->index, media_type_name(st->type), st->codec ? st->codec : "?");
        if (st->type == KZV_MEDIA_VIDEO)
            fprintf(o, " %dx%d%s", st->width, st->height, st->attached_pic ? " (cover image)" : "");
        if (st->type == KZV_MEDIA_AUDIO)
            fprintf(o, " %d Hz %s", st->sample_rate, st->channel_layout ? st->channel_layout : "");
        if (st->type == KZV_MEDIA_ATTACHMENT && st->filename)
            fprintf(o, " %s", st->filename);
        if (st->language)
            fprintf(o, " [%s]", st->language);
        if (st->title)
            fprintf(o, " \"%s\"", st->title);
        if (st->is_default)
            fputs(" (default)", o);
        if (st->decoded)
            fputs("  <- decoded", o);
        fputc('\n', o);
    }
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
        print_json(in.path, d, info, count);
    else
        print_text(in.path, d, info, count);
    kzv_decoder_close(&d);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_errorf(a.cmd, "cannot write to standard output");
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}
