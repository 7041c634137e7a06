/* Opening a decoder: settings, the input, stream choice, the codec, the
 * stream description from the first decoded picture; accessors and close. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/bsf.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>

#include "convert/rotate.h"
#include "decode/decoder_internal.h"
#include "decode/disposable.h"
#include "core/abi.h"

/* Default picture size limit (settings.max_pixels = 0): 8K × 8K. */
#define DEFAULT_MAX_PIXELS (8192LL * 8192LL)

static _Thread_local char t_open_error[1024];

/* ---- settings ---------------------------------------------------------- */

void kzv_decoder_default_settings(kzv_decoder_settings *s)
{
    if (!s)
        return;
    *s = (kzv_decoder_settings){
        .format = KZV_PIXFMT_RGB24,
        .threads = 0,
        .stream_index = -1,
    };
}

/* ---- open -------------------------------------------------------------- */

static int check_local_file(kzv_decoder *d)
{
    struct stat sb;
    if (stat(d->path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return kzv_dec_fail(d, KZV_ENOENT, "%s: no such file", d->path);
        return kzv_dec_fail(d, KZV_EIO, "%s: cannot access: %s", d->path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return kzv_dec_fail(d, KZV_EIO, "%s: is a directory, not a video file", d->path);
    if (access(d->path, R_OK) != 0)
        return kzv_dec_fail(d, KZV_EIO, "%s: cannot read: %s", d->path, strerror(errno));
    if (S_ISREG(sb.st_mode) && sb.st_size == 0)
        return kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: file is empty (0 bytes)", d->path);
    return KZV_OK;
}

static int pick_stream(kzv_decoder *d)
{
    AVFormatContext *fmt = d->fmt;
    int idx = d->s.stream_index;
    if (idx >= 0) {
        if ((unsigned)idx >= fmt->nb_streams)
            return kzv_dec_fail(d, KZV_EINVAL, "%s: stream %d does not exist (%u streams)", d->path, idx, fmt->nb_streams);
        if (fmt->streams[idx]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO)
            return kzv_dec_fail(d, KZV_ENOVIDEO, "%s: stream %d is not a video stream", d->path, idx);
    } else {
        idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        /* A cover picture (mp3/m4a artwork) is not a video: prefer any real one. */
        if (idx >= 0 && (fmt->streams[idx]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            idx = AVERROR_STREAM_NOT_FOUND;
            for (unsigned i = 0; i < fmt->nb_streams; i++)
                if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
                    !(fmt->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
                    idx = (int)i;
                    break;
                }
        }
        if (idx < 0) {
            char kinds[256] = "";
            for (unsigned i = 0; i < fmt->nb_streams && strlen(kinds) < 200; i++) {
                const AVStream *s = fmt->streams[i];
                const char *k = s->disposition & AV_DISPOSITION_ATTACHED_PIC ? "cover picture"
                              : av_get_media_type_string(s->codecpar->codec_type);
                size_t n = strlen(kinds);
                snprintf(kinds + n, sizeof(kinds) - n, "%s%s", n ? ", " : "", k ? k : "unknown");
            }
            return kzv_dec_fail(d, KZV_ENOVIDEO, "%s: no video stream (%u stream%s%s%s%s)", d->path,
                        fmt->nb_streams, fmt->nb_streams == 1 ? "" : "s",
                        kinds[0] ? ": " : "", kinds, "");
        }
    }
    d->st = fmt->streams[idx];
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        if ((int)i != idx)
            fmt->streams[i]->discard = AVDISCARD_ALL;
    return KZV_OK;
}

static int open_codec(kzv_decoder *d)
{
    const AVCodecParameters *par = d->st->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        char tag[AV_FOURCC_MAX_STRING_SIZE] = "";
        av_fourcc_make_string(tag, par->codec_tag);
        return kzv_dec_fail(d, KZV_EUNSUPPORTED, "%s: no decoder for video codec '%s' (tag %s)",
                    d->path, avcodec_get_name(par->codec_id), tag);
    }
    int ret = kzv_unpack_open(&d->unpack, d->st);
    if (ret < 0)
        return kzv_dec_fail(d, kzv_dec_status(ret), "%s: cannot set up the MPEG-4 unpacking filter: %s",
                    d->path, AVERR(ret));
    if (d->unpack)
        par = d->unpack->par_out;   /* what the decoder will see (DivX 'p' flag removed) */
    d->dec = avcodec_alloc_context3(codec);
    if (!d->dec)
        return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory", d->path);
    ret = avcodec_parameters_to_context(d->dec, par);
    if (ret < 0)
        return kzv_dec_fail(d, kzv_dec_status(ret), "%s: bad codec parameters: %s", d->path, AVERR(ret));
    /* Absurd sizes claimed by a header are refused before anything is
     * allocated for them (FFmpeg checks every picture against max_pixels). */
    if (par->width > 0 && par->height > 0 && (int64_t)par->width * par->height > d->s.max_pixels)
        return kzv_dec_fail(d, KZV_EUNSUPPORTED, "%s: picture size %dx%d is over the limit of %" PRId64 " pixels",
                    d->path, par->width, par->height, d->s.max_pixels);
    d->dec->max_pixels = d->s.max_pixels;
    d->dec->pkt_timebase = d->st->time_base;
    d->dec->thread_count = d->s.threads > 0 ? d->s.threads : 0;   /* 0 = FFmpeg picks per core */
    d->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    ret = kzv_hw_setup(&d->hw, d->dec, codec, d->s.hwaccel, &d->log);
    if (ret == KZV_EINVAL)
        return kzv_dec_fail(d, KZV_EINVAL, "%s: unknown hwaccel '%s' (kzv probe --hwaccel lists them)",
                    d->path, d->s.hwaccel);
    if (ret < 0)
        return kzv_dec_fail(d, ret, "%s: out of memory", d->path);
    ret = avcodec_open2(d->dec, codec, NULL);
    if (ret < 0) {
        int code = kzv_dec_status(ret);
        if (code == KZV_EINVALIDDATA || code == KZV_EINVAL)
            code = KZV_EUNSUPPORTED;
        return kzv_dec_fail(d, code, "%s: cannot open %s decoder: %s", d->path, codec->name, AVERR(ret));
    }
    d->disposable = kzv_disposable_setup(d->st->codecpar);
    snprintf(d->codec_name, sizeof(d->codec_name), "%s", avcodec_get_name(par->codec_id));
    snprintf(d->decoder_name, sizeof(d->decoder_name), "%s", codec->name);
    return KZV_OK;
}

/* Clockwise degrees 0..359 to turn for display; *ccw receives the display
 * matrix's own angle as ffprobe prints it (counter-clockwise, -180..180). */
static int display_rotation(const AVStream *st, int *ccw_out)
{
    *ccw_out = 0;
    const int32_t *m = NULL;
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 31, 102)
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data,
                                                         AV_PKT_DATA_DISPLAYMATRIX);
    if (sd && sd->size >= 9 * 4)
        m = (const int32_t *)sd->data;
#else
    size_t size = 0;
    m = (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (size < 9 * 4)
        m = NULL;
#endif
    if (!m)
        return 0;
    double ccw = av_display_rotation_get(m);   /* counter-clockwise, [-180, 180] */
    if (ccw != ccw)                             /* NaN: degenerate matrix */
        return 0;
    *ccw_out = (int)lround(ccw);
    int cw = (int)lround(-ccw) % 360;
    return cw < 0 ? cw + 360 : cw;
}

static void fill_info(kzv_decoder *d)
{
    kzv_video_info *in = &d->info;
    const AVStream *st = d->st;
    const AVFrame *f = d->held;
    AVRational fr = kzv_dec_frame_rate(d);

    in->width = f->width;
    in->height = f->height;
    in->frame_rate = (kzv_rational){ fr.num, fr.den };
    in->fps = fr.num > 0 ? av_q2d(fr) : 0.0;
    in->codec = d->codec_name;
    in->decoder = d->decoder_name;
    in->hwaccel = d->hw.name;
    snprintf(d->container, sizeof(d->container), "%s", d->fmt->iformat->name);
    in->container = d->container;
    const char *pf = av_get_pix_fmt_name(f->format);
    snprintf(d->pix_fmt, sizeof(d->pix_fmt), "%s", pf ? pf : "unknown");
    in->pix_fmt = d->pix_fmt;
    in->total_frames = -1;
    in->header_frames = st->nb_frames > 0 ? st->nb_frames : -1;
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        in->duration = kzv_dec_seconds(st->duration, st->time_base);
    else if (d->fmt->duration != AV_NOPTS_VALUE && d->fmt->duration > 0)
        in->duration = (double)d->fmt->duration / AV_TIME_BASE;
    int64_t start = f->best_effort_timestamp;
    in->start_time = start != AV_NOPTS_VALUE ? kzv_dec_seconds(start, st->time_base) : 0.0;
    in->time_base = (kzv_rational){ st->time_base.num, st->time_base.den };
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
    in->bit_depth = desc ? desc->comp[0].depth : 8;
    kzv_color_resolve(f, &in->color);
    in->rotation = display_rotation(st, &in->display_rotation);
    in->stream_index = st->index;
    in->bit_rate = st->codecpar->bit_rate > 0 ? st->codecpar->bit_rate : d->fmt->bit_rate;
    AVRational sar = f->sample_aspect_ratio.num > 0 ? f->sample_aspect_ratio : st->sample_aspect_ratio;
    in->sample_aspect_ratio = sar.num > 0 ? (kzv_rational){ sar.num, sar.den } : (kzv_rational){ 0, 1 };
    in->format = d->s.format;
    int fo = st->codecpar->field_order;
    in->field_order = fo >= KZV_FIELD_PROGRESSIVE && fo <= KZV_FIELD_BT ? (kzv_field_order)fo
                                                                         : KZV_FIELD_UNKNOWN;
    uint8_t repeat;
    kzv_dec_fields(f, &in->interlaced, &in->top_field_first, &repeat);
    in->container_duration = d->fmt->duration > 0 ? (double)d->fmt->duration / AV_TIME_BASE : 0.0;
    in->container_start_time = d->fmt->start_time != AV_NOPTS_VALUE
                               ? (double)d->fmt->start_time / AV_TIME_BASE : 0.0;
    in->container_bit_rate = d->fmt->bit_rate > 0 ? d->fmt->bit_rate : 0;
}

/* settings.autorotate: frames are turned by info.rotation, and info
 * describes the turned picture (size, sample aspect ratio). */
static void setup_autorotate(kzv_decoder *d)
{
    kzv_video_info *in = &d->info;
    d->rotate_cw = 0;
    if (!d->s.autorotate || !in->rotation)
        return;
    bool right = in->rotation == 90 || in->rotation == 180 || in->rotation == 270;
    if (!right || (d->s.format != KZV_PIXFMT_NONE && !kzv_rotate_supported(d->s.format, in->rotation))) {
        kzv_log(&d->log, KZV_LOG_WARNING, "%s: autorotate cannot turn %s frames by %d degrees: "
                "left as coded", d->path, kzv_pixfmt_name(d->s.format), in->rotation);
        return;
    }
    d->rotate_cw = in->rotation;
    if (in->rotation != 180) {
        int t = in->width;
        in->width = in->height;
        in->height = t;
        kzv_rational sar = in->sample_aspect_ratio;
        if (sar.num > 0 && sar.den > 0)
            in->sample_aspect_ratio = (kzv_rational){ sar.den, sar.num };
    }
}

/* avformat_find_stream_info() decodes a few pictures with decoders of its
 * own; without a limit a header claiming 16000x16000 makes them allocate
 * gigabytes before kzv's own checks run. Give them settings.max_pixels too. */
static int find_stream_info(kzv_decoder *d)
{
    unsigned n = d->fmt->nb_streams;
    AVDictionary **opts = n ? av_calloc(n, sizeof(*opts)) : NULL;
    int (*size)[2] = n ? av_calloc(n, sizeof(*size)) : NULL;
    for (unsigned i = 0; opts && size && i < n; i++) {
        av_dict_set_int(&opts[i], "max_pixels", d->s.max_pixels < INT_MAX ? d->s.max_pixels : INT_MAX, 0);
        size[i][0] = d->fmt->streams[i]->codecpar->width;
        size[i][1] = d->fmt->streams[i]->codecpar->height;
    }
    int ret = avformat_find_stream_info(d->fmt, opts && size ? opts : NULL);
    /* A decoder refusing the header's size leaves it 0: put it back, so that
     * open_codec() refuses it with a clear message. Streams FFmpeg could
     * decode carry their true size by now. */
    for (unsigned i = 0; opts && size && i < n && i < d->fmt->nb_streams; i++) {
        AVCodecParameters *par = d->fmt->streams[i]->codecpar;
        if ((par->width <= 0 || par->height <= 0) && size[i][0] > 0 && size[i][1] > 0) {
            par->width = size[i][0];
            par->height = size[i][1];
        }
    }
    for (unsigned i = 0; opts && i < n; i++)
        av_dict_free(&opts[i]);
    av_freep(&opts);
    av_freep(&size);
    return ret;
}

static int open_internal(kzv_decoder *d)
{
    int ret;
    if (!d->src.mem && kzv_input_is_local(d->path) && (ret = check_local_file(d)) < 0)
        return ret;

    ret = kzv_dec_open_input(d, &d->fmt);
    if (ret == AVERROR_EXIT)
        return kzv_dec_fail(d, kzv_dec_io_exit_code(d), "%s: cannot open: %s", d->path,
                    kzv_dec_io_exit_code(d) == KZV_ECANCELED ? "interrupted" : "timed out");
    if (ret < 0) {
        int code = kzv_dec_status(ret);
        /* A demuxer's EIO on a file we can read (or a memory buffer) means a
         * damaged header (a cut Matroska header, say), not a failing disk. */
        if (code == KZV_EOF || (code == KZV_EIO && (d->src.mem || kzv_input_is_local(d->path))))
            code = KZV_EINVALIDDATA;
        const char *why = code == KZV_EINVALIDDATA ? " (not a media file, or its headers are damaged)" : "";
        return kzv_dec_fail(d, code, "%s: cannot open: %s%s", d->path, AVERR(ret), why);
    }
    kzv_dec_arm_io(d);
    ret = find_stream_info(d);
    if (ret < 0)
        kzv_log(&d->log, KZV_LOG_WARNING, "%s: could not read stream parameters: %s", d->path, AVERR(ret));
    if ((ret = pick_stream(d)) < 0 || (ret = open_codec(d)) < 0)
        return ret;

    d->pkt = av_packet_alloc();
    d->held = av_frame_alloc();
    d->scratch = av_frame_alloc();
    if (!d->pkt || !d->held || !d->scratch)
        return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory", d->path);

    /* Decode the first picture now: real size, colour tags and start time. */
    ret = kzv_dec_decode_one(d, d->held);
    if (ret == AVERROR_EOF)
        return kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: no decodable video frame (%" PRId64 " packets read, "
                    "%" PRId64 " rejected by the %s decoder)", d->path, d->stats.packets_read,
                    d->stats.corrupt_packets, d->decoder_name);
    if (ret < 0)
        return ret;
    d->have_held = true;
    d->first_w = d->cur_w = d->held->width;
    d->first_h = d->cur_h = d->held->height;
    d->cur_fmt = d->held->format;
    d->first_pts_ts = d->held->best_effort_timestamp;
    /* "yuv" means the layout the codec decodes to: settle it on the first
     * picture and keep it for the whole stream (frames decoded in another
     * layout later are converted to it), so callers see one format. */
    if (d->s.format == KZV_PIXFMT_YUV_AUTO)
        d->s.format = kzv_pixfmt_native(d->held->format);
    fill_info(d);
    setup_autorotate(d);
    if (kzv_dec_describe_streams(d) < 0)
        return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory", d->path);

    if (d->s.count_frames && kzv_dec_ensure_index(d) < 0) {
        kzv_log(&d->log, KZV_LOG_WARNING, "%s", d->err);
        d->err[0] = '\0';   /* not fatal: the count stays unknown (-1) */
    }
    return KZV_OK;
}

static int open_source(kzv_decoder **out, const char *path, const uint8_t *mem, size_t mem_size,
                       const kzv_decoder_settings *settings)
{
    kzv_log_install_ffmpeg_bridge();

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    if (settings)
        s = *settings;
    if (!KZV_RESERVED_OK(&s)) {
        snprintf(t_open_error, sizeof(t_open_error), "%s: %s", path, KZV_RESERVED_WHY("kzv_decoder_settings"));
        return KZV_EINVAL;
    }
    if (s.max_pixels == 0)
        s.max_pixels = DEFAULT_MAX_PIXELS;
    if ((s.format != KZV_PIXFMT_NONE && s.format != KZV_PIXFMT_YUV_AUTO && kzv_pixfmt_planes(s.format) == 0) || s.threads < 0 || s.io_timeout_ns < 0 || s.max_pixels < 0) {
        snprintf(t_open_error, sizeof(t_open_error), "%s: invalid settings (format %d, threads %d)",
                 path, (int)s.format, s.threads);
        return KZV_EINVAL;
    }

    const AVInputFormat *container = NULL;
    if (s.container && !(container = av_find_input_format(s.container))) {
        snprintf(t_open_error, sizeof(t_open_error), "%s: unknown container '%s' (FFmpeg has no such demuxer)",
                 path, s.container);
        return KZV_EINVAL;
    }
    s.container = container ? container->name : NULL;   /* FFmpeg's own string: lives as long as the process */

    kzv_decoder *d = calloc(1, sizeof(*d));
    if (!d || !(d->path = strdup(path))) {
        free(d);
        snprintf(t_open_error, sizeof(t_open_error), "%s: out of memory", path);
        return KZV_ENOMEM;
    }
    d->s = s;
    d->log = (kzv_logger){ s.log_fn, s.log_user };
    d->conv.threads = s.threads;
    d->src = (kzv_source){ .path = d->path, .mem = mem, .mem_size = mem_size, .format = container };
    atomic_init(&d->interrupted, false);
    atomic_init(&d->io_deadline, 0);
    d->cur_fmt = AV_PIX_FMT_NONE;
    d->last_pts_ts = AV_NOPTS_VALUE;
    d->skip_before = AV_NOPTS_VALUE;
    d->drop_before_dts = AV_NOPTS_VALUE;
    d->serve = -1;

    int ret = open_internal(d);
    if (ret < 0) {
        snprintf(t_open_error, sizeof(t_open_error), "%s", d->err);
        kzv_decoder_close(&d);
        return ret;
    }
    *out = d;
    return KZV_OK;
}

int kzv_decoder_open(kzv_decoder **out, const char *path, const kzv_decoder_settings *settings)
{
    t_open_error[0] = '\0';
    if (!out || !path) {
        snprintf(t_open_error, sizeof(t_open_error), "kzv_decoder_open: %s is NULL", out ? "path" : "out");
        return KZV_EINVAL;
    }
    *out = NULL;
    return open_source(out, path, NULL, 0, settings);
}

int kzv_decoder_open_memory(kzv_decoder **out, const uint8_t *data, size_t size,
                            const char *name, const kzv_decoder_settings *settings)
{
    t_open_error[0] = '\0';
    if (!out || (!data && size)) {
        snprintf(t_open_error, sizeof(t_open_error), "kzv_decoder_open_memory: %s is NULL", out ? "data" : "out");
        return KZV_EINVAL;
    }
    *out = NULL;
    if (size == 0) {
        snprintf(t_open_error, sizeof(t_open_error), "%s: buffer is empty (0 bytes)", name ? name : "memory");
        return KZV_EINVALIDDATA;
    }
    static const uint8_t none[1];
    return open_source(out, name ? name : "memory", data ? data : none, size, settings);
}

/* ---- accessors, close -------------------------------------------------- */

const kzv_video_info *kzv_decoder_info(const kzv_decoder *d)
{
    return d ? &d->info : NULL;
}

void kzv_decoder_get_stats(const kzv_decoder *d, kzv_decoder_stats *st)
{
    if (!st)
        return;
    if (!d) {
        *st = (kzv_decoder_stats){ 0 };
        return;
    }
    *st = d->stats;
}

const char *kzv_decoder_last_error(const kzv_decoder *d)
{
    return d ? d->err : t_open_error;
}

void kzv_decoder_close(kzv_decoder **pd)
{
    if (!pd || !*pd)
        return;
    kzv_decoder *d = *pd;
    *pd = NULL;
    kzv_fcache_clear(&d->cache);
    kzv_dec_cursors_free(d);
    kzv_converter_uninit(&d->conv);
    kzv_index_free(&d->index);
    kzv_dec_free_streams(d);
    av_buffer_pool_uninit(&d->pool);
    av_frame_free(&d->held);
    av_frame_free(&d->scratch);
    av_packet_free(&d->pkt);
    avcodec_free_context(&d->dec);
    av_bsf_free(&d->unpack);
    kzv_hw_uninit(&d->hw);
    kzv_input_close(&d->fmt);
    free(d->path);
    free(d);
}
