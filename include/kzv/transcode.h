/*
 * kzv — transcode: decode → process → encode → mux, everything else kept.
 *
 *     kzv_transcode_settings s;
 *     kzv_transcode_default_settings(&s);
 *     s.encoder.codec = "libx265";            // kzv_encoder_settings (encoder.h)
 *     s.scale = 2;                             // or s.process / s.filter_cmd
 *     if (kzv_transcode("in.mkv", "out.mkv", &s) < 0)
 *         fprintf(stderr, "%s\n", kzv_transcode_last_error());
 *
 * Three threads and two bounded queues: a decode thread (kzv_decoder, the
 * source's own timestamps), the processing stage on the calling thread (a
 * callback, the built-in scaler or an external filter process), and an
 * encode thread (kzv_encoder plus the copied streams). Every decoded frame
 * in the chosen range becomes exactly one output frame with the same pts:
 * nothing is resampled, duplicated or dropped.
 *
 * Everything else is kept: every audio, subtitle, attachment (fonts) and
 * data stream of the source is copied packet for packet, with its
 * timestamps rescaled exactly, its metadata (language, title) and
 * dispositions (default, forced); chapters and global metadata too. The
 * muxer interleaves them by time. Streams the output container cannot hold
 * are left out with a warning (MP4 has no ASS subtitles or attachments;
 * Matroska holds everything).
 *
 * A range (start_frame / start, frames) is cut exactly on frames; the other
 * streams keep the packets whose pts lies within the range, and every
 * timestamp is shifted so that the cut starts where the source started.
 *
 * The output appears under its final name only when complete (see
 * encoder.h): an error or a stop leaves no file that looks finished.
 *
 * Thread-safety: kzv_transcode() may run on several threads at once with
 * different files. The callbacks are called from kzv's threads as stated.
 */
#ifndef KZV_TRANSCODE_H
#define KZV_TRANSCODE_H

#include <stdbool.h>
#include <stdint.h>

#include "kzv/common.h"
#include "kzv/encoder.h"
#include "kzv/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where a transcode stands (see kzv_transcode_settings.progress). Fixed size. */
typedef struct kzv_transcode_progress {
    int64_t frames;         /**< frames written so far */
    int64_t total_frames;   /**< frames expected (the range, or the source's count); -1 unknown */
    double out_time;        /**< pts of the last frame written, seconds (output time) */
    double duration;        /**< seconds expected; 0 unknown */
    double elapsed;         /**< wall-clock seconds since the start */
    double fps;             /**< frames per second so far */
    double speed;           /**< media seconds per wall-clock second */
    int64_t bytes;          /**< video bytes written */
    bool done;              /**< the last call: everything is written */
    uint8_t reserved[39];   /**< zero */
} kzv_transcode_progress;

/** Progress callback: called from the encode thread after each frame and at
 *  least every 250 ms while waiting. Return non-zero to stop the transcode
 *  (it then fails with KZV_ECANCELED and leaves no output). */
typedef int (*kzv_transcode_progress_fn)(void *user, const kzv_transcode_progress *p);

/**
 * Processing callback, called on the thread that called kzv_transcode(), in
 * display order. `in` is borrowed (valid during the call); store in *out a
 * frame owned by the caller-to-library hand-over (a new reference, e.g. from
 * kzv_frame_alloc() or kzv_frame_wrap(), or kzv_frame_ref(in)). Its timing is
 * ignored: the input's pts is written. Every output frame must have the size
 * and format of the first. Return KZV_OK or a negative KZV_E* to stop.
 */
typedef int (*kzv_transcode_fn)(void *user, const kzv_frame *in, kzv_frame **out);

/** Settings of kzv_transcode(); plain data, read during the call only.
 *  Fixed size: start from kzv_transcode_default_settings(). */
typedef struct kzv_transcode_settings {
    kzv_encoder_settings encoder; /**< the video encoder; colour (-1) defaults to the
                                       source's, time base to the source stream's,
                                       frame_rate to the source's average, format
                                       (NONE) to the source's own layout */
    kzv_pixfmt process_format; /**< frames handed to `process` / the filter: RGB24
                                    (default), RGB48, or a YUV format / YUV_AUTO */
    kzv_transcode_fn process;  /**< NULL: no callback (see scale, filter_cmd) */
    void *process_user;
    int scale;                 /**< with process and filter_cmd NULL: > 1 = built-in
                                    lanczos scaler (libswscale) by this factor, done on
                                    the source's YUV planes; 0/1 = frames unchanged */
    const char *filter_cmd;    /**< external filter: `sh -c filter_cmd` reads raw frames
                                    (process_format RGB24 or RGB48, tight rows) on stdin
                                    and writes one filter_width × filter_height frame per
                                    input frame on stdout */
    int filter_width, filter_height; /**< the filter's output size; 0 = the input's */
    int64_t filter_timeout_ms; /**< a filter making no progress this long fails; 0 = 30 s */
    int64_t start_frame;       /**< first frame (display index); 0 = the first */
    double start;              /**< or a time: the frame displayed at `start` seconds
                                    (used when start_frame is 0 and start > 0) */
    int64_t frames;            /**< frames to write; 0 = to the end */
    bool drop_audio, drop_subtitles, drop_attachments, drop_data;
    const char *languages;     /**< keep only audio/subtitle streams whose language is
                                    in this comma-separated list ("jpn,eng"); NULL = all */
    int queue;                 /**< frames held between stages; 0 = 8 */
    int decode_threads;        /**< 0 = one per core */
    kzv_transcode_progress_fn progress; /**< NULL = none */
    void *progress_user;
    uint8_t reserved[64];      /**< zero */
} kzv_transcode_settings;

/** Fill *s with the defaults documented above. */
KZV_API void kzv_transcode_default_settings(kzv_transcode_settings *s);

/**
 * Transcode `in` into `out`.
 * @param final  may be NULL; receives the counters at the end (also on
 *               failure: where it stopped).
 * @return KZV_OK; or KZV_E* of the stage that failed first: input errors as
 *         kzv_decoder_open() returns them, KZV_ECANCELED (the progress
 *         callback asked to stop), KZV_EIO (writing, or the filter failed),
 *         KZV_ETIMEDOUT (the filter stalled), KZV_EINVAL, KZV_EUNSUPPORTED …
 *         kzv_transcode_last_error() says which and why.
 */
KZV_API int kzv_transcode(const char *in, const char *out, const kzv_transcode_settings *s,
                          kzv_transcode_progress *final);

/** Which stage failed: KZV_TRANSCODE_INPUT (opening or decoding the source),
 *  _PROCESS (callback, scaler, filter), _OUTPUT (encoder, muxer, writing),
 *  _STOPPED (the progress callback), or 0 after success. The calling
 *  thread's last kzv_transcode(). */
typedef enum kzv_transcode_stage {
    KZV_TRANSCODE_OK = 0,
    KZV_TRANSCODE_INPUT = 1,
    KZV_TRANSCODE_PROCESS = 2,
    KZV_TRANSCODE_OUTPUT = 3,
    KZV_TRANSCODE_STOPPED = 4,
} kzv_transcode_stage;
KZV_API kzv_transcode_stage kzv_transcode_failed_stage(void);

/** The calling thread's last kzv_transcode() failure ("" after success). */
KZV_API const char *kzv_transcode_last_error(void);

#ifdef __cplusplus
}
#endif
#endif /* KZV_TRANSCODE_H */
