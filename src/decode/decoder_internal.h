/* Internal side of kzv_decoder, shared by the files that implement it:
 *   decoder_open.c    settings, open (input, stream choice, codec, stream
 *                     description), accessors, close
 *   decoder_read.c    demux + decode, frame output and timing (kzv_decoder_next)
 *   decoder_seek.c    the index on demand, seeking, batches and ranges
 *   decoder_cursor.c  parked decoding positions for random access
 *   decoder_errors.c  FFmpeg codes → KZV codes, the message, and the I/O
 *                     deadline and interrupt that make a blocked read fail
 *
 * The decoder keeps one decoded frame "held" ahead of the one it returns: the
 * next frame's timestamp is what makes a frame's duration exact on variable
 * frame rate streams. The first frame is decoded during open, so the stream
 * description (size, colour tags, start time) comes from real decoded data
 * rather than container guesses, and a file with no decodable picture fails
 * at open with a clear message. */
#ifndef KZV_SRC_DECODE_DECODER_INTERNAL_H
#define KZV_SRC_DECODE_DECODER_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "kzv/decoder.h"
#include "convert/convert.h"
#include "core/log.h"
#include "decode/frame_cache.h"
#include "decode/hwaccel.h"
#include "decode/index.h"
#include "decode/input.h"

/* A parked decoding position (decoder_cursor.c): the fields of kzv_decoder
 * below that move with the codec, swapped in when the position is used. */
typedef struct kzv_dec_cursor {
    AVFormatContext *fmt;
    AVStream *st;
    AVCodecContext *dec;
    AVFrame *held, *scratch;
    bool have_held, demux_done, codec_done;
    int pending_error;
    int cur_w, cur_h, cur_fmt;
    int64_t last_pts_ts, last_dur_ts, next_index, drop_before_dts;
    uint64_t used;          /* access_clock of its last use */
} kzv_dec_cursor;

#define KZV_PARK_MAX 3

struct kzv_decoder {
    kzv_logger log;
    kzv_decoder_settings s;         /* s.format YUV_AUTO is replaced by what it resolves to at open */
    char *path;
    kzv_source src;
    atomic_bool interrupted;        /* kzv_decoder_interrupt() */
    _Atomic int64_t io_deadline;    /* av_gettime_relative() limit of the current I/O; 0 = none */

    AVFormatContext *fmt;
    AVCodecContext *dec;
    int disposable;         /* how packets split into NAL units for kzv_disposable_packet() */
    struct AVBSFContext *unpack;  /* packed MPEG-4 B-frames (unpack.c); NULL for other streams */
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

    int rotate_cw;          /* settings.autorotate: degrees each frame is turned (0: none) */
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

    kzv_fcache cache;       /* recently returned frames, kept once cache_on */
    bool cache_on;          /* set by the first access that goes back */
    int64_t serve;          /* >= 0: next() returns this index from the cache (or,
                               when it is not there, moves the codec to it first);
                               -1: next() continues from the codec */

    /* Parked decoding positions (decoder_cursor.c); the active one is the
     * fmt/dec/held/... of this struct. */
    kzv_dec_cursor park[KZV_PARK_MAX];
    int nparked;
    bool cursors_off;       /* unsupported here, or one failed to open */
    uint64_t access_clock, active_used;
    int64_t recent_gops[8]; /* keyframe pts of the groups of pictures accessed last */
    unsigned nrecent;
    AVCodecParameters *par0;/* what the first codec was opened with */

    kzv_index index;        /* built on demand (count_frames, get_index, seeks) */
    bool have_index;

    kzv_video_info info;
    struct kzv_dec_stream *streams; /* every container stream (streams.c) */
    int nb_streams;
    kzv_decoder_stats stats;
    char codec_name[64], decoder_name[64], container[128], pix_fmt[64];
    char err[1024];
};

/* ---- unpack.c ------------------------------------------------------------ */

struct AVBSFContext;
/* The packet filter stream `st` needs before its decoder (*bsf NULL when
 * none). 0 or an AVERROR. */
int kzv_unpack_open(struct AVBSFContext **bsf, const AVStream *st);
/* Pass pkt through bsf, in place: 0 with the packet to decode, AVERROR(EAGAIN)
 * when the filter wants another one first (pkt is then empty), or an error. */
int kzv_unpack_filter(struct AVBSFContext *bsf, AVPacket *pkt);

/* ---- decoder_errors.c ---------------------------------------------------- */

/* The KZV status for an FFmpeg error code. */
int kzv_dec_status(int averror);

/* Keep a message (printf-style) as the decoder's last error and return `code`. */
__attribute__((format(printf, 3, 4)))
int kzv_dec_fail(kzv_decoder *d, int code, const char *fmt, ...);

/* FFmpeg's text for an error code, in `buf`; AVERR(e) gives one in a
 * temporary buffer for a single message. */
const char *kzv_dec_averr(int averror, char *buf, size_t n);
#define AVERR(e) kzv_dec_averr((e), (char[AV_ERROR_MAX_STRING_SIZE]){ 0 }, AV_ERROR_MAX_STRING_SIZE)

/* FFmpeg's interrupt callback (opaque = the decoder): true once the decoder
 * was interrupted or the current I/O deadline has passed. */
int kzv_dec_interrupted(void *decoder);
/* Start the clock for one blocking operation (settings.io_timeout_ns). */
void kzv_dec_arm_io(kzv_decoder *d);
/* Why an operation came back with AVERROR_EXIT: KZV_ECANCELED or KZV_ETIMEDOUT. */
int kzv_dec_io_exit_code(kzv_decoder *d);
/* Open the decoder's source (d->src) with its interrupt callback installed. */
int kzv_dec_open_input(kzv_decoder *d, AVFormatContext **fmt);

/* ---- decoder_read.c ------------------------------------------------------ */

/* Decode the next frame (decoder output order = display order) into `out`.
 * Returns 0, AVERROR_EOF when fully drained, or a negative KZV code. */
int kzv_dec_decode_one(kzv_decoder *d, AVFrame *out);
/* The stream's frame rate (container's average, then real base rate, then
 * the codec's); {0, 1} when unknown. */
AVRational kzv_dec_frame_rate(const kzv_decoder *d);
/* A decoded frame's own duration (0 when unknown). */
int64_t kzv_dec_own_duration(const AVFrame *f);

/* Seconds of a timestamp in `tb`; 0 for AV_NOPTS_VALUE. */
static inline double kzv_dec_seconds(int64_t ts, AVRational tb)
{
    return ts == AV_NOPTS_VALUE ? 0.0 : (double)ts * tb.num / tb.den;
}

/* A decoded picture's interlacing: two fields, which is shown first, and
 * how many fields to repeat (FFmpeg's repeat_pict, clamped to 0..255). */
static inline void kzv_dec_fields(const AVFrame *f, bool *interlaced, bool *tff, uint8_t *repeat)
{
#ifdef AV_FRAME_FLAG_INTERLACED
    *interlaced = (f->flags & AV_FRAME_FLAG_INTERLACED) != 0;
    *tff = *interlaced && (f->flags & AV_FRAME_FLAG_TOP_FIELD_FIRST) != 0;
#else
    *interlaced = f->interlaced_frame != 0;
    *tff = *interlaced && f->top_field_first != 0;
#endif
    *repeat = f->repeat_pict <= 0 ? 0 : f->repeat_pict > 255 ? 255 : (uint8_t)f->repeat_pict;
}

/* ---- streams.c ----------------------------------------------------------- */

/* Describe every container stream (d->streams); KZV_ENOMEM on failure. */
int kzv_dec_describe_streams(kzv_decoder *d);
void kzv_dec_free_streams(kzv_decoder *d);

/* ---- decoder_cursor.c ---------------------------------------------------- */

/* Before an exact access to pts t, whose group of pictures spans pts
 * [gop_start, gop_end) (INT64_MIN / INT64_MAX when open-ended): make the
 * position that should answer it the active one (see decoder_cursor.c).
 * Never fails; it only changes which position decodes. */
void kzv_dec_pick_cursor(kzv_decoder *d, int64_t t, int64_t gop_start, int64_t gop_end);
/* Close every parked position. */
void kzv_dec_cursors_free(kzv_decoder *d);

/* ---- decoder_seek.c ------------------------------------------------------ */

/* Build the frame index once (a separate demux-only pass over the file). */
int kzv_dec_ensure_index(kzv_decoder *d);
/* next() after the cache ran out at d->serve: the codec goes to that frame
 * (decoding on when it is just ahead) and d->serve becomes -1. KZV_OK,
 * KZV_EOF past the last frame, or an error. */
int kzv_dec_resume(kzv_decoder *d);

#endif
