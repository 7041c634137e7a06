/*
 * kzv — the video decoder.
 *
 * Lifecycle:
 *
 *     kzv_decoder_settings s;
 *     kzv_decoder_default_settings(&s);      // then change what you need
 *     kzv_decoder *d = NULL;
 *     int err = kzv_decoder_open(&d, "episode01.mkv", &s);   // or NULL settings
 *     if (err < 0) { fprintf(stderr, "%s\n", kzv_decoder_last_error(NULL)); … }
 *     const kzv_video_info *info = kzv_decoder_info(d);
 *     kzv_frame *f = NULL;
 *     while ((err = kzv_decoder_next(d, &f)) == KZV_OK) {
 *         … use f->data[0], f->pts, f->frame_index …
 *         kzv_frame_unref(&f);
 *     }
 *     // err is KZV_EOF at the normal end, negative KZV_E* otherwise
 *     kzv_decoder_close(&d);
 *
 * Frames come out in display order, numbered 0, 1, 2 … (frame_index), with the
 * stream's own timestamps (the codec's best-effort timestamp in the stream's
 * time base; variable frame rate is never resampled). Each frame's duration is
 * the distance to the next frame's pts when both are known, else the
 * container's per-frame duration, else 1/fps.
 *
 * Colours: YUV is converted with the stream's tagged matrix and range; an
 * untagged stream is BT.709 when its height is above 576 lines, else BT.601,
 * and limited range. YUV output keeps the source's matrix and range (only the
 * layout and depth change; frame.color describes it).
 *
 * Passthrough: when the decoded picture already has the requested layout (a
 * YUV format equal to what the codec produces, e.g. yuv420p10 from 10-bit
 * HEVC, or any source with KZV_PIXFMT_YUV_AUTO) and the size is not being
 * changed, no pixel is converted or copied: the frame references the codec's
 * own picture buffers, with the codec's strides, and keeps them alive until
 * its last kzv_frame_unref() (also after kzv_decoder_close()). Other
 * conversions go through libswscale with the flags in src/convert/convert.c
 * (bicubic, accurate rounding).
 *
 * Errors: kzv_decoder_open() fails with KZV_ENOENT (no such file), KZV_EIO
 * (cannot read it), KZV_EINVALIDDATA (empty, not a media file, corrupt
 * headers), KZV_ENOVIDEO (no video stream), KZV_EUNSUPPORTED (no decoder for
 * the codec). A corrupt packet in the middle of a stream is logged, counted in
 * kzv_decoder_stats.corrupt_packets and skipped, and decoding goes on; with
 * `strict` set, kzv_decoder_next() returns KZV_EINVALIDDATA instead.
 *
 * Safety: a file name or memory buffer is read through kzv's own I/O, and the
 * demuxer may not open anything else from there (a hostile HLS/concat
 * playlist or MOV data reference cannot make kzv read other local files or
 * reach the network). Pass a URL (e.g. "file:" or "https:") to get FFmpeg's
 * protocols, with nested resources, instead.
 *
 * Thread-safety: a kzv_decoder is not thread-safe: call its functions from one
 * thread at a time (it may move between threads); kzv_decoder_interrupt() is
 * the exception and may be called from any thread. Different decoders are
 * independent. Frames it returns are independent of it (see frame.h).
 */
#ifndef KZV_DECODER_H
#define KZV_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/common.h"
#include "kzv/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kzv_decoder kzv_decoder;

/** Settings of kzv_decoder_open(); plain data, copied at open. Fixed size
 *  (see "Room to grow" in common.h): start from kzv_decoder_default_settings(). */
typedef struct kzv_decoder_settings {
    kzv_pixfmt format;     /**< output pixel format (default KZV_PIXFMT_RGB24);
                                KZV_PIXFMT_NONE: frames carry timing, size and colour
                                but no pixels, and no conversion is done;
                                KZV_PIXFMT_YUV_AUTO: the YUV layout the codec decodes,
                                settled on the first frame at open (info.format says
                                which) and kept for the whole stream */
    int threads;           /**< decoding threads; 0 = one per core (default) */
    int stream_index;      /**< container stream to decode; -1 = the best video stream */
    bool strict;           /**< fail on the first corrupt packet or damaged frame instead
                                of skipping it; damage the codec conceals is only seen
                                reliably with threads = 1 (see corrupt_frames) */
    bool keep_first_size;  /**< after a mid-stream resolution change, scale frames
                                to the first frame's size instead of passing the new size */
    bool count_frames;     /**< at open, count the frames with a demux-only scan so
                                that info.total_frames is exact (costs one read of the file) */
    const char *hwaccel;   /**< hardware decoding: NULL or "none" (default), "auto", or a
                                device type ("cuda", "vaapi", "vulkan", …; see hwaccel.h).
                                Falls back to software, logged, when unavailable. The
                                string is copied at open. */
    int64_t max_pixels;    /**< refuse pictures larger than this many pixels (width ×
                                height) before allocating anything for them; 0 = the
                                default, 8192 × 8192 (67 Mpixels) */
    int64_t io_timeout_ns; /**< a read that makes no progress for this long fails with
                                KZV_ETIMEDOUT (a stalled pipe or network peer); 0 = no
                                limit (default). kzv_decoder_interrupt() works either way. */
    kzv_log_fn log_fn;     /**< this decoder's log callback; NULL = the global one */
    void *log_user;        /**< passed to log_fn; the caller keeps ownership */
    const char *container; /**< the demuxer to use, by FFmpeg's short name ("mov",
                                "matroska", "avi", "mpegts", "mpeg", "flv", "h264",
                                "hevc", … as `ffmpeg -formats` lists them), instead of
                                probing the content; NULL (default) = probe. An unknown
                                name is refused with KZV_EINVAL. Copied at open (taken
                                from `reserved`: 0 = the old behaviour) */
    bool autorotate;       /**< turn every frame for display as the stream's display
                                matrix says (info.rotation: 90, 180 or 270 degrees
                                clockwise), as ffmpeg does by default; frames and
                                info.width/height then have the turned size. Costs one
                                copy of each frame (kzv_frame_alloc: not from the
                                pool). Other angles, and 4:2:2 output turned by 90 or
                                270 (which would become 4:4:0), are left as coded, with
                                a warning. false (default): the coded orientation. */
    uint8_t reserved[55];  /**< zero (kzv_decoder_default_settings() does it): fields
                                added later take their bytes from here and mean the old
                                behaviour when 0; non-zero is refused with KZV_EINVAL
                                (see "Room to grow" in common.h) */
} kzv_decoder_settings;

/** Fill *s with the defaults documented above. */
KZV_API void kzv_decoder_default_settings(kzv_decoder_settings *s);

/** Field order of an interlaced stream (FFmpeg's AVFieldOrder values):
 *  tt = top coded first, top displayed first; bb = bottom, bottom; tb = top
 *  coded first, bottom displayed first; bt = the reverse. */
typedef enum kzv_field_order {
    KZV_FIELD_UNKNOWN     = 0,
    KZV_FIELD_PROGRESSIVE = 1,
    KZV_FIELD_TT          = 2,
    KZV_FIELD_BB          = 3,
    KZV_FIELD_TB          = 4,
    KZV_FIELD_BT          = 5,
} kzv_field_order;

/** What the decoder knows about the stream after opening. Owned by the
 *  decoder and lent out by const pointer, so later versions append fields at
 *  the end (see "Room to grow" in common.h). */
typedef struct kzv_video_info {
    int width, height;          /**< coded picture size of the first frame */
    double fps;                 /**< frame_rate as a double; 0 when unknown */
    kzv_rational frame_rate;    /**< average frame rate (container's or codec's); {0,1} unknown */
    const char *codec;          /**< codec name, e.g. "h264", "hevc", "vp9", "av1" */
    const char *decoder;        /**< FFmpeg decoder in use, e.g. "h264", "libdav1d" */
    const char *hwaccel;        /**< hardware device type decoding it, or "none" */
    const char *container;      /**< demuxer name, e.g. "matroska,webm", "mov,mp4,m4a,3gp,3g2,mj2" */
    const char *pix_fmt;        /**< source pixel format, e.g. "yuv420p10le" */
    int64_t total_frames;       /**< exact frame count, or -1 when not known exactly
                                     (set when settings.count_frames was true) */
    int64_t header_frames;      /**< frame count the container header claims, -1 if none;
                                     may be wrong (edit lists, damaged files) */
    double duration;            /**< seconds; 0 when unknown */
    double start_time;          /**< pts of the first frame in seconds (may be non-zero or negative) */
    kzv_rational time_base;     /**< the stream's time base */
    int bit_depth;              /**< bits per component of the source (8, 10, 12 …) */
    kzv_color color;            /**< source colour description (see frame.h) */
    int rotation;               /**< degrees (0, 90, 180, 270 or other) to rotate the
                                     picture clockwise for display, from the display matrix */
    int stream_index;           /**< the container stream being decoded */
    int64_t bit_rate;           /**< bits per second, 0 when unknown */
    kzv_rational sample_aspect_ratio; /**< {0,1} when unknown */
    kzv_pixfmt format;          /**< pixel format of the frames this decoder returns:
                                     settings.format, or for KZV_PIXFMT_YUV_AUTO the
                                     concrete format it resolved to (e.g.
                                     KZV_PIXFMT_YUV420P10 for yuv420p10le) */
    kzv_field_order field_order; /**< field order the container/codec parameters
                                     declare (what ffprobe prints as field_order);
                                     KZV_FIELD_UNKNOWN when they do not say */
    bool interlaced;            /**< the first frame is interlaced (kzv_frame.interlaced;
                                     a stream may mix progressive and interlaced frames) */
    bool top_field_first;       /**< the first frame's kzv_frame.top_field_first */
    int display_rotation;       /**< the display matrix's rotation as ffprobe prints it
                                     (its side_data "rotation"): degrees counter-clockwise,
                                     -180..180; the opposite sign of `rotation`
                                     (ffprobe -90 is rotation 90) */
    double container_duration;  /**< the whole file's duration in seconds (ffprobe's
                                     format duration); 0 when unknown */
    double container_start_time;/**< the file's start time in seconds (format start_time) */
    int64_t container_bit_rate; /**< the file's bits per second (format bit_rate), 0 unknown */
} kzv_video_info;

/** Kind of a container stream (kzv_stream_info.type). */
typedef enum kzv_media_type {
    KZV_MEDIA_UNKNOWN    = 0,
    KZV_MEDIA_VIDEO      = 1,
    KZV_MEDIA_AUDIO      = 2,
    KZV_MEDIA_SUBTITLE   = 3,
    KZV_MEDIA_ATTACHMENT = 4, /**< fonts and other files carried by Matroska */
    KZV_MEDIA_DATA       = 5, /**< timed metadata, chapters as a stream, … */
} kzv_media_type;

/** One stream of the container, whatever its kind (kzv_decoder_stream()).
 *  Owned by the decoder and lent out by const pointer: later versions append
 *  fields at the end (see "Room to grow" in common.h). Strings are NULL when
 *  the container does not say. */
typedef struct kzv_stream_info {
    int index;                  /**< container stream index (settings.stream_index) */
    kzv_media_type type;
    const char *codec;          /**< codec name ("aac", "ass", "ttf", "h264" …) or NULL */
    const char *language;       /**< the "language" tag, e.g. "jpn" */
    const char *title;          /**< the "title" tag */
    kzv_rational time_base;
    double start_time;          /**< seconds; 0 when unknown */
    double duration;            /**< seconds; 0 when unknown */
    int64_t bit_rate;           /**< bits per second, 0 when unknown */
    int64_t header_frames;      /**< frames (or packets) the header claims, -1 if none */
    bool is_default;            /**< the "default" disposition */
    bool forced;                /**< the "forced" disposition (subtitles) */
    bool attached_pic;          /**< a cover image, not a video (attached picture) */
    bool decoded;               /**< the video stream this decoder decodes */
    int width, height;          /**< video: coded size from the container; else 0 */
    int sample_rate;            /**< audio: Hz; else 0 */
    int channels;               /**< audio: channel count; else 0 */
    const char *sample_fmt;     /**< audio: FFmpeg's sample format name ("fltp" …) */
    const char *channel_layout; /**< audio: "stereo", "5.1(side)" …, or NULL */
    const char *filename;       /**< attachment: the "filename" tag */
    const char *mimetype;       /**< attachment: the "mimetype" tag */
} kzv_stream_info;

/** Counters of a decoder (kzv_decoder_get_stats()); fixed size (see "Room to
 *  grow" in common.h). */
typedef struct kzv_decoder_stats {
    int64_t packets_read;     /**< video packets read from the container */
    int64_t frames_decoded;   /**< frames the codec produced */
    int64_t frames_output;    /**< frames returned by kzv_decoder_next() */
    int64_t corrupt_packets;  /**< packets the codec rejected; skipped */
    int64_t corrupt_frames;   /**< frames the codec flagged as damaged (delivered);
                                   exact with threads = 1, a lower bound with
                                   frame threads (FFmpeg's H.264 frame threads
                                   flag concealed pictures only sometimes) */
    int64_t size_changes;     /**< mid-stream changes of picture size or format */
    int64_t read_errors;      /**< container read errors skipped (resynced) */
    /* Where the calling thread's time went (monotonic clock, nanoseconds):
     * reading packets, in the codec (send + receive; with frame threads this
     * includes waiting for them), converting pixels. */
    int64_t demux_ns, decode_ns, convert_ns;
    /* Random access (seeks, batches, ranges): */
    int64_t seeks;            /**< times the demuxer was repositioned (back to a
                                   keyframe, or to the start); an access whose
                                   landing had to be retried counts each try */
    int64_t seeks_decoded_on; /**< exact accesses answered by decoding on from where
                                   the decoder was (the target ahead in the same
                                   group of pictures): no seek, nothing decoded twice */
    int64_t frames_from_cache;/**< frames kzv_decoder_next() returned from the cache of
                                   recently returned frames (kept once an access goes
                                   back; at most 16 frames and 96 MiB of pixels) */
    int64_t packets_skipped;  /**< packets of pictures displayed before a seek target that no
                                   picture refers to, left out of the codec (progressive
                                   H.264); the codec skips the others itself */
    uint8_t reserved[32];     /**< zero; counters added later take their bytes from here */
} kzv_decoder_stats;

/** One frame of the index, in display order (see kzv_decoder_get_index()).
 *  Frozen: callers index the array with its size compiled in, so it never
 *  gains a field (a new per-frame property would come through a new call). */
typedef struct kzv_index_entry {
    int64_t pts_ts;     /**< raw timestamp in the stream's time base */
    double pts;         /**< seconds */
    double duration;    /**< seconds to the next frame (last frame: its own duration) */
    int64_t pos;        /**< byte position of the frame's packet in the file, -1 unknown */
    int size;           /**< packet size in bytes */
    bool keyframe;      /**< a random-access point (decoding can start here) */
} kzv_index_entry;

/** How kzv_decoder_seek() lands. */
typedef enum kzv_seek_mode {
    KZV_SEEK_EXACT    = 0, /**< the frame displayed at t, pixels identical to sequential decoding */
    KZV_SEEK_KEYFRAME = 1, /**< the random-access point at or before t: fast, approximate */
} kzv_seek_mode;

/**
 * Open `path` and prepare its video stream for decoding.
 * @param out      receives the decoder; the caller owns it and must close it
 *                 with kzv_decoder_close(). Set to NULL on failure.
 * @param path     file name or any URL FFmpeg's protocols accept; not retained.
 * @param settings NULL for defaults; copied, not retained.
 * @return KZV_OK or a negative KZV_E* code; on failure the reason is in
 *         kzv_decoder_last_error(NULL) (this thread's last open failure).
 */
KZV_API int kzv_decoder_open(kzv_decoder **out, const char *path,
                             const kzv_decoder_settings *settings);

/**
 * Open a media file held in memory (same as kzv_decoder_open() otherwise).
 * @param data  the file's bytes; borrowed: must stay valid and unchanged
 *              until kzv_decoder_close().
 * @param name  used in messages and as a format hint (may be NULL).
 */
KZV_API int kzv_decoder_open_memory(kzv_decoder **out, const uint8_t *data, size_t size,
                                    const char *name, const kzv_decoder_settings *settings);

/**
 * Make the decoder's current and future reads fail with KZV_ECANCELED (a
 * blocked read returns within about 50 ms). Thread-safety: may be called from
 * any thread while another uses the decoder; this is the one exception to the
 * decoder's single-thread rule. Irreversible.
 */
KZV_API void kzv_decoder_interrupt(kzv_decoder *d);

/** Stream description; valid until the decoder is closed. Never NULL for an open decoder. */
KZV_API const kzv_video_info *kzv_decoder_info(const kzv_decoder *d);

/**
 * Decode the next frame in display order.
 * @param out receives a new reference owned by the caller (release it with
 *            kzv_frame_unref()); set to NULL unless KZV_OK is returned.
 * @return KZV_OK, KZV_EOF at the end of the stream (and on every call after),
 *         or a negative error (KZV_EIO, KZV_EINVALIDDATA in strict mode,
 *         KZV_ENOMEM); kzv_decoder_last_error(d) says more.
 */
KZV_API int kzv_decoder_next(kzv_decoder *d, kzv_frame **out);

/**
 * The frame index: every frame in display order, from a demux-only scan of
 * the file (no decoding). Built on the first call (or the first seek) and
 * kept; afterwards info.total_frames is exact.
 * @param entries receives a pointer owned by the decoder, valid until close.
 * @param count   receives the number of entries.
 * @return KZV_OK, or an error when the file cannot be scanned.
 */
KZV_API int kzv_decoder_get_index(kzv_decoder *d, const kzv_index_entry **entries, int64_t *count);

/**
 * Seek to `seconds` (stream time, as in kzv_frame.pts).
 * EXACT: the next kzv_decoder_next() returns the frame displayed at that time
 * (pts <= t < pts + duration; the first frame when t is before it) with its
 * true frame_index and the same pixels sequential decoding gives; KZV_EOF when
 * t is past the last frame's end. A t at most half a microsecond (or half a
 * tick of the stream's time base, when that is less) before a frame's pts
 * counts as that pts, so a pts printed rounded to microseconds (28/30 s as
 * 0.933333) still selects its own frame; the same holds for
 * kzv_decoder_frame_at(), kzv_decoder_get_frames_at() and the processor's
 * start_time. KEYFRAME: the next frame is the
 * random-access point at or before t. After a seek, kzv_decoder_next() goes on
 * in display order. Builds the index on first use.
 * @return KZV_OK, KZV_EOF (past the end), KZV_EINVAL, or a decode error.
 */
KZV_API int kzv_decoder_seek(kzv_decoder *d, double seconds, kzv_seek_mode mode);

/**
 * Seek so that the next kzv_decoder_next() returns frame `frame_index`
 * (display order, 0-based), exactly. KZV_EOF when it is >= the frame count.
 */
KZV_API int kzv_decoder_seek_frame(kzv_decoder *d, int64_t frame_index);

/**
 * Decode a batch of frames by display index, in any order. Indices are sorted
 * internally, each wanted frame is decoded once (duplicates share one frame),
 * and a group of pictures is decoded once for all the wanted frames in it.
 * @param indices `n` display indices (0 <= index < frame count); not retained.
 * @param out     array of `n` slots; on KZV_OK out[i] holds a reference, owned
 *                by the caller, to frame indices[i]. On failure every slot is NULL.
 * @return KZV_OK, KZV_EINVAL (an index out of range, NULL arrays), or an error.
 * Afterwards kzv_decoder_next() goes on after the highest index decoded.
 */
KZV_API int kzv_decoder_get_frames(kzv_decoder *d, const int64_t *indices, size_t n, kzv_frame **out);

/** As kzv_decoder_get_frames(), with times in seconds (each selects the
 *  frame displayed at that time, as KZV_SEEK_EXACT does). KZV_EOF if a time
 *  is past the end of the last frame. */
KZV_API int kzv_decoder_get_frames_at(kzv_decoder *d, const double *seconds, size_t n, kzv_frame **out);

/**
 * Frames start, start+step, … below end (display indices; end is clamped to
 * the frame count). `out` must have room for ceil((end - start) / step)
 * references; *n_out receives how many were stored (owned by the caller).
 * @return KZV_OK, KZV_EINVAL (start < 0, step < 1, start >= end), or an error.
 */
KZV_API int kzv_decoder_get_range(kzv_decoder *d, int64_t start, int64_t end, int64_t step,
                                  kzv_frame **out, size_t *n_out);

/**
 * Display index of the frame shown at `seconds` (as KZV_SEEK_EXACT picks it),
 * from the index (built on first use). KZV_EOF past the end.
 */
KZV_API int kzv_decoder_frame_at(kzv_decoder *d, double seconds, int64_t *frame_index);

/** Number of streams in the container (video, audio, subtitles,
 *  attachments, data; as ffprobe lists them). */
KZV_API int kzv_decoder_stream_count(const kzv_decoder *d);
/**
 * Description of container stream `i` (0 <= i < kzv_decoder_stream_count()).
 * @return a pointer owned by the decoder, valid until close; NULL when i is
 *         out of range.
 */
KZV_API const kzv_stream_info *kzv_decoder_stream(const kzv_decoder *d, int i);

/* ---- Saved indexes and segment plans -------------------------------------
 *
 * The frame index costs one demux-only read of the file. A job that opens
 * the same file many times (a segment per worker, a resumed run) builds it
 * once, exports it, and hands the bytes to every other decoder of that file,
 * which then never scans. The bytes carry a fingerprint of the file (size,
 * modification time, hashes of its first and last 64 KiB), the stream, and the
 * version of the scanner that built them: an index of another file, of a file
 * changed since, or of an older scanner is refused, never used. */

/**
 * The decoder's frame index (built now if needed) as portable bytes.
 * Two calls: with data == NULL, *size receives the number of bytes needed;
 * with a buffer of `capacity` >= that, the bytes are written and *size set.
 * @param data     NULL or a caller-owned buffer; not retained.
 * @return KZV_OK, KZV_EINVAL (buffer too small, NULL size), KZV_EUNSUPPORTED
 *         (a source that is neither a local file nor memory: nothing to
 *         fingerprint), or an indexing error.
 */
KZV_API int kzv_decoder_export_index(kzv_decoder *d, uint8_t *data, size_t capacity, size_t *size);

/**
 * Use an index exported by kzv_decoder_export_index() instead of scanning.
 * @param data  the bytes; copied, not retained.
 * @return KZV_OK (in use: total_frames is exact, seeks need no scan);
 *         KZV_EINVALIDDATA when the bytes are damaged, not an index, or stale
 *         (another file or stream, the file changed, an older scanner):
 *         kzv_decoder_last_error() says which, and the decoder goes on as if
 *         the call had not been made (it scans when it needs the index).
 */
KZV_API int kzv_decoder_import_index(kzv_decoder *d, const uint8_t *data, size_t size);

/** kzv_decoder_export_index() into a file, written whole under a temporary
 *  name and renamed (never a half-written index). KZV_EIO when it cannot be written. */
KZV_API int kzv_decoder_save_index(kzv_decoder *d, const char *path);

/** kzv_decoder_import_index() from a file: KZV_ENOENT when there is none,
 *  KZV_EINVALIDDATA when it is damaged or stale (see above). */
KZV_API int kzv_decoder_load_index(kzv_decoder *d, const char *path);

/** One part of a split: display frames [start, end). Frozen (an array element). */
typedef struct kzv_segment {
    int64_t start, end;             /**< display indices, half-open */
    int64_t start_pts_ts;           /**< pts of frame `start` in the stream's time base */
    int64_t end_pts_ts;             /**< pts of frame `end`; for the last segment the end of its last frame */
    double start_pts, end_pts;      /**< the same in seconds */
    bool keyframe;                  /**< frame `start` is a random-access point (decoding starts there) */
} kzv_segment;

/** How to split. Fixed size (see "Room to grow" in common.h). */
typedef struct kzv_segment_settings {
    int count;                      /**< this many segments (fewer if the video has fewer frames); 0: use seconds */
    double seconds;                 /**< segments of about this length, when count is 0 */
    uint8_t reserved[32];           /**< zero */
} kzv_segment_settings;

/** Fill *s with the defaults: count 0, seconds 60. */
KZV_API void kzv_segment_default_settings(kzv_segment_settings *s);

/**
 * Split the video into segments that cover every frame exactly once, in
 * order. A boundary moves to a keyframe when one lies within a quarter of a
 * segment's length of where an even split would put it (so a worker does not
 * decode far before its first frame); otherwise it stays where it was (an
 * exact seek still lands there, decoding from the keyframe before it).
 * Builds the index on first use. Two calls, as kzv_decoder_export_index():
 * with segments == NULL, *count receives how many there will be.
 * @param segments NULL or `capacity` caller-owned slots.
 * @return KZV_OK, KZV_EINVAL (bad settings, capacity too small), KZV_ENOVIDEO
 *         (no frames), or an indexing error.
 */
KZV_API int kzv_decoder_plan_segments(kzv_decoder *d, const kzv_segment_settings *settings,
                                      kzv_segment *segments, int64_t capacity, int64_t *count);

/** Copy the decoder's counters into *st. */
KZV_API void kzv_decoder_get_stats(const kzv_decoder *d, kzv_decoder_stats *st);

/**
 * The last error message of `d` (names the file and FFmpeg's reason), or, for
 * d == NULL, the last kzv_decoder_open() failure of the calling thread.
 * @return a string owned by kzv, valid until the next call on the same
 *         decoder (or open on the same thread); "" when there was no error.
 */
KZV_API const char *kzv_decoder_last_error(const kzv_decoder *d);

/** Close the decoder and set *d to NULL. NULL or *d == NULL is accepted.
 *  Frames already returned stay valid. */
KZV_API void kzv_decoder_close(kzv_decoder **d);

#ifdef __cplusplus
}
#endif
#endif /* KZV_DECODER_H */
