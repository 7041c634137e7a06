/*
 * kzv play: the decode thread, its bounded queue and the presentation clock.
 *
 * Why not kzv_processor: it uploads every frame before its callback sees it
 * (a late frame could not be dropped before its upload) and it cannot seek.
 * So play runs its own decode thread on a kzv_decoder and a kzv_queue:
 *
 *   decode thread: kzv_decoder_next() → hold the frame → push it when
 *     BLOCK policy, --fast, clock stopped or paused: as soon as there is room
 *                   (never drops);
 *     DROP_OLDEST:  when there is room, or, with the queue full, as soon as
 *                   the new frame's own target time has come: the oldest
 *                   queued frame is then superseded and the queue drops it.
 *   A file decodes faster than real time, so a decode thread that pushed
 *   into a DROP_OLDEST queue unconditionally would race ahead and drop
 *   almost everything; pacing it by the clock keeps the queue's drops for
 *   the case they exist for: a presenter that has fallen behind.
 *
 *   seek: the presenter sets a request and flushes the queue under `mx`; the
 *   decode thread checks for a request under `mx` right before every push
 *   (and throws away the frame it holds), then seeks the decoder exactly.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "play.h"

/* kzv_now() seconds as an absolute CLOCK_MONOTONIC timespec */
static struct timespec abs_time(double t)
{
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

void play_sleep_until(double t)
{
    struct timespec ts = abs_time(t);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

/* absolute CLOCK_MONOTONIC timed wait (the condvar uses CLOCK_MONOTONIC) */
static void cv_wait_until(play_pipe *p, double t)
{
    struct timespec ts = abs_time(t);
    pthread_cond_timedwait(&p->cv, &p->mx, &ts);
}

void play_clock_start(play_pipe *p, double pts, double now)
{
    p->clock.running = true;
    p->clock.start = now;
    p->clock.first_pts = pts;
    if (p->clock.paused)
        p->clock.pause_at = now;
}

bool play_clock_target(play_pipe *p, double pts, double *target)
{
    if (!p->clock.running || p->clock.paused)
        return false;
    *target = p->clock.start + (pts - p->clock.first_pts) / p->clock.speed;
    return true;
}

void play_clock_pause(play_pipe *p, bool pause, double now)
{
    pthread_mutex_lock(&p->mx);
    if (pause && !p->clock.paused) {
        p->clock.paused = true;
        p->clock.pause_at = now;
        p->clock.pauses++;
    } else if (!pause && p->clock.paused) {
        p->clock.paused = false;
        p->clock.paused_total += now - p->clock.pause_at;
        if (p->clock.running)
            p->clock.start += now - p->clock.pause_at;
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mx);
}

bool play_clock_paused(play_pipe *p)
{
    pthread_mutex_lock(&p->mx);
    bool r = p->clock.paused;
    pthread_mutex_unlock(&p->mx);
    return r;
}

static void *decode_main(void *arg)
{
    play_pipe *p = arg;
    kzv_frame *f = NULL;
    pthread_mutex_lock(&p->mx);
    while (!p->quit) {
        if (p->seek_pending) {
            if (f) {
                kzv_frame_unref(&f);
                p->discarded++;
            }
            double t = p->seek_target;
            p->seek_pending = false;
            p->eos = false;
            pthread_mutex_unlock(&p->mx);
            int err = kzv_decoder_seek(p->dec, t, KZV_SEEK_EXACT);
            pthread_mutex_lock(&p->mx);
            if (err < 0) {
                p->eos = true;      /* past the end: playback is over */
                if (err != KZV_EOF && !p->err) {
                    p->err = err;
                    snprintf(p->errmsg, sizeof(p->errmsg), "%s", kzv_decoder_last_error(p->dec));
                }
            }
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        if (!f) {
            if (p->eos) {
                pthread_cond_wait(&p->cv, &p->mx);
                continue;
            }
            pthread_mutex_unlock(&p->mx);
            int err = kzv_decoder_next(p->dec, &f);
            char msg[sizeof(p->errmsg)];
            if (err < 0 && err != KZV_EOF)
                snprintf(msg, sizeof(msg), "%s", kzv_decoder_last_error(p->dec));
            pthread_mutex_lock(&p->mx);
            if (err == KZV_OK) {
                if (isnan(p->first_pts))
                    p->first_pts = f->pts;
                if ((p->max_frames >= 0 && p->decoded >= p->max_frames) ||
                    (p->max_duration > 0 && f->pts - p->first_pts >= p->max_duration)) {
                    kzv_frame_unref(&f);   /* beyond the requested span: not "decoded" */
                    p->eos = true;
                } else {
                    p->decoded++;
                }
            } else {
                p->eos = true;
                if (err != KZV_EOF && !p->err && !p->quit) {
                    p->err = err;
                    memcpy(p->errmsg, msg, sizeof(msg));
                }
            }
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        /* holding a frame: push it now or wait */
        kzv_queue_stats qs;
        kzv_queue_get_stats(p->q, &qs);
        bool room = qs.size < qs.capacity;
        double target = 0, now = kzv_now();
        bool timed = !p->fast && p->policy == KZV_QUEUE_DROP_OLDEST &&
                     play_clock_target(p, f->pts, &target);
        if (room || (timed && target <= now)) {
            if (kzv_queue_push(p->q, f, 0) == KZV_OK) {
                f = NULL;
                pthread_cond_broadcast(&p->cv);
                continue;
            }
        }
        /* wake on a pop, a seek, quit, or (DROP_OLDEST) at the frame's target */
        double until = now + 0.005;
        if (timed && target < until)
            until = target;
        cv_wait_until(p, until);
    }
    if (f) {
        kzv_frame_unref(&f);
        p->discarded++;
    }
    pthread_mutex_unlock(&p->mx);
    return NULL;
}

int play_pipe_start(play_pipe *p, kzv_decoder *dec, int capacity, kzv_queue_policy policy,
                    bool fast, int64_t max_frames, double max_duration)
{
    memset(p, 0, sizeof(*p));
    p->dec = dec;
    p->capacity = capacity;
    p->policy = policy;
    p->fast = fast;
    p->max_frames = max_frames;
    p->max_duration = max_duration;
    p->first_pts = NAN;
    p->clock.speed = 1.0;
    kzv_queue_settings qs;
    kzv_queue_default_settings(&qs);
    qs.capacity = capacity;
    qs.policy = policy;
    int err = kzv_queue_create(&p->q, &qs);
    if (err < 0)
        return err;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&p->mx, NULL);
    if (pthread_create(&p->thread, NULL, decode_main, p) != 0) {
        kzv_queue_destroy(&p->q);
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mx);
        return KZV_ENOMEM;
    }
    p->thread_started = true;
    return KZV_OK;
}

int play_pipe_pop(play_pipe *p, kzv_frame **out, double timeout_s)
{
    double until = kzv_now() + timeout_s;
    for (int tries = 0;; tries++) {
        if (kzv_queue_pop(p->q, out, 0) == KZV_OK) {
            pthread_mutex_lock(&p->mx);
            pthread_cond_broadcast(&p->cv);   /* room for the decode thread */
            pthread_mutex_unlock(&p->mx);
            return KZV_OK;
        }
        pthread_mutex_lock(&p->mx);
        kzv_queue_stats qs;
        kzv_queue_get_stats(p->q, &qs);
        if (qs.size == 0 && p->eos && !p->seek_pending) {
            pthread_mutex_unlock(&p->mx);
            return KZV_EOF;
        }
        if (qs.size > 0) {               /* pushed meanwhile */
            pthread_mutex_unlock(&p->mx);
            continue;
        }
        if (tries > 0 || kzv_now() >= until) {
            pthread_mutex_unlock(&p->mx);
            return KZV_EAGAIN;
        }
        cv_wait_until(p, until);         /* the decode thread broadcasts every push */
        pthread_mutex_unlock(&p->mx);
    }
}

void play_pipe_seek(play_pipe *p, double seconds)
{
    pthread_mutex_lock(&p->mx);
    p->seek_pending = true;
    p->seek_target = seconds;
    p->seeks++;
    kzv_frame *f;
    while (kzv_queue_pop(p->q, &f, 0) == KZV_OK) {
        kzv_frame_unref(&f);
        p->discarded++;
    }
    p->clock.running = false;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mx);
}

int64_t play_pipe_queue_dropped(play_pipe *p)
{
    kzv_queue_stats qs;
    kzv_queue_get_stats(p->q, &qs);
    return qs.total_dropped;
}

void play_pipe_stop(play_pipe *p)
{
    if (!p->thread_started)
        return;
    pthread_mutex_lock(&p->mx);
    p->quit = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mx);
    pthread_join(p->thread, NULL);
    p->thread_started = false;
    kzv_frame *f;
    while (kzv_queue_pop(p->q, &f, 0) == KZV_OK) {
        kzv_frame_unref(&f);
        p->discarded++;
    }
    kzv_queue_destroy(&p->q);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mx);
}
