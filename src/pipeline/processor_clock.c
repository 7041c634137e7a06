/*
 * The processor's presentation clock: its time source (CLOCK_MONOTONIC or
 * the one injected in the settings), due times, pause and rate from any
 * thread, and kzv_processor_wait(), where the consumer waits for a frame's
 * due time without missing a seek, a pause or a stop.
 */
#include <math.h>
#include <stdatomic.h>

#include "pipeline/processor_internal.h"
#include "core/thread.h"

/* With an injected time source the real waits on cv are slices of this
 * length: the fake clock may jump at any moment, so look again soon. */
#define FAKE_SLICE_NS (2 * INT64_C(1000000))

double kzv_proc_now(const kzv_processor *p)
{
    if (p->settings.clock_now)
        return p->settings.clock_now(p->settings.clock_user);
    return (double)kzv_time_ns() / (double)KZV_NS_PER_SEC;
}

bool kzv_proc_due(const kzv_pclock *c, double pts, double *due)
{
    if (!c->running || c->paused)
        return false;
    *due = c->start + (pts - c->first_pts) / c->rate;
    return true;
}

void kzv_proc_clock_start(kzv_pclock *c, double pts, double now)
{
    c->running = true;
    c->start = now;
    c->first_pts = pts;
    if (c->paused)
        c->pause_at = now;
}

static struct timespec to_timespec(double t)
{
    struct timespec ts;
    if (!(t > 0))
        t = 0;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    if (ts.tv_nsec < 0)
        ts.tv_nsec = 0;
    return ts;
}

void kzv_proc_cv_wait_until(kzv_processor *p, double until)
{
    struct timespec ts;
    if (isinf(until) && until > 0) {  /* no deadline: only a broadcast can help */
        kzv_cond_wait(&p->cv, &p->mx);
        return;
    }
    if (p->settings.clock_now) {
        if (kzv_deadline(&ts, FAKE_SLICE_NS) == 0)
            kzv_cond_timedwait(&p->cv, &p->mx, &ts);
        return;
    }
    ts = to_timespec(until);
    kzv_cond_timedwait(&p->cv, &p->mx, &ts);
}

double kzv_proc_frame_duration(const kzv_processor *p, const kzv_frame *f)
{
    if (f->duration > 0)
        return f->duration;
    double fps = kzv_decoder_info(p->dec)->fps;
    return fps > 0 ? 1.0 / fps : 1.0 / 25;
}

double kzv_proc_late_threshold(const kzv_processor *p, const kzv_frame *f)
{
    double t = p->settings.late_threshold;
    if (t < 0)
        return INFINITY;
    if (t > 0)
        return t;
    return kzv_proc_frame_duration(p, f) / p->clock.rate;
}

void kzv_processor_pause(kzv_processor *p, bool pause)
{
    if (!p)
        return;
    kzv_mutex_lock(&p->mx);
    kzv_pclock *c = &p->clock;
    double now = kzv_proc_now(p);
    if (pause && !c->paused) {
        c->paused = true;
        c->pause_at = now;
    } else if (!pause && c->paused) {
        c->paused = false;
        if (c->running)
            c->start += now - c->pause_at;
    }
    kzv_cond_broadcast(&p->cv);
    kzv_mutex_unlock(&p->mx);
}

bool kzv_processor_paused(const kzv_processor *p)
{
    if (!p)
        return false;
    kzv_processor *q = (kzv_processor *)p; /* the lock, not the state, changes */
    kzv_mutex_lock(&q->mx);
    bool r = q->clock.paused;
    kzv_mutex_unlock(&q->mx);
    return r;
}

/* Media time of the clock at `now`. mx held; the clock is running. */
static double media_time(const kzv_pclock *c, double now)
{
    double at = c->paused ? c->pause_at : now;
    return c->first_pts + (at - c->start) * c->rate;
}

int kzv_processor_set_rate(kzv_processor *p, double rate)
{
    if (!p || !(rate > 0) || isinf(rate))
        return KZV_EINVAL;
    kzv_mutex_lock(&p->mx);
    kzv_pclock *c = &p->clock;
    if (c->running) {
        /* Re-anchor at the current position, so that nothing jumps. */
        double now = kzv_proc_now(p);
        double at = c->paused ? c->pause_at : now;
        c->first_pts = media_time(c, now);
        c->start = at;
    }
    c->rate = rate;
    kzv_cond_broadcast(&p->cv);
    kzv_mutex_unlock(&p->mx);
    return KZV_OK;
}

double kzv_processor_clock_time(const kzv_processor *p)
{
    if (!p)
        return NAN;
    kzv_processor *q = (kzv_processor *)p;
    kzv_mutex_lock(&q->mx);
    double t = q->clock.running ? media_time(&q->clock, kzv_proc_now(q)) : NAN;
    kzv_mutex_unlock(&q->mx);
    return t;
}

int kzv_processor_wait(kzv_processor *p, const kzv_frame *f, int64_t timeout_ns, double *late_s)
{
    if (!p || !f)
        return KZV_EINVAL;
    if (late_s)
        *late_s = 0;
    double t_end = INFINITY;
    if (timeout_ns >= 0)
        t_end = kzv_proc_now(p) + (double)timeout_ns / (double)KZV_NS_PER_SEC;
    kzv_mutex_lock(&p->mx);
    int ret;
    for (;;) {
        if (atomic_load(&p->canceled) || atomic_load(&p->quit) || p->out_gen != p->gen) {
            ret = KZV_ECANCELED;
            break;
        }
        if (!p->settings.realtime) {
            ret = KZV_OK;
            break;
        }
        double now = kzv_proc_now(p), due = 0;
        if (!p->clock.running && !p->clock.paused) {
            /* the first frame (after open or a seek): it starts the clock */
            kzv_proc_clock_start(&p->clock, f->pts, now);
            kzv_cond_broadcast(&p->cv);
            ret = KZV_OK;
            break;
        }
        bool have = kzv_proc_due(&p->clock, f->pts, &due);
        if (have && now >= due) {
            if (late_s)
                *late_s = now - due;
            ret = KZV_OK;
            break;
        }
        if (now >= t_end) {
            ret = KZV_ETIMEDOUT;
            break;
        }
        double until = have && due < t_end ? due : t_end;
        if (p->settings.clock_now && isfinite(until)) {
            /* A fake clock: let the test's sleep advance it, unlocked. */
            kzv_mutex_unlock(&p->mx);
            p->settings.clock_sleep(p->settings.clock_user, until);
            kzv_mutex_lock(&p->mx);
        } else {
            kzv_proc_cv_wait_until(p, until);
        }
    }
    kzv_mutex_unlock(&p->mx);
    return ret;
}
