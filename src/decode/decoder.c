/* kzv_decoder: demux (libavformat) → decode (libavcodec) → convert → kzv_frame.
 *
 * The decoder keeps one decoded frame "held" ahead of the one it returns: the
 * next frame's timestamp is what makes a frame's duration exact on variable
 * frame rate streams. The first frame is decoded during open, so the stream
 * description (size, colour tags, start time) comes from real decoded data
 * rather than container guesses, and a file with no decodable picture fails
 * at open with a clear message. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libavutil/time.h>

#include "kzv/decoder.h"
#include "convert/convert.h"
#include "core/frame_internal.h"
#include "decode/hwaccel.h"
#include "decode/index.h"
#include "decode/input.h"
#include "core/log.h"
#include "core/satmath.h"

/* Default picture size limit (settings.max_pixels = 0): 8K × 8K. */
#define DEFAULT_MAX_PIXELS (8192LL * 8192LL)

/* Consecutive container read errors tolerated before giving up on the rest of
 * the file (a damaged tail); each one is logged and counted. */
#define MAX_CONSECUTIVE_READ_ERRORS 64

struct kzv_decoder {
    kzv_logger log;
    kzv_decoder_settings s;         /* s.format YUV_AUTO is replaced by what it resolves to at open */
    char *path;
    kzv_source src;
    atomic_bool interrupted;        /* kzv_decoder_interrupt() */
    _Atomic int64_t io_deadline;    /* av_gettime_relative() limit of the current I/O; 0 = none */

    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *st;
    AVPacket *pkt;
    AVFrame *held;          /* decoded, not yet returned (valid when have_held) */
    AVFrame *scratch;       /* receives the frame after `held` */
    bool have_held;
    bool demux_done;        /* flush packet sent */
    bool codec_done;        /* decoder fully drained */
    int pending_error;      /* error to return once the held frame is out */

    kzv_hw hw;              /* hardware decoding (device NULL: software) */
    kzv_converter conv;
    AVBufferPool *pool;
    size_t pool_size;

    int first_w, first_h;
    int cur_w, cur_h, cur_fmt;
    int64_t last_pts_ts, last_dur_ts;   /* for streams with missing timestamps */
    int64_t next_index;
    int64_t first_pts_ts;   /* best-effort pts of the first frame (open) */
    int64_t skip_before;    /* while seeking: packets with pts < this that no
                               frame references need not be decoded at all */
    int64_t drop_before_dts;/* after a seek to a keyframe: packets with a dts
                               below the keyframe's, where the demuxer landed
                               early, are dropped undecoded; AV_NOPTS_VALUE once
                               the keyframe is reached (or when unknown) */

    kzv_index index;        /* built on demand (count_frames, get_index, seeks) */
    bool have_index;

    kzv_video_info info;
    kzv_decoder_stats stats;
    char codec_name[64], decoder_name[64], container[128], pix_fmt[64];
    char err[1024];
};

static _Thread_local char t_open_error[1024];

/* ---- errors ------------------------------------------------------------ */

static int map_averror(int e)
{
    switch (e) {
    case AVERROR(ENOENT):               return KZV_ENOENT;
    case AVERROR(EACCES):
    case AVERROR(EPERM):
    case AVERROR(EIO):
    case AVERROR(EISDIR):               return KZV_EIO;
    case AVERROR(ENOMEM):               return KZV_ENOMEM;
    case AVERROR(EINVAL):               return KZV_EINVAL;
    case AVERROR(ETIMEDOUT):            return KZV_ETIMEDOUT;
    case AVERROR_EXIT:                  return KZV_ECANCELED;
    case AVERROR_STREAM_NOT_FOUND:      return KZV_ENOVIDEO;
    case AVERROR_DECODER_NOT_FOUND:
    case AVERROR_DEMUXER_NOT_FOUND:
    case AVERROR_PROTOCOL_NOT_FOUND:
    case AVERROR_PATCHWELCOME:
    case AVERROR(ENOSYS):               return KZV_EUNSUPPORTED;
    case AVERROR_EOF:                   return KZV_EOF;
    default:                            return KZV_EINVALIDDATA;
    }
}

__attribute__((format(printf, 3, 4)))
static int fail(kzv_decoder *d, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof(d->err), fmt, ap);
    va_end(ap);
    /* The caller gets the message with the code; log it only for debugging. */
    kzv_log(&d->log, KZV_LOG_DEBUG, "%s", d->err);
    return code;
}

static const char *averr(int e, char *buf, size_t n)
{
    if (av_strerror(e, buf, n) < 0)
        snprintf(buf, n, "error %d", e);
    return buf;
}
#define AVERR(e) averr((e), (char[AV_ERROR_MAX_STRING_SIZE]){ 0 }, AV_ERROR_MAX_STRING_SIZE)

/* ---- I/O deadline and interruption ------------------------------------ */

/* FFmpeg's interrupt callback: asked between reads and while kzv's file
 * reader waits on a pipe. */
static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int interrupt_cb(void *opaque)
{
    kzv_decoder *d = opaque;
    if (atomic_load(&d->interrupted))
        return 1;
    int64_t deadline = atomic_load(&d->io_deadline);
    return deadline && av_gettime_relative() > deadline;
}

/* Start the clock for one blocking operation. */
static void arm_io(kzv_decoder *d)
{
    atomic_store(&d->io_deadline, d->s.io_timeout_ns > 0 ? av_gettime_relative() + d->s.io_timeout_ns / 1000 : 0);
}

/* Why an operation came back with AVERROR_EXIT. */
static int io_exit_code(kzv_decoder *d)
{
    return atomic_load(&d->interrupted) ? KZV_ECANCELED : KZV_ETIMEDOUT;
}

static int open_input(kzv_decoder *d, AVFormatContext **fmt)
{
    AVIOInterruptCB cb = { interrupt_cb, d };
    arm_io(d);
    return kzv_input_open(fmt, &d->src, &cb);
}

void kzv_decoder_interrupt(kzv_decoder *d)
{
    if (d)
        atomic_store(&d->interrupted, true);
}

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

/* ---- demux + decode ---------------------------------------------------- */

/* Next packet of our stream into d->pkt. 0, AVERROR_EOF, or a KZV error. */
static int read_packet(kzv_decoder *d)
{
    int consecutive = 0;
    for (;;) {
        arm_io(d);
        int64_t t0 = now_ns();
        int ret = av_read_frame(d->fmt, d->pkt);
        d->stats.demux_ns += now_ns() - t0;
        if (ret == AVERROR_EXIT || (ret < 0 && interrupt_cb(d))) {
            int code = io_exit_code(d);
            return fail(d, code, "%s: %s", d->path, code == KZV_ECANCELED ? "reading interrupted"
                        : "read timed out (no data within the I/O timeout)");
        }
        if (ret == AVERROR_EOF || (ret < 0 && d->fmt->pb && avio_feof(d->fmt->pb)))
            return AVERROR_EOF;
        if (ret == AVERROR(ENOMEM))
            return fail(d, KZV_ENOMEM, "%s: out of memory while reading", d->path);
        if (ret < 0) {
            d->stats.read_errors++;
            if (d->s.strict)
                return fail(d, map_averror(ret) == KZV_EIO ? KZV_EIO : KZV_EINVALIDDATA,
                            "%s: read error (strict mode): %s", d->path, AVERR(ret));
            if (++consecutive > MAX_CONSECUTIVE_READ_ERRORS) {
                kzv_log(&d->log, KZV_LOG_WARNING, "%s: %d read errors in a row (%s); "
                        "treating the rest of the file as missing", d->path, consecutive, AVERR(ret));
                return AVERROR_EOF;
            }
            kzv_log(&d->log, KZV_LOG_WARNING, "%s: read error skipped: %s", d->path, AVERR(ret));
            continue;
        }
        if (d->pkt->stream_index == d->st->index)
            return 0;
        av_packet_unref(d->pkt);
    }
}

static bool frame_is_corrupt(const AVFrame *f)
{
    return (f->flags & AV_FRAME_FLAG_CORRUPT) || f->decode_error_flags;
}

/* Decode the next frame (decoder output order = display order) into `out`.
 * Returns 0, AVERROR_EOF when fully drained, or a negative KZV code. */
static int decode_one(kzv_decoder *d, AVFrame *out)
{
    int receive_errors = 0;
    for (;;) {
        int64_t t0 = now_ns();
        int ret = avcodec_receive_frame(d->dec, out);
        d->stats.decode_ns += now_ns() - t0;
        if (ret == 0) {
            d->stats.frames_decoded++;
            int herr = kzv_hw_download(&d->hw, out);
            if (herr < 0) {
                av_frame_unref(out);
                return fail(d, herr, "%s: cannot read back a %s surface", d->path, d->hw.name);
            }
            if (frame_is_corrupt(out)) {
                d->stats.corrupt_frames++;
                if (d->s.strict) {
                    av_frame_unref(out);
                    return fail(d, KZV_EINVALIDDATA, "%s: damaged frame (strict mode)", d->path);
                }
                kzv_log(&d->log, KZV_LOG_WARNING, "%s: frame decoded with errors (concealed)", d->path);
            }
            return 0;
        }
        if (ret == AVERROR_EOF) {
            d->codec_done = true;
            return AVERROR_EOF;
        }
        if (ret == AVERROR(ENOMEM))
            return fail(d, KZV_ENOMEM, "%s: out of memory while decoding", d->path);
        if (ret != AVERROR(EAGAIN)) {
            d->stats.corrupt_packets++;
            if (d->s.strict)
                return fail(d, KZV_EINVALIDDATA, "%s: decode error (strict mode): %s", d->path, AVERR(ret));
            kzv_log(&d->log, KZV_LOG_WARNING, "%s: decode error skipped: %s", d->path, AVERR(ret));
            if (++receive_errors > MAX_CONSECUTIVE_READ_ERRORS)
                return fail(d, KZV_EINVALIDDATA, "%s: decoder keeps failing: %s", d->path, AVERR(ret));
            continue;
        }
        if (d->demux_done) {
            /* Flushed and still asking for input: nothing more will come. */
            d->codec_done = true;
            return AVERROR_EOF;
        }
        ret = read_packet(d);
        if (ret == AVERROR_EOF) {
            d->demux_done = true;
            avcodec_send_packet(d->dec, NULL);
            continue;
        }
        if (ret < 0)
            return ret;
        d->stats.packets_read++;
        if (d->drop_before_dts != AV_NOPTS_VALUE) {
            /* Decoding starts at the keyframe the index chose; anything the
             * demuxer returns before it in decode order is never needed. */
            if (d->pkt->dts != AV_NOPTS_VALUE && d->pkt->dts < d->drop_before_dts) {
                av_packet_unref(d->pkt);
                continue;
            }
            d->drop_before_dts = AV_NOPTS_VALUE;
        }
        int64_t pkt_pts = d->pkt->pts != AV_NOPTS_VALUE ? d->pkt->pts : d->pkt->dts;
        /* Seeking: a non-reference picture displayed before the target is
         * never needed, so the codec may drop it undecoded (per packet; frame
         * threads pick the setting up at submission). */
        d->dec->skip_frame = d->skip_before != AV_NOPTS_VALUE && d->pkt->pts != AV_NOPTS_VALUE &&
                             d->pkt->pts < d->skip_before ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
        t0 = now_ns();
        ret = avcodec_send_packet(d->dec, d->pkt);
        d->stats.decode_ns += now_ns() - t0;
        av_packet_unref(d->pkt);
        if (ret == AVERROR(ENOMEM))
            return fail(d, KZV_ENOMEM, "%s: out of memory while decoding", d->path);
        if (ret < 0 && ret != AVERROR(EAGAIN)) {
            d->stats.corrupt_packets++;
            if (d->s.strict)
                return fail(d, KZV_EINVALIDDATA, "%s: corrupt packet at pts %" PRId64 " (strict mode): %s",
                            d->path, pkt_pts, AVERR(ret));
            kzv_log(&d->log, KZV_LOG_WARNING, "%s: corrupt packet at pts %" PRId64 " skipped: %s",
                    d->path, pkt_pts, AVERR(ret));
        }
    }
}

/* ---- frame output ------------------------------------------------------ */

static double ts_to_sec(int64_t ts, AVRational tb)
{
    return ts == AV_NOPTS_VALUE ? 0.0 : (double)ts * tb.num / tb.den;
}

static int64_t own_duration(const AVFrame *f)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 30, 100)
    return f->duration;
#else
    return f->pkt_duration;
#endif
}

static bool is_keyframe(const AVFrame *f)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(58, 7, 100)
    return f->flags & AV_FRAME_FLAG_KEY;
#else
    return f->key_frame;
#endif
}

static AVRational frame_rate_of(const kzv_decoder *d)
{
    AVRational r = d->st->avg_frame_rate;
    if (r.num <= 0 || r.den <= 0)
        r = d->st->r_frame_rate;
    if ((r.num <= 0 || r.den <= 0) && d->dec)
        r = d->dec->framerate;
    if (r.num <= 0 || r.den <= 0)
        r = (AVRational){ 0, 1 };
    return r;
}

static int get_buffer(kzv_decoder *d, int w, int h, kzv_frame **out)
{
    int stride[4];
    size_t offset[4];
    size_t size = kzv_frame_layout(w, h, d->s.format, stride, offset);
    if (!size || size > (size_t)INT_MAX)
        return fail(d, KZV_EUNSUPPORTED, "%s: picture size %dx%d not supported", d->path, w, h);
    if (size != d->pool_size) {
        /* Frames still out keep the old pool alive until they come back. */
        av_buffer_pool_uninit(&d->pool);
        d->pool = av_buffer_pool_init(size, av_buffer_alloc);
        d->pool_size = d->pool ? size : 0;
        if (!d->pool)
            return fail(d, KZV_ENOMEM, "%s: out of memory", d->path);
    }
    AVBufferRef *buf = av_buffer_pool_get(d->pool);
    if (!buf)
        return fail(d, KZV_ENOMEM, "%s: out of memory", d->path);
    int err = kzv_frame_wrap_buffer(out, buf, w, h, d->s.format);
    return err < 0 ? fail(d, err, "%s: out of memory", d->path) : KZV_OK;
}

static int timed_convert(kzv_decoder *d, const AVFrame *src, kzv_frame *f, const kzv_color *color)
{
    int64_t t0 = now_ns();
    int err = kzv_convert(&d->conv, src, f, color);
    d->stats.convert_ns += now_ns() - t0;
    return err;
}

/* Passthrough: when the decoded picture already is the output (the requested
 * layout, same size), the frame shares the codec's buffers instead of a copy.
 * FFmpeg's decoded frames are reference counted: the codec (frame threads
 * included) allocates fresh pictures from its pools while ours are held, and
 * a pool outlives the codec context until its last buffer comes back, so a
 * frame may be kept as long as the caller likes, past kzv_decoder_close().
 * The decoder itself only unrefs its AVFrame after emit(). Leaves *out NULL
 * when the picture cannot be shared (the caller converts it then). */
static int try_passthrough(kzv_decoder *d, const AVFrame *src, int ow, int oh, kzv_frame **out)
{
    *out = NULL;
    if (ow != src->width || oh != src->height || !kzv_pixfmt_is_layout_of(d->s.format, src->format))
        return KZV_OK;
    int err = kzv_frame_wrap_avframe(out, src, d->s.format);
    if (err == KZV_ENOMEM)
        return fail(d, err, "%s: out of memory", d->path);
    return KZV_OK;
}

/* Turn the decoded `src` into a kzv_frame. `next_pts` is the following
 * frame's best-effort timestamp (AV_NOPTS_VALUE at the end). */
static int emit(kzv_decoder *d, const AVFrame *src, int64_t next_pts, kzv_frame **out)
{
    AVRational tb = d->st->time_base;

    if (src->width != d->cur_w || src->height != d->cur_h || src->format != d->cur_fmt) {
        if (d->next_index > 0) {
            d->stats.size_changes++;
            kzv_log(&d->log, KZV_LOG_INFO, "%s: picture changes from %dx%d to %dx%d at frame %" PRId64,
                    d->path, d->cur_w, d->cur_h, src->width, src->height, d->next_index);
        }
        d->cur_w = src->width;
        d->cur_h = src->height;
        d->cur_fmt = src->format;
    }
    if ((int64_t)src->width * src->height > d->s.max_pixels)
        return fail(d, KZV_EUNSUPPORTED, "%s: picture size %dx%d is over the limit of %" PRId64 " pixels",
                    d->path, src->width, src->height, d->s.max_pixels);
    int ow = d->s.keep_first_size ? d->first_w : src->width;
    int oh = d->s.keep_first_size ? d->first_h : src->height;

    kzv_frame *f = NULL;
    kzv_color color;
    kzv_color_resolve(src, &color);
    if (color.matrix == KZV_MATRIX_RGB && kzv_pixfmt_chroma_shift(d->s.format, NULL, NULL)) {
        /* RGB source, YUV output: the frame's matrix is the one kzv encodes
         * with (the untagged rule; range stays full), so that converting it
         * back to RGB with its own description is right. */
        color.matrix = src->height > 576 ? KZV_MATRIX_BT709 : KZV_MATRIX_SMPTE170M;
        color.matrix_tagged = false;
    }
    int err;
    if (d->s.format == KZV_PIXFMT_NONE) {   /* timing only: no pixels, no conversion */
        if ((err = kzv_frame_new_empty(&f, ow, oh)) < 0)
            return fail(d, err, "%s: out of memory", d->path);
    } else if ((err = try_passthrough(d, src, ow, oh, &f)) < 0) {
        return err;
    } else if (f) {
        /* shared with the codec: nothing converted, nothing copied */
    } else if ((err = get_buffer(d, ow, oh, &f)) < 0) {
        return err;
    } else if ((err = timed_convert(d, src, f, &color)) < 0) {
        kzv_frame_unref(&f);
        return fail(d, err, "%s: cannot convert %s %dx%d to %s", d->path,
                    av_get_pix_fmt_name(src->format), src->width, src->height,
                    kzv_pixfmt_name(d->s.format));
    }

    /* Timing: the codec's best-effort timestamp; missing ones continue the
     * previous frame's (AVI and raw streams without timestamps). */
    int64_t pts = src->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE)
        pts = d->last_pts_ts != AV_NOPTS_VALUE ? kzv_sat_add(d->last_pts_ts, d->last_dur_ts) : 0;
    int64_t dur = 0;
    if (next_pts != AV_NOPTS_VALUE && next_pts > pts)
        dur = kzv_sat_sub(next_pts, pts);
    else if (own_duration(src) > 0)
        dur = own_duration(src);
    else if (d->last_dur_ts > 0)
        dur = d->last_dur_ts;
    else {
        AVRational fr = frame_rate_of(d);
        if (fr.num > 0)
            dur = av_rescale_q(1, av_inv_q(fr), tb);
    }
    d->last_pts_ts = pts;
    d->last_dur_ts = dur;

    f->pts_ts = pts;
    f->pts = ts_to_sec(pts, tb);
    f->duration = ts_to_sec(dur, tb);
    f->time_base = (kzv_rational){ tb.num, tb.den };
    f->frame_index = d->next_index++;
    f->keyframe = is_keyframe(src);
    f->color = color;
    d->stats.frames_output++;
    *out = f;
    return KZV_OK;
}

int kzv_decoder_next(kzv_decoder *d, kzv_frame **out)
{
    if (out)
        *out = NULL;
    if (!d || !out)
        return KZV_EINVAL;
    if (!d->have_held) {
        if (d->pending_error) {
            int e = d->pending_error;
            d->pending_error = 0;
            return e;
        }
        if (d->codec_done)
            return KZV_EOF;
        int r = decode_one(d, d->held);
        if (r == AVERROR_EOF)
            return KZV_EOF;
        if (r < 0)
            return r;
        d->have_held = true;
    }

    int r = decode_one(d, d->scratch);
    int64_t next_pts = r == 0 ? d->scratch->best_effort_timestamp : AV_NOPTS_VALUE;
    int err = emit(d, d->held, next_pts, out);
    av_frame_unref(d->held);
    if (r == 0) {
        AVFrame *t = d->held;
        d->held = d->scratch;
        d->scratch = t;
    } else {
        d->have_held = false;
        if (r != AVERROR_EOF)
            d->pending_error = r;   /* deliver what we have, fail on the next call */
        else if (d->info.total_frames < 0 && d->stats.read_errors == 0)
            d->info.total_frames = d->next_index;   /* counted from the content */
    }
    return err;
}

/* ---- open -------------------------------------------------------------- */

static int check_local_file(kzv_decoder *d)
{
    struct stat sb;
    if (stat(d->path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return fail(d, KZV_ENOENT, "%s: no such file", d->path);
        return fail(d, KZV_EIO, "%s: cannot access: %s", d->path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return fail(d, KZV_EIO, "%s: is a directory, not a video file", d->path);
    if (access(d->path, R_OK) != 0)
        return fail(d, KZV_EIO, "%s: cannot read: %s", d->path, strerror(errno));
    if (S_ISREG(sb.st_mode) && sb.st_size == 0)
        return fail(d, KZV_EINVALIDDATA, "%s: file is empty (0 bytes)", d->path);
    return KZV_OK;
}

static int pick_stream(kzv_decoder *d)
{
    AVFormatContext *fmt = d->fmt;
    int idx = d->s.stream_index;
    if (idx >= 0) {
        if ((unsigned)idx >= fmt->nb_streams)
            return fail(d, KZV_EINVAL, "%s: stream %d does not exist (%u streams)", d->path, idx, fmt->nb_streams);
        if (fmt->streams[idx]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO)
            return fail(d, KZV_ENOVIDEO, "%s: stream %d is not a video stream", d->path, idx);
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
            return fail(d, KZV_ENOVIDEO, "%s: no video stream (%u stream%s%s%s%s)", d->path,
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
        return fail(d, KZV_EUNSUPPORTED, "%s: no decoder for video codec '%s' (tag %s)",
                    d->path, avcodec_get_name(par->codec_id), tag);
    }
    d->dec = avcodec_alloc_context3(codec);
    if (!d->dec)
        return fail(d, KZV_ENOMEM, "%s: out of memory", d->path);
    int ret = avcodec_parameters_to_context(d->dec, par);
    if (ret < 0)
        return fail(d, map_averror(ret), "%s: bad codec parameters: %s", d->path, AVERR(ret));
    /* Absurd sizes claimed by a header are refused before anything is
     * allocated for them (FFmpeg checks every picture against max_pixels). */
    if (par->width > 0 && par->height > 0 && (int64_t)par->width * par->height > d->s.max_pixels)
        return fail(d, KZV_EUNSUPPORTED, "%s: picture size %dx%d is over the limit of %" PRId64 " pixels",
                    d->path, par->width, par->height, d->s.max_pixels);
    d->dec->max_pixels = d->s.max_pixels;
    d->dec->pkt_timebase = d->st->time_base;
    d->dec->thread_count = d->s.threads > 0 ? d->s.threads : 0;   /* 0 = FFmpeg picks per core */
    d->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    ret = kzv_hw_setup(&d->hw, d->dec, codec, d->s.hwaccel, &d->log);
    if (ret == KZV_EINVAL)
        return fail(d, KZV_EINVAL, "%s: unknown hwaccel '%s' (kzv probe --hwaccel lists them)",
                    d->path, d->s.hwaccel);
    if (ret < 0)
        return fail(d, ret, "%s: out of memory", d->path);
    ret = avcodec_open2(d->dec, codec, NULL);
    if (ret < 0) {
        int code = map_averror(ret);
        if (code == KZV_EINVALIDDATA || code == KZV_EINVAL)
            code = KZV_EUNSUPPORTED;
        return fail(d, code, "%s: cannot open %s decoder: %s", d->path, codec->name, AVERR(ret));
    }
    snprintf(d->codec_name, sizeof(d->codec_name), "%s", avcodec_get_name(par->codec_id));
    snprintf(d->decoder_name, sizeof(d->decoder_name), "%s", codec->name);
    return KZV_OK;
}

static int display_rotation(const AVStream *st)
{
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
    int cw = (int)lround(-ccw) % 360;
    return cw < 0 ? cw + 360 : cw;
}

/* Build the frame index once (a separate demux-only pass over the file). */
static int ensure_index(kzv_decoder *d)
{
    if (d->have_index)
        return KZV_OK;
    char msg[512] = "";
    AVFormatContext *fmt = NULL;
    int ret = open_input(d, &fmt);
    if (ret < 0)
        return fail(d, ret == AVERROR_EXIT ? io_exit_code(d) : KZV_EIO,
                    "%s: cannot reopen for indexing: %s", d->path, AVERR(ret));
    atomic_store(&d->io_deadline, 0);   /* a scan is many reads: the timeout is per read */
    int err = kzv_index_scan(&d->index, fmt, d->st->index, msg, sizeof(msg));
    kzv_input_close(&fmt);
    if (err == KZV_ECANCELED)
        err = io_exit_code(d);
    if (err < 0)
        return fail(d, err, "%s", msg);
    d->have_index = true;
    /* Without container pts, the decoder's timestamps trail the packets'
     * decode timestamps by its reorder delay; align the index with what
     * frames actually carry, using the first frame as the reference. */
    if (d->index.no_pts && d->first_pts_ts != AV_NOPTS_VALUE && d->index.e[0].pts_ts != d->first_pts_ts)
        kzv_index_shift(&d->index, kzv_sat_sub(d->first_pts_ts, d->index.e[0].pts_ts),
                        d->st->time_base.num, d->st->time_base.den);
    if (d->index.n > 0)
        d->info.total_frames = d->index.n;
    return KZV_OK;
}

static void fill_info(kzv_decoder *d)
{
    kzv_video_info *in = &d->info;
    const AVStream *st = d->st;
    const AVFrame *f = d->held;
    AVRational fr = frame_rate_of(d);

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
        in->duration = ts_to_sec(st->duration, st->time_base);
    else if (d->fmt->duration != AV_NOPTS_VALUE && d->fmt->duration > 0)
        in->duration = (double)d->fmt->duration / AV_TIME_BASE;
    int64_t start = f->best_effort_timestamp;
    in->start_time = start != AV_NOPTS_VALUE ? ts_to_sec(start, st->time_base) : 0.0;
    in->time_base = (kzv_rational){ st->time_base.num, st->time_base.den };
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
    in->bit_depth = desc ? desc->comp[0].depth : 8;
    kzv_color_resolve(f, &in->color);
    in->rotation = display_rotation(st);
    in->stream_index = st->index;
    in->bit_rate = st->codecpar->bit_rate > 0 ? st->codecpar->bit_rate : d->fmt->bit_rate;
    AVRational sar = f->sample_aspect_ratio.num > 0 ? f->sample_aspect_ratio : st->sample_aspect_ratio;
    in->sample_aspect_ratio = sar.num > 0 ? (kzv_rational){ sar.num, sar.den } : (kzv_rational){ 0, 1 };
    in->format = d->s.format;
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

    ret = open_input(d, &d->fmt);
    if (ret == AVERROR_EXIT)
        return fail(d, io_exit_code(d), "%s: cannot open: %s", d->path,
                    io_exit_code(d) == KZV_ECANCELED ? "interrupted" : "timed out");
    if (ret < 0) {
        int code = map_averror(ret);
        /* A demuxer's EIO on a file we can read (or a memory buffer) means a
         * damaged header (a cut Matroska header, say), not a failing disk. */
        if (code == KZV_EOF || (code == KZV_EIO && (d->src.mem || kzv_input_is_local(d->path))))
            code = KZV_EINVALIDDATA;
        const char *why = code == KZV_EINVALIDDATA ? " (not a media file, or its headers are damaged)" : "";
        return fail(d, code, "%s: cannot open: %s%s", d->path, AVERR(ret), why);
    }
    arm_io(d);
    ret = find_stream_info(d);
    if (ret < 0)
        kzv_log(&d->log, KZV_LOG_WARNING, "%s: could not read stream parameters: %s", d->path, AVERR(ret));
    if ((ret = pick_stream(d)) < 0 || (ret = open_codec(d)) < 0)
        return ret;

    d->pkt = av_packet_alloc();
    d->held = av_frame_alloc();
    d->scratch = av_frame_alloc();
    if (!d->pkt || !d->held || !d->scratch)
        return fail(d, KZV_ENOMEM, "%s: out of memory", d->path);

    /* Decode the first picture now: real size, colour tags and start time. */
    ret = decode_one(d, d->held);
    if (ret == AVERROR_EOF)
        return fail(d, KZV_EINVALIDDATA, "%s: no decodable video frame (%" PRId64 " packets read, "
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

    if (d->s.count_frames && ensure_index(d) < 0) {
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
    if (s.max_pixels == 0)
        s.max_pixels = DEFAULT_MAX_PIXELS;
    if ((s.format != KZV_PIXFMT_NONE && s.format != KZV_PIXFMT_YUV_AUTO && kzv_pixfmt_planes(s.format) == 0) || s.threads < 0 || s.io_timeout_ns < 0 || s.max_pixels < 0) {
        snprintf(t_open_error, sizeof(t_open_error), "%s: invalid settings (format %d, threads %d)",
                 path, (int)s.format, s.threads);
        return KZV_EINVAL;
    }

    kzv_decoder *d = calloc(1, sizeof(*d));
    if (!d || !(d->path = strdup(path))) {
        free(d);
        snprintf(t_open_error, sizeof(t_open_error), "%s: out of memory", path);
        return KZV_ENOMEM;
    }
    d->s = s;
    d->log = (kzv_logger){ s.log_fn, s.log_user };
    d->conv.threads = s.threads;
    d->src = (kzv_source){ .path = d->path, .mem = mem, .mem_size = mem_size };
    atomic_init(&d->interrupted, false);
    atomic_init(&d->io_deadline, 0);
    d->cur_fmt = AV_PIX_FMT_NONE;
    d->last_pts_ts = AV_NOPTS_VALUE;
    d->skip_before = AV_NOPTS_VALUE;
    d->drop_before_dts = AV_NOPTS_VALUE;

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

/* ---- seeking ----------------------------------------------------------- */

int kzv_decoder_get_index(kzv_decoder *d, const kzv_index_entry **entries, int64_t *count)
{
    if (!d || !entries || !count)
        return KZV_EINVAL;
    int err = ensure_index(d);
    if (err < 0)
        return err;
    *entries = d->index.e;
    *count = d->index.n;
    return KZV_OK;
}

/* Forget everything decoded so far (after av_seek_frame). */
static void reset_decode_state(kzv_decoder *d)
{
    avcodec_flush_buffers(d->dec);
    av_frame_unref(d->held);
    av_frame_unref(d->scratch);
    d->have_held = false;
    d->demux_done = false;
    d->codec_done = false;
    d->pending_error = 0;
    d->last_pts_ts = AV_NOPTS_VALUE;
    d->last_dur_ts = 0;
    d->drop_before_dts = AV_NOPTS_VALUE;
}

/* Keyframe (decode order) to start from for a frame displayed at pts t:
 * the last one whose pts is <= t; -1 if none (an MP4 edit list can start
 * the display before its first random-access point: decode from the start). */
static int64_t keyframe_for(const kzv_index *idx, int64_t t)
{
    int64_t lo = 0, hi = idx->nkf;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (idx->kf[mid].pts <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* Decode forward, dropping (not converting) frames before pts t, until the
 * frame at or after t is held. `first_check`: fail with KZV_EAGAIN when the
 * first frame decoded is already past t (the seek landed too late). */
static int skip_to_inner(kzv_decoder *d, int64_t t, bool first_check)
{
    for (bool first = true;; first = false) {
        int r = decode_one(d, d->held);
        if (r == AVERROR_EOF)
            return KZV_EOF;
        if (r < 0)
            return r;
        int64_t pts = d->held->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE || pts < t) {
            av_frame_unref(d->held);
            continue;
        }
        if (first && first_check && pts > t) {
            av_frame_unref(d->held);
            return KZV_EAGAIN;
        }
        d->have_held = true;
        return KZV_OK;
    }
}

static int skip_to(kzv_decoder *d, int64_t t, bool first_check)
{
    d->skip_before = t;
    int r = skip_to_inner(d, t, first_check);
    d->skip_before = AV_NOPTS_VALUE;
    return r;
}

/* Back to the first packet of the file. Stream -1: the mov demuxer of
 * FFmpeg 5.1 reads nothing after a per-stream INT64_MIN seek. Raw elementary
 * streams (.h264, .hevc) have no time index at all: byte 0 is their start. */
static int seek_to_start(kzv_decoder *d)
{
    arm_io(d);
    int ret = avformat_seek_file(d->fmt, -1, INT64_MIN, INT64_MIN, INT64_MIN, 0);
    if (ret < 0 && !(d->fmt->iformat->flags & AVFMT_NO_BYTE_SEEK) &&
        av_seek_frame(d->fmt, -1, 0, AVSEEK_FLAG_BYTE) >= 0)
        ret = 0;
    return ret;
}

/* Streams without container timestamps (AVI, raw elementary streams): the
 * decoder's guessed timestamps after a seek differ from those of a decode
 * from the start, so a frame can only be identified by counting. Go forward
 * by counting from where we are, or restart from the beginning: slow but
 * exact, and only for these streams. */
static int seek_by_count(kzv_decoder *d, int64_t target)
{
    if (!(d->have_held && d->next_index <= target)) {
        int ret = seek_to_start(d);
        if (ret < 0)
            return fail(d, KZV_EIO, "%s: cannot seek to the start: %s", d->path, AVERR(ret));
        reset_decode_state(d);
        d->next_index = 0;
        int r = decode_one(d, d->held);
        if (r < 0)
            return r == AVERROR_EOF ? fail(d, KZV_EINVALIDDATA, "%s: no frame after seeking", d->path) : r;
        d->have_held = true;
    }
    while (d->next_index < target) {
        /* Keep the timestamp chain of sequential decoding for the frame we
         * drop: its duration is what the next synthesized pts builds on. */
        int r = decode_one(d, d->scratch);
        if (r < 0) {
            av_frame_unref(d->held);
            d->have_held = false;
            return r == AVERROR_EOF ? fail(d, KZV_EINVALIDDATA, "%s: frame %" PRId64 " could not be decoded",
                                           d->path, target) : r;
        }
        int64_t pts = d->held->best_effort_timestamp, next = d->scratch->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE)
            pts = d->last_pts_ts != AV_NOPTS_VALUE ? kzv_sat_add(d->last_pts_ts, d->last_dur_ts) : 0;
        d->last_dur_ts = next != AV_NOPTS_VALUE && next > pts ? kzv_sat_sub(next, pts) : d->last_dur_ts;
        d->last_pts_ts = pts;
        av_frame_unref(d->held);
        AVFrame *t = d->held;
        d->held = d->scratch;
        d->scratch = t;
        d->next_index++;
    }
    return KZV_OK;
}

static int seek_to_entry(kzv_decoder *d, int64_t target)
{
    const kzv_index *idx = &d->index;
    if (idx->no_pts)
        return seek_by_count(d, target);
    int64_t t = idx->e[target].pts_ts;
    int64_t kfi = keyframe_for(idx, t);

    /* Going forward within reach: the frame we hold is at or before the
     * target and no later keyframe lies in between, so decoding on is
     * cheaper than seeking back to the same keyframe. */
    if (d->have_held && d->held->best_effort_timestamp != AV_NOPTS_VALUE &&
        d->held->best_effort_timestamp <= t && (kfi < 0 || idx->kf[kfi].pts <= d->held->best_effort_timestamp)) {
        if (d->held->best_effort_timestamp < t) {
            av_frame_unref(d->held);
            d->have_held = false;
            int r = skip_to(d, t, false);
            if (r < 0)
                return r == KZV_EOF ? fail(d, KZV_EINVALIDDATA, "%s: frame %" PRId64 " could not be decoded",
                                           d->path, target) : r;
        }
    } else {
        /* Seek to the keyframe; if the demuxer lands after the target (an
         * imprecise container index), back off one keyframe and retry; last
         * resort: the start of the file. No keyframe at or before the target
         * (an edit list that starts the display before the first one): the
         * first keyframe with AVSEEK_FLAG_BACKWARD, which lands on the
         * packets the edit list hides (the generic start-of-file seek below
         * leaves the mov demuxer at its end in FFmpeg 5.1). */
        /* Before the first keyframe, the packets ahead of it are part of what
         * sequential decoding sees: keep them (no drop_before_dts). */
        bool before_first = kfi < 0;
        if (kfi < 0 && idx->nkf > 0)
            kfi = 0;
        for (int attempt = 0;; attempt++) {
            int ret;
            arm_io(d);
            if (idx->nkf == 0 || kfi < 0 || attempt >= 4)
                ret = seek_to_start(d);
            else
                ret = av_seek_frame(d->fmt, d->st->index, idx->kf[kfi].seek_ts, AVSEEK_FLAG_BACKWARD);
            if (ret < 0 && attempt < 4) {
                kfi--;
                continue;
            }
            if (ret < 0)
                return fail(d, KZV_EIO, "%s: cannot seek: %s", d->path, AVERR(ret));
            reset_decode_state(d);
            if (idx->nkf > 0 && kfi >= 0 && attempt < 4 && !before_first)
                d->drop_before_dts = idx->kf[kfi].dts;
            int r = skip_to(d, t, attempt < 4);
            if (r == KZV_OK)
                break;
            if (r == KZV_EAGAIN || (r == KZV_EOF && attempt < 4)) {
                kfi--;
                continue;
            }
            if (r == KZV_EOF)
                return fail(d, KZV_EINVALIDDATA, "%s: frame %" PRId64 " could not be decoded", d->path, target);
            return r;
        }
    }
    /* The frame held now is the target (or, if the target itself could not be
     * decoded, the next one): its true display position comes from the index. */
    int64_t at = kzv_index_find_pts(idx, d->held->best_effort_timestamp);
    d->next_index = at >= 0 ? at : target;
    return KZV_OK;
}

/* Make the decoder report EOF from now on (seek past the end). */
static int seek_past_end(kzv_decoder *d)
{
    reset_decode_state(d);
    d->codec_done = true;
    d->next_index = d->index.n;
    return KZV_EOF;
}

int kzv_decoder_seek_frame(kzv_decoder *d, int64_t frame_index)
{
    if (!d || frame_index < 0)
        return KZV_EINVAL;
    int err = ensure_index(d);
    if (err < 0)
        return err;
    if (frame_index >= d->index.n)
        return seek_past_end(d);
    return seek_to_entry(d, frame_index);
}

/* Display index of the frame shown at `seconds`; KZV_EOF past the end. */
static int index_at_time(kzv_decoder *d, double seconds, int64_t *target)
{
    int err = ensure_index(d);
    if (err < 0)
        return err;
    const kzv_index *idx = &d->index;
    if (idx->n == 0)
        return KZV_EOF;
    /* Search in seconds, computed exactly as frame pts are, so that a pts the
     * caller got from a frame finds that very frame. */
    int64_t lo = 0, hi = idx->n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (idx->e[mid].pts <= seconds)
            lo = mid + 1;
        else
            hi = mid;
    }
    const kzv_index_entry *last = &idx->e[idx->n - 1];
    if (seconds >= last->pts + last->duration && last->duration > 0)
        return KZV_EOF;
    *target = lo > 0 ? lo - 1 : 0;
    return KZV_OK;
}

int kzv_decoder_frame_at(kzv_decoder *d, double seconds, int64_t *frame_index)
{
    if (!d || !frame_index || seconds != seconds)
        return KZV_EINVAL;
    return index_at_time(d, seconds, frame_index);
}

int kzv_decoder_seek(kzv_decoder *d, double seconds, kzv_seek_mode mode)
{
    if (!d || seconds != seconds || (mode != KZV_SEEK_EXACT && mode != KZV_SEEK_KEYFRAME))
        return KZV_EINVAL;
    int64_t target = 0;
    int err = index_at_time(d, seconds, &target);
    if (err == KZV_EOF)
        return seek_past_end(d);
    if (err < 0)
        return err;
    const kzv_index *idx = &d->index;
    if (mode == KZV_SEEK_KEYFRAME && idx->nkf > 0) {
        /* No keyframe at or before t: the first frame (decoding starts there). */
        int64_t kfi = keyframe_for(idx, idx->e[target].pts_ts);
        int64_t k = kfi >= 0 ? kzv_index_find_pts(idx, idx->kf[kfi].pts) : 0;
        target = k >= 0 ? k : 0;
    }
    return seek_to_entry(d, target);
}

/* ---- batches ------------------------------------------------------------ */

typedef struct batch_item { int64_t index; size_t slot; } batch_item;

static int by_index(const void *a, const void *b)
{
    const batch_item *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Decode each distinct index once, in ascending order, so that a group of
 * pictures is decoded once for all the frames wanted from it. */
static int get_sorted(kzv_decoder *d, batch_item *items, size_t n, kzv_frame **out)
{
    qsort(items, n, sizeof(*items), by_index);
    int err = KZV_OK;
    kzv_frame *prev = NULL;
    for (size_t i = 0; i < n && err == KZV_OK; i++) {
        if (i > 0 && items[i].index == items[i - 1].index) {
            out[items[i].slot] = kzv_frame_ref(prev);
            continue;
        }
        err = kzv_decoder_seek_frame(d, items[i].index);
        if (err == KZV_OK)
            err = kzv_decoder_next(d, &out[items[i].slot]);
        if (err == KZV_EOF)
            err = fail(d, KZV_EINVALIDDATA, "%s: frame %" PRId64 " could not be decoded", d->path, items[i].index);
        prev = out[items[i].slot];
    }
    if (err != KZV_OK)
        for (size_t i = 0; i < n; i++)
            kzv_frame_unref(&out[items[i].slot]);
    return err;
}

int kzv_decoder_get_frames(kzv_decoder *d, const int64_t *indices, size_t n, kzv_frame **out)
{
    if (!d || (n && (!indices || !out)))
        return KZV_EINVAL;
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    int err = ensure_index(d);
    if (err < 0)
        return err;
    batch_item *items = malloc(sizeof(*items) * (n ? n : 1));
    if (!items)
        return KZV_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (indices[i] < 0 || indices[i] >= d->index.n) {
            free(items);
            return fail(d, KZV_EINVAL, "%s: frame %" PRId64 " does not exist (%" PRId64 " frames)",
                        d->path, indices[i], d->index.n);
        }
        items[i] = (batch_item){ indices[i], i };
    }
    err = get_sorted(d, items, n, out);
    free(items);
    return err;
}

int kzv_decoder_get_frames_at(kzv_decoder *d, const double *seconds, size_t n, kzv_frame **out)
{
    if (!d || (n && (!seconds || !out)))
        return KZV_EINVAL;
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    batch_item *items = malloc(sizeof(*items) * (n ? n : 1));
    if (!items)
        return KZV_ENOMEM;
    int err = KZV_OK;
    for (size_t i = 0; i < n && err == KZV_OK; i++) {
        items[i].slot = i;
        err = seconds[i] != seconds[i] ? KZV_EINVAL : index_at_time(d, seconds[i], &items[i].index);
    }
    if (err == KZV_OK)
        err = get_sorted(d, items, n, out);
    free(items);
    return err;
}

int kzv_decoder_get_range(kzv_decoder *d, int64_t start, int64_t end, int64_t step,
                          kzv_frame **out, size_t *n_out)
{
    if (n_out)
        *n_out = 0;
    if (!d || !out || !n_out || start < 0 || step < 1 || start >= end)
        return KZV_EINVAL;
    int err = ensure_index(d);
    if (err < 0)
        return err;
    if (end > d->index.n)
        end = d->index.n;
    if (start >= end)
        return KZV_OK;
    size_t n = (size_t)((end - start + step - 1) / step);
    int64_t *indices = malloc(sizeof(*indices) * n);
    if (!indices)
        return KZV_ENOMEM;
    for (size_t i = 0; i < n; i++)
        indices[i] = start + (int64_t)i * step;
    err = kzv_decoder_get_frames(d, indices, n, out);
    free(indices);
    if (err == KZV_OK)
        *n_out = n;
    return err;
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
    kzv_converter_uninit(&d->conv);
    kzv_index_free(&d->index);
    av_buffer_pool_uninit(&d->pool);
    av_frame_free(&d->held);
    av_frame_free(&d->scratch);
    av_packet_free(&d->pkt);
    avcodec_free_context(&d->dec);
    kzv_hw_uninit(&d->hw);
    kzv_input_close(&d->fmt);
    free(d->path);
    free(d);
}
