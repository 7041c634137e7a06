/*
 * kzv — the frame processor: decoder → queue → (uploader) → your callback.
 *
 * kzv_processor_run() starts a decode thread that decodes frames and pushes
 * them into a bounded queue; the calling thread pops them in display order,
 * uploads each one when an uploader was given, calls your callback with the
 * frame and its texture, and then releases the texture. The five lifecycle
 * states of the seed design are counted in kzv_processor_stats: decoded,
 * enqueued, processing (handed to the callback), uploaded, released.
 *
 * Callback return value: 0 = go on; > 0 = stop (run returns KZV_OK);
 * < 0 = count an error for this frame and go on.
 *
 * Every texture uploaded is released exactly once, whatever happens: normal
 * end, stop, a callback error, a decode error mid-file, or close before the end.
 *
 * kzv_processor_stop() also interrupts a read that is blocked (a stalled pipe
 * or network input), so run() comes back promptly.
 *
 * Thread-safety: kzv_processor_stop() may be called from any thread (including
 * the callback), but not concurrently with kzv_processor_close(). kzv_processor_get_stats() may
 * be called from any thread. Everything else: one thread at a time. The
 * uploader is used only from the thread that calls kzv_processor_run().
 */
#ifndef KZV_PROCESSOR_H
#define KZV_PROCESSOR_H

#include <stdint.h>

#include "kzv/common.h"
#include "kzv/decoder.h"
#include "kzv/frame.h"
#include "kzv/queue.h"
#include "kzv/uploader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kzv_processor kzv_processor;

/**
 * Settings of kzv_processor_open(); plain data, copied. Fixed size (see "Room
 * to grow" in common.h): start from kzv_processor_default_settings(), which
 * also fills `decoder` and `queue` with their defaults. The decoder's and the
 * queue's settings are embedded by value: each has a fixed size of its own
 * (they grow into their own `reserved`), so the embedding keeps every offset
 * here stable as they gain fields, and one struct (one default call, no
 * pointers to keep alive) describes the whole pipeline.
 */
typedef struct kzv_processor_settings {
    kzv_decoder_settings decoder;  /**< passed to kzv_decoder_open() */
    kzv_queue_settings queue;      /**< capacity and policy of the hand-over queue */
    int64_t start_frame;           /**< begin at this display index (exact seek); -1 = from
                                        the start (default). Wins over start_time. */
    double start_time;             /**< begin at the frame displayed at this time in seconds
                                        (exact seek); NAN = from the start (default) */
    int64_t max_frames;            /**< stop after this many frames; -1 = all (default) */
    uint8_t reserved[64];          /**< zero (kzv_processor_default_settings() does it):
                                        fields added later take their bytes from here and
                                        mean the old behaviour when 0; non-zero is refused
                                        with KZV_EINVAL (also in `decoder` and `queue`) */
} kzv_processor_settings;

/** Counters of a processor (kzv_processor_get_stats()); fixed size (see
 *  "Room to grow" in common.h). */
typedef struct kzv_processor_stats {
    int64_t decoded;     /**< frames out of the decoder */
    int64_t enqueued;    /**< frames pushed into the queue */
    int64_t processing;  /**< frames handed to the callback */
    int64_t uploaded;    /**< textures made */
    int64_t released;    /**< textures released */
    int64_t errors;      /**< negative callback returns, failed uploads, decode errors */
    int64_t dropped;     /**< frames dropped by a DROP_OLDEST queue */
    uint8_t reserved[64]; /**< zero; counters added later take their bytes from here */
} kzv_processor_stats;

/** Called for every frame in display order. `f` is borrowed for the call
 *  (kzv_frame_ref() it to keep it); `tex` is KZV_NO_TEXTURE without an
 *  uploader and is released by the processor after the call returns. */
typedef int (*kzv_processor_fn)(const kzv_frame *f, kzv_texture tex, void *user);

KZV_API void kzv_processor_default_settings(kzv_processor_settings *s);

/**
 * @param uploader optional; the caller keeps ownership and must keep it alive
 *                 until kzv_processor_close().
 * @param settings NULL for defaults; copied.
 * @return as kzv_decoder_open() (the decoder is opened here), or KZV_EINVAL.
 */
KZV_API int kzv_processor_open(kzv_processor **out, const char *path,
                               kzv_uploader *uploader,
                               const kzv_processor_settings *settings);

/** Stream description of the underlying decoder. */
KZV_API const kzv_video_info *kzv_processor_info(const kzv_processor *p);

/**
 * Process every frame. Returns KZV_OK at the end of the stream or when the
 * callback returned > 0, KZV_ECANCELED after kzv_processor_stop(), or the
 * decoder's error (processing stops at it; frames before it were delivered).
 * Can be called once per processor.
 */
KZV_API int kzv_processor_run(kzv_processor *p, kzv_processor_fn fn, void *user);

/** Ask a running (or future) run to stop soon. Any thread; idempotent. */
KZV_API void kzv_processor_stop(kzv_processor *p);

KZV_API void kzv_processor_get_stats(const kzv_processor *p, kzv_processor_stats *st);

/** The decoder's counters (corrupt packets, size changes …). Call it when
 *  kzv_processor_run() is not running (before or after). */
KZV_API void kzv_processor_get_decoder_stats(const kzv_processor *p, kzv_decoder_stats *st);

/** Message of the last error (decoder's or processor's); "" if none. */
KZV_API const char *kzv_processor_last_error(const kzv_processor *p);

/** Stop, release everything, set *p = NULL. NULL-safe. */
KZV_API void kzv_processor_close(kzv_processor **p);

#ifdef __cplusplus
}
#endif
#endif /* KZV_PROCESSOR_H */
