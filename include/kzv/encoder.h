/*
 * kzv — the video encoder: frames → a finished file.
 *
 * Lifecycle:
 *
 *     kzv_encoder_settings s;
 *     kzv_encoder_default_settings(&s);     // then change what you need
 *     s.codec = "libx265";
 *     s.crf = 18;
 *     s.format = KZV_PIXFMT_YUV420P10;
 *     kzv_encoder *e = NULL;
 *     if (kzv_encoder_open(&e, "out.mkv", &s) < 0) { … kzv_encoder_last_error(NULL) … }
 *     while (… a frame f …)
 *         if (kzv_encoder_write(e, f) < 0) { … kzv_encoder_last_error(e) …
 *                                            kzv_encoder_abort(&e); … }
 *     int err = kzv_encoder_close(&e);     // flushes, writes the trailer, renames
 *
 * The output is written under a temporary name in the same directory
 * ("<path>.<pid>.partial") and renamed to `path` only when
 * kzv_encoder_close() has written everything: a failed or aborted job never
 * leaves a file that looks finished (kzv_encoder_abort() and a failing close
 * delete the temporary file). A `path` that already exists and is not a
 * regular file (/dev/null, a FIFO, a device) is written directly, as a
 * stream (not seekable), and never renamed over or deleted.
 *
 * Timing: each frame's own timestamp (pts_ts in its time_base) is written as
 * it is, rescaled only when the output's time base differs; frames are never
 * resampled, duplicated or dropped. Timestamps must increase strictly.
 *
 * Pixels: frames may be RGB24, RGBA (alpha dropped), RGB48 or any kzv YUV
 * layout. RGB is converted to the output layout with the output's matrix and
 * range by kzv's own converter (src/convert/rgb2yuv.h); YUV in the output's
 * layout is written as it is (its samples are taken to be in the output's
 * colour description), another YUV layout goes through libswscale. Every
 * frame must have the size and format of the first one: a change is refused
 * (KZV_EINVAL), so a stream never changes silently.
 *
 * Colour: the output's matrix, range, primaries and transfer default to the
 * first frame's kzv_color (the source's tags when the frame came from a
 * kzv_decoder) and are written into the bitstream (where the codec has
 * fields for them) and the container.
 *
 * Errors: kzv_encoder_open() fails with KZV_EINVAL (bad settings; an option
 * no encoder field or private option of that codec has, named in the
 * message), KZV_EUNSUPPORTED (no such encoder, a layout the encoder does not
 * take, a container FFmpeg does not know) or KZV_EIO (the temporary file
 * cannot be created). kzv_encoder_write() and kzv_encoder_close() fail with
 * KZV_EINVAL (timestamps, size or format changes), KZV_EIO (a write failed:
 * full disk …), KZV_ENOMEM, or KZV_EUNSUPPORTED (the encoder refused its
 * parameters when it was started on the first frame).
 *
 * Thread-safety: a kzv_encoder is not thread-safe: call its functions from
 * one thread at a time (it may move between threads). Different encoders are
 * independent. The encoder never modifies the frames it is given.
 */
#ifndef KZV_ENCODER_H
#define KZV_ENCODER_H

#include <stdbool.h>
#include <stdint.h>

#include "kzv/common.h"
#include "kzv/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kzv_encoder kzv_encoder;

/** Settings of kzv_encoder_open(); plain data, copied at open (strings and
 *  the option array too). Fixed size (see "Room to grow" in common.h):
 *  start from kzv_encoder_default_settings(). */
typedef struct kzv_encoder_settings {
    const char *codec;     /**< FFmpeg encoder name ("libx264", "libx265", "libsvtav1",
                                "libvpx-vp9", "ffv1", …); NULL = "libx264" */
    double crf;            /**< constant rate factor (the encoder's "crf" option);
                                < 0 = the encoder's default (default -1) */
    int qp;                /**< constant quantiser (the encoder's "qp" option);
                                < 0 = unset (default -1) */
    const char *preset;    /**< the encoder's "preset" option; NULL = its default */
    const char *const *options; /**< NULL-terminated array of "key=value" encoder
                                options (the codec's private options or the generic encoder
                                ones); NULL = none. An option the encoder does not
                                have, or leaves unused, is refused with KZV_EINVAL */
    kzv_pixfmt format;     /**< output layout: a kzv YUV format (8 or 10 bit, 4:2:0,
                                4:2:2, 4:4:4); KZV_PIXFMT_NONE (default) = the first
                                frame's layout when it is YUV, else YUV420P (8-bit RGB)
                                or YUV420P10 (RGB48) */
    int width, height;     /**< output size; 0 = the first frame's. Frames of another
                                size are refused */
    int matrix;            /**< H.273 matrix; -1 (default) = the first frame's */
    int range;             /**< kzv_color_range; -1 (default) = the first frame's */
    int primaries;         /**< H.273 primaries; -1 (default) = the first frame's */
    int transfer;          /**< H.273 transfer; -1 (default) = the first frame's */
    kzv_rational time_base;  /**< output time base; {0, 0} (default) = the first frame's */
    kzv_rational frame_rate; /**< average frame rate, a hint for rate control and the
                                  container; {0, 0} (default) = none. Never used to
                                  retime frames */
    const char *container; /**< muxer name ("matroska", "mp4", …); NULL = from the
                                file name's extension */
    int threads;           /**< encoder threads; 0 = the encoder's choice (default) */
    kzv_log_fn log_fn;     /**< this encoder's log callback; NULL = the global one */
    void *log_user;        /**< passed to log_fn; the caller keeps ownership */
    uint8_t reserved[64];  /**< zero (kzv_encoder_default_settings() does it); see
                                "Room to grow" in common.h */
} kzv_encoder_settings;

/** Counters of an encoder (kzv_encoder_get_stats()); fixed size. */
typedef struct kzv_encoder_stats {
    int64_t frames_in;      /**< frames accepted by kzv_encoder_write() */
    int64_t packets_out;    /**< video packets written to the file */
    int64_t bytes_out;      /**< bytes of those packets */
    int64_t convert_ns;     /**< time spent converting pixels (monotonic clock) */
    int64_t encode_ns;      /**< time spent in the encoder and muxer */
    uint8_t reserved[64];   /**< zero; counters added later take their bytes from here */
} kzv_encoder_stats;

/** Fill *s with the defaults documented above. */
KZV_API void kzv_encoder_default_settings(kzv_encoder_settings *s);

/**
 * Create the output (under its temporary name) and check the settings: the
 * encoder exists, every option exists, the container is known. The encoder
 * itself starts on the first frame (when the size and layout are known).
 * @param out      receives the encoder, owned by the caller (kzv_encoder_close()
 *                 or kzv_encoder_abort()); NULL on failure.
 * @param path     output file name; copied.
 * @param settings NULL for defaults; copied.
 * @return KZV_OK or a negative KZV_E*; the reason in kzv_encoder_last_error(NULL).
 */
KZV_API int kzv_encoder_open(kzv_encoder **out, const char *path, const kzv_encoder_settings *settings);

/**
 * Encode one frame. The caller keeps its reference (the encoder copies or
 * converts the pixels before returning).
 * @return KZV_OK or a negative KZV_E* (kzv_encoder_last_error(e) says more);
 *         after an error the encoder accepts nothing more: abort it.
 */
KZV_API int kzv_encoder_write(kzv_encoder *e, const kzv_frame *frame);

/** Copy the encoder's counters into *st. */
KZV_API void kzv_encoder_get_stats(const kzv_encoder *e, kzv_encoder_stats *st);

/**
 * The last error message of `e`, or for e == NULL the calling thread's last
 * kzv_encoder_open() (or failed kzv_encoder_close()) failure.
 * @return a string owned by kzv, valid until the next call on the same
 *         encoder; "" when there was none.
 */
KZV_API const char *kzv_encoder_last_error(const kzv_encoder *e);

/**
 * Finish: flush the encoder, write the trailer, close the file and rename it
 * to its final name. Frees the encoder and sets *e to NULL, also on failure
 * (then the temporary file is deleted and kzv_encoder_last_error(NULL) says
 * why). A stream that received no frame is a failure (KZV_EINVAL): an empty
 * file is never left. NULL or *e == NULL: KZV_OK, nothing done.
 * @return KZV_OK, KZV_EIO, KZV_EINVAL, KZV_ENOMEM …
 */
KZV_API int kzv_encoder_close(kzv_encoder **e);

/** Give up: close everything, delete the temporary file, free the encoder
 *  and set *e to NULL. NULL or *e == NULL is accepted. */
KZV_API void kzv_encoder_abort(kzv_encoder **e);

#ifdef __cplusplus
}
#endif
#endif /* KZV_ENCODER_H */
