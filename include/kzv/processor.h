/*
 * kzv — the frame processor: decoder → queue → (uploader) → you.
 *
 * A decode thread decodes frames and pushes them into a bounded queue; the
 * consumer thread takes them in display order. Two ways to consume:
 *   - push: kzv_processor_run() loops on the calling thread: it takes each
 *     frame, uploads it when an uploader was given, calls your callback with
 *     the frame and its texture, and then releases the texture;
 *   - pull: kzv_processor_start() starts the decode thread and returns; you
 *     call kzv_processor_frame_next() (the next frame, uploaded on request)
 *     or kzv_processor_frame_for() ("the frame for time t", like libplacebo's
 *     pl_queue_update()) whenever you want a frame.
 * The lifecycle states of the seed design are counted in kzv_processor_stats:
 * decoded, enqueued, processing (handed to you), uploaded, released; and the
 * ways a frame can leave without being handed out: dropped (by a DROP_OLDEST
 * queue), dropped_late (too late for the clock), discarded (flushed by a seek
 * or left over at the end). After the end, decoded == processing + dropped +
 * dropped_late + discarded, plus the frames skipped because their upload
 * failed (each counted in errors).
 *
 * Time. By default (settings.realtime == 0) there is no clock: every frame is
 * delivered as fast as the consumer takes it (offline use). With realtime,
 * a presentation clock paces delivery: frame f is due at
 *     start + (f.pts - first_pts) / rate
 * on a monotonic clock (CLOCK_MONOTONIC, or the time source in the settings),
 * so variable frame rates are exact and nothing accumulates. The clock starts
 * at the first frame (after open or after a seek); kzv_processor_pause()
 * freezes it, kzv_processor_set_rate() changes the speed from the current
 * position. A frame that would be more than late_threshold past its due time
 * once uploaded (the upload time is predicted from the last uploads) is
 * dropped before it is uploaded, and counted in dropped_late. With a
 * DROP_OLDEST queue the decode thread is paced by the clock: it replaces the
 * oldest queued frame only when the new one is already due.
 *
 * Seeking: kzv_processor_seek() / kzv_processor_seek_frame() may be called
 * from any thread while the processor runs. The request is taken by the
 * decode thread; everything queued from before it is dropped at once
 * (discarded, textures included), and from then on only frames from the new
 * position reach the consumer: a frame handed out before the seek is reported
 * stale by kzv_processor_wait() (KZV_ECANCELED).
 *
 * Callback return value: 0 = go on; > 0 = stop (run returns KZV_OK);
 * < 0 = count an error for this frame and go on.
 *
 * Every texture uploaded is released exactly once, whatever happens: normal
 * end, stop, a callback error, a decode error mid-file, a seek, or close
 * before the end (a texture handed out by kzv_processor_frame_next() is the
 * caller's to give back with kzv_processor_release()).
 *
 * kzv_processor_stop() also interrupts a read that is blocked (a stalled pipe
 * or network input), so run() comes back promptly.
 *
 * Thread-safety: kzv_processor_stop() may be called from any thread (including
 * the callback), but not concurrently with kzv_processor_close().
 * kzv_processor_get_stats(), kzv_processor_seek(), kzv_processor_seek_frame(),
 * kzv_processor_pause(), kzv_processor_paused(), kzv_processor_set_rate() and
 * kzv_processor_clock_time() may be called from any thread while the
 * processor runs (not concurrently with close). The consumer calls
 * (run, start, frame_next, frame_for, wait, release) belong to one thread at
 * a time, as does everything else. The uploader is used only from the
 * consumer thread. The processor's log callback and time source are called
 * from both the decode thread and the consumer thread, and must not call back
 * into the processor.
 */
#ifndef KZV_PROCESSOR_H
#define KZV_PROCESSOR_H

#include <stdbool.h>
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

/** The presentation clock's time source (kzv_processor_settings.clock_now):
 *  seconds on a clock that never goes back. Called from the decode and the
 *  consumer thread, concurrently: it must be thread-safe. */
typedef double (*kzv_clock_now_fn)(void *user);

/** Sleep until clock_now() would return >= `until` (kzv_processor_settings.
 *  clock_sleep); it may return earlier (the processor looks again). A test's
 *  fake clock simply advances its time to `until`. Called from the consumer
 *  thread only, without any processor lock held. */
typedef void (*kzv_clock_sleep_fn)(void *user, double until);

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
    /* Real time (taken from `reserved`; 0 everywhere = offline, as before). */
    int32_t realtime;              /**< 1 = pace delivery by the presentation clock (see the
                                        top of this file); 0 = offline: every frame, no clock
                                        (default) */
    int32_t start_paused;          /**< realtime: the clock starts paused; nothing is due until
                                        kzv_processor_pause(p, false) (default 0) */
    double rate;                   /**< realtime: playback speed, > 0; 0 = 1.0 (default) */
    double late_threshold;         /**< realtime: seconds past its due time after which a frame
                                        is dropped; 0 = the frame's own duration / rate
                                        (default); < 0 = never drop */
    double max_duration;           /**< stop at the first frame whose pts is this many seconds
                                        after the first frame's (it is not counted as
                                        decoded); 0 = no limit (default) */
    kzv_clock_now_fn clock_now;    /**< time source of the clock; NULL = CLOCK_MONOTONIC
                                        (default). With it, clock_sleep is required. */
    kzv_clock_sleep_fn clock_sleep; /**< how the consumer waits on clock_now's time; used
                                         only with clock_now */
    void *clock_user;              /**< passed to clock_now and clock_sleep; borrowed: must
                                        stay valid until kzv_processor_close() */
    uint8_t reserved[8];          /**< zero (kzv_processor_default_settings() does it):
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
    int64_t dropped_late; /**< realtime: frames too late for the clock, dropped before
                               upload (and frames kzv_processor_frame_for() skipped) */
    int64_t discarded;   /**< frames flushed by a seek or left over at the end */
    int64_t seeks;       /**< seek requests */
    uint8_t reserved[40]; /**< zero; counters added later take their bytes from here */
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

/**
 * Give the processor its uploader after open (open's `uploader` argument
 * otherwise): for a caller that must know the stream (kzv_processor_info())
 * before it can make one, e.g. a window sized to the video. Only before
 * kzv_processor_run() / kzv_processor_start(). Ownership as in open: the
 * caller keeps it and keeps it alive until kzv_processor_close(); NULL removes it.
 * @return KZV_OK, or KZV_EINVAL once started.
 */
KZV_API int kzv_processor_set_uploader(kzv_processor *p, kzv_uploader *uploader);

/** Stream description of the underlying decoder. */
KZV_API const kzv_video_info *kzv_processor_info(const kzv_processor *p);

/**
 * Process every frame. Returns KZV_OK at the end of the stream or when the
 * callback returned > 0, KZV_ECANCELED after kzv_processor_stop(), or the
 * decoder's error (processing stops at it; frames before it were delivered).
 * Can be called once per processor.
 */
KZV_API int kzv_processor_run(kzv_processor *p, kzv_processor_fn fn, void *user);

/**
 * Pull mode: start the decode thread and return; frames are then taken with
 * kzv_processor_frame_next() or kzv_processor_frame_for(). Either run() or
 * start() can be called, once per processor.
 * @return KZV_OK, KZV_EINVAL (already started or run), KZV_ECANCELED (stopped),
 *         KZV_ENOMEM (no thread).
 */
KZV_API int kzv_processor_start(kzv_processor *p);

/**
 * Pull mode: the next frame in display order, from the current seek position.
 * With realtime, frames already too late (see late_threshold) are dropped
 * before they are uploaded (dropped_late); this call does not wait for the
 * frame's due time: kzv_processor_wait() does.
 * @param out  receives a new reference owned by the caller (kzv_frame_unref());
 *             NULL unless KZV_OK is returned.
 * @param tex  NULL: no upload. Otherwise receives the frame's texture made by
 *             the processor's uploader (KZV_NO_TEXTURE without one), owned by
 *             the caller until kzv_processor_release(). A frame whose upload
 *             fails is skipped (counted in errors, as in run()).
 * @param timeout_ns how long to wait for a frame: 0 = do not wait, -1 = forever.
 * @return KZV_OK, KZV_EAGAIN (no frame within the timeout), KZV_EOF (end of
 *         the stream), KZV_ECANCELED (stopped), or the decoder's error
 *         (frames before it were delivered; kzv_processor_last_error()).
 */
KZV_API int kzv_processor_frame_next(kzv_processor *p, kzv_frame **out, kzv_texture *tex,
                                     int64_t timeout_ns);

/**
 * Pull mode: the frame for media time `t` (seconds, as kzv_frame.pts): the one
 * whose [pts, pts + duration) covers t. Frames entirely before t that were
 * never returned are dropped and counted in dropped_late; the same frame is
 * returned again while t stays in its interval. Does not upload and does not
 * wait; use it for one seek position at a time (after a seek, t should move
 * from the new position). Do not mix it with kzv_processor_frame_next().
 * @param out receives a new reference owned by the caller; NULL unless KZV_OK.
 * @return KZV_OK, KZV_EAGAIN (the frame for t is not decoded yet, or t lies
 *         before the next frame), KZV_EOF (t is past the last frame),
 *         KZV_ECANCELED (stopped), or the decoder's error.
 */
KZV_API int kzv_processor_frame_for(kzv_processor *p, double t, kzv_frame **out);

/**
 * Wait until frame `f` (the last one kzv_processor_frame_next() returned) is
 * due on the presentation clock. Offline (realtime 0) it returns at once.
 * The first frame after open or after a seek starts the clock (it is due now).
 * @param timeout_ns 0 = look only, -1 = wait as long as it takes (a pause included).
 * @param late_s     optional; receives how late the frame is now (>= 0) on KZV_OK.
 * @return KZV_OK (due: present it), KZV_ETIMEDOUT (not due within the timeout,
 *         or paused), KZV_ECANCELED (a seek came after the frame was handed out,
 *         so it is stale, or the processor was stopped).
 */
KZV_API int kzv_processor_wait(kzv_processor *p, const kzv_frame *f, int64_t timeout_ns,
                               double *late_s);

/** Give back a texture kzv_processor_frame_next() handed out (counted in
 *  released); KZV_NO_TEXTURE is ignored. @return as kzv_uploader_release(). */
KZV_API int kzv_processor_release(kzv_processor *p, kzv_texture tex);

/**
 * Seek to `seconds` (stream time). Any thread, before or while the processor
 * runs; asynchronous: the decode thread performs it. Frames queued from before
 * are discarded at once. A later request replaces one not yet performed.
 * A seek past the end ends the stream (KZV_EOF for the consumer).
 * @return KZV_OK (requested) or KZV_EINVAL (NaN, unknown mode).
 */
KZV_API int kzv_processor_seek(kzv_processor *p, double seconds, kzv_seek_mode mode);

/** The same by display index: EXACT lands on `frame_index`, KEYFRAME on the
 *  random-access point at or before it. @return KZV_OK or KZV_EINVAL (< 0). */
KZV_API int kzv_processor_seek_frame(kzv_processor *p, int64_t frame_index, kzv_seek_mode mode);

/** Realtime: pause (true) or resume (false) the presentation clock. Any
 *  thread; idempotent. Resuming a start_paused processor starts it. */
KZV_API void kzv_processor_pause(kzv_processor *p, bool pause);

/** Whether the clock is paused. Any thread. */
KZV_API bool kzv_processor_paused(const kzv_processor *p);

/** Realtime: change the speed (> 0) from the current position on. Any thread.
 *  @return KZV_OK or KZV_EINVAL. */
KZV_API int kzv_processor_set_rate(kzv_processor *p, double rate);

/** The clock's media time now (seconds, as kzv_frame.pts); NAN before the
 *  clock starts (and after a seek until the next frame). Any thread. */
KZV_API double kzv_processor_clock_time(const kzv_processor *p);

/**
 * Pull mode: end on the consumer thread: stop the decode thread, wait for it,
 * and discard what is still queued. Afterwards the stats are final
 * (decoded == processing + dropped + dropped_late + discarded, plus failed
 * uploads) and the pull calls return KZV_ECANCELED. Frames and textures already handed out stay the
 * caller's (release them as usual). Idempotent; close does it too.
 * Thread-safety: the consumer thread, not concurrently with the pull calls.
 */
KZV_API void kzv_processor_finish(kzv_processor *p);

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
