/*
 * kzv_processor's insides, shared by its files (one job each):
 *   processor.c        open, close, settings, stats, run (push mode), start, stop
 *   processor_decode.c the decode thread: decode, pace, push; performs seeks
 *   processor_seek.c   seek requests from any thread: flush the queue, new generation
 *   processor_clock.c  the presentation clock, its time source, pause/rate, wait
 *   processor_pick.c   the consumer's side: next frame (late drop before upload),
 *                      the frame for time t, release
 *
 * Locking: one mutex `mx` guards the clock, the seek request and generation,
 * the end-of-stream state and every queue push and pop (the queue is
 * thread-safe by itself; doing its pushes and pops under `mx` is what makes a
 * seek atomic: the consumer cannot pop a frame from before a seek once the
 * seek has flushed, and the decode thread checks for a pending seek right
 * before each push). `cv` is broadcast on every change of that state.
 * Counters are atomics, readable from any thread without `mx`.
 */
#ifndef KZV_SRC_PIPELINE_PROCESSOR_INTERNAL_H
#define KZV_SRC_PIPELINE_PROCESSOR_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kzv/processor.h"
#include "core/log.h"

/* The presentation clock: due(pts) = start + (pts - first_pts) / rate. Not
 * running until the first frame (after open or a seek); a pause freezes it
 * (start moves forward by the paused time on resume). Guarded by mx. */
typedef struct kzv_pclock {
    bool running;
    bool paused;
    double start;      /* time-source seconds of first_pts */
    double first_pts;  /* media time the clock started at */
    double rate;
    double pause_at;   /* when the pause began */
} kzv_pclock;

struct kzv_processor {
    kzv_decoder *dec;
    kzv_queue *queue;
    kzv_uploader *uploader;      /* borrowed from the caller; may be NULL */
    kzv_processor_settings settings;
    kzv_logger log;

    pthread_t thread;
    bool thread_running;         /* started and not joined yet */
    bool ran;                    /* run() or start() is allowed once */

    atomic_bool quit;            /* the decode thread must stop */
    atomic_bool canceled;        /* kzv_processor_stop() was called */

    pthread_mutex_t mx;
    pthread_cond_t cv;

    /* ---- under mx ---- */
    kzv_pclock clock;
    uint64_t gen;                /* seek generation: +1 per seek request */
    bool seek_pending;
    double seek_time;            /* seek target when seek_frame < 0 */
    int64_t seek_frame;          /* >= 0: seek by display index */
    kzv_seek_mode seek_mode;
    bool eos;                    /* the decoder is at its end (or failed) */
    int decode_status;           /* KZV_OK, or the first decode error */
    char decode_error[512];
    double first_pts;            /* of the first decoded frame (max_duration); NAN before */
    int64_t limit_count;         /* frames decoded towards max_frames */
    uint64_t out_gen;            /* generation of the frame handed out last */
    kzv_frame *pick;             /* frame_for's current frame */
    bool pick_returned;          /* it was returned at least once */

    /* ---- consumer thread only ---- */
    double upload_ema;           /* seconds an upload takes, moving average */
    int64_t upload_samples;
    char last_error[512];

    /* Lifecycle counters, readable from any thread. */
    _Atomic int64_t decoded, enqueued, processing, uploaded, released, errors, dropped;
    _Atomic int64_t dropped_late, discarded, seeks;
};

static inline void kzv_proc_count(_Atomic int64_t *c)
{
    atomic_fetch_add(c, 1);
}

/* processor_decode.c: the decode thread's body (arg: the processor). */
void *kzv_proc_decode_main(void *arg);

/* processor_seek.c: performed by the decode thread (mx not held). */
int kzv_proc_do_seek(kzv_processor *p, double t, int64_t frame, kzv_seek_mode mode);
/* Drop everything queued (and frame_for's frame), counted as discarded. mx held. */
void kzv_proc_flush(kzv_processor *p);

/* processor_clock.c */
double kzv_proc_now(const kzv_processor *p);
/* due time of `pts`; false when the clock is not running or paused. mx held. */
bool kzv_proc_due(const kzv_pclock *c, double pts, double *due);
void kzv_proc_clock_start(kzv_pclock *c, double pts, double now);
/* Wait on cv until `until` (time-source seconds) at most, or a broadcast;
 * with an injected time source, real waits are short slices. mx held. */
void kzv_proc_cv_wait_until(kzv_processor *p, double until);
/* How long past its due time frame `f` may be shown (seconds; INFINITY = never late). */
double kzv_proc_late_threshold(const kzv_processor *p, const kzv_frame *f);
/* Seconds a frame lasts (its duration, or 1/fps, or 1/25). */
double kzv_proc_frame_duration(const kzv_processor *p, const kzv_frame *f);

/* processor_pick.c: the next frame for the consumer (late drops, upload);
 * does not count `processing`. tex may be NULL. */
int kzv_proc_next(kzv_processor *p, kzv_frame **out, kzv_texture *tex, int64_t timeout_ns);
/* processor.c */
void kzv_proc_set_error(kzv_processor *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void kzv_proc_update_dropped(kzv_processor *p);

#endif
