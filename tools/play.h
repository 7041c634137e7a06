/*
 * kzv play: shared declarations of cmd_play.c (CLI, presentation loop),
 * play_pipeline.c (decode thread + bounded queue + presentation clock) and
 * play_gl.c (GL drawing, SDL window, offscreen FBO).
 */
#ifndef KZV_TOOLS_PLAY_H
#define KZV_TOOLS_PLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kzv.h"

/* ---- presentation clock (play_pipeline.c) --------------------------------
 * target(pts) = start + (pts - first_pts) / speed, in kzv_now() seconds
 * (CLOCK_MONOTONIC). The clock is not running until the first frame (after
 * open or after a seek) is ready; pausing freezes it (start moves forward by
 * the paused time on resume). Every field is protected by play_pipe.mx. */
typedef struct play_clock {
    bool running;
    double start;      /* wall time (kzv_now) of first_pts */
    double first_pts;  /* media time the clock was started at */
    double speed;
    bool paused;
    double pause_at;   /* wall time the pause began */
    double paused_total; /* seconds spent paused (finished pauses) */
    int64_t pauses;    /* number of pauses */
} play_clock;

/* ---- the pipeline --------------------------------------------------------
 * One decode thread owns the kzv_decoder; it decodes in display order and
 * pushes into a kzv_queue of `capacity` frames. Seeks are requests handed to
 * it under `mx` (the decoder is single-threaded); the presentation thread
 * flushes the queue in the same critical section, and the decode thread only
 * pushes while holding `mx` after checking for a pending seek, so no frame
 * from before a seek can reach the presenter after it. */
typedef struct play_pipe {
    kzv_decoder *dec;
    kzv_queue *q;
    int capacity;
    kzv_queue_policy policy;
    bool fast;              /* no clock: the decode thread just fills the queue */
    int64_t max_frames;     /* stop decoding after this many frames; -1 = all */
    double max_duration;    /* stop at pts - first pts >= this; <= 0 = no limit */

    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mx;
    pthread_cond_t cv;      /* state changes (seek request, quit, push, eos) */

    /* under mx */
    play_clock clock;
    bool quit;
    bool seek_pending;
    double seek_target;
    bool eos;               /* the decoder is at its end (or failed, see err) */
    int err;                /* first decode error (< 0, never KZV_EOF) */
    char errmsg[512];
    int64_t decoded;        /* frames out of the decoder */
    int64_t discarded;      /* decoded frames thrown away by a seek or quit */
    int64_t seeks;
    double first_pts;       /* pts of the first decoded frame (NAN before) */
} play_pipe;

int play_pipe_start(play_pipe *p, kzv_decoder *dec, int capacity, kzv_queue_policy policy,
                    bool fast, int64_t max_frames, double max_duration);
/* Pop the next frame (waiting up to timeout_s). Returns KZV_OK (*out owned
 * by the caller), KZV_EAGAIN (nothing yet) or KZV_EOF (the stream is over:
 * the decoder ended or failed — see p->err — and the queue is empty). */
int play_pipe_pop(play_pipe *p, kzv_frame **out, double timeout_s);
/* Ask for an exact seek to `seconds`; flushes the queue (counted as
 * discarded) and stops the clock until the next frame. */
void play_pipe_seek(play_pipe *p, double seconds);
/* Stop the thread, drop what is queued (discarded), free the queue. The
 * decoder stays the caller's. */
void play_pipe_stop(play_pipe *p);
/* Frames the queue dropped (DROP_OLDEST). */
int64_t play_pipe_queue_dropped(play_pipe *p);

/* clock helpers; lock p->mx yourself around them or use the locked ones */
void play_clock_start(play_pipe *p, double pts, double now);
/* Wall-clock target of `pts`; false when the clock is not running or paused. */
bool play_clock_target(play_pipe *p, double pts, double *target);
void play_clock_pause(play_pipe *p, bool pause, double now);
bool play_clock_paused(play_pipe *p);
/* Sleep until `t` (kzv_now seconds) on CLOCK_MONOTONIC, absolute. */
void play_sleep_until(double t);

/* ---- GL drawing (play_gl.c; only with KZV_PLAY_HAVE_GL) -------------------
 * A full-viewport textured quad with aspect-ratio letterboxing, in the
 * context current on the calling thread (GLES 3 or desktop GL >= 3.3). */
typedef struct play_renderer play_renderer;
int play_renderer_create(play_renderer **out, bool gles);
/* Clear the target (w×h pixels, black) and draw `tex` (its size tw×th,
 * display aspect `dar` (0 = tw/th)) centred and letterboxed. */
void play_renderer_draw(play_renderer *r, unsigned tex, int tw, int th, double dar, int w, int h);
/* Offscreen target: an RGBA8 FBO of w×h (made on first use, resized). */
int play_renderer_bind_fbo(play_renderer *r, int w, int h);
/* Read the bound framebuffer (w×h, bottom-up in GL) to a top-down RGB24 frame and write a PNG. */
int play_renderer_snapshot(int w, int h, const char *path);
void play_renderer_destroy(play_renderer **r);

/* ---- the SDL window (play_gl.c; only with KZV_HAVE_SDL) ------------------ */
typedef struct play_window play_window;
typedef enum play_event {
    PLAY_EV_NONE = 0, PLAY_EV_QUIT, PLAY_EV_PAUSE, PLAY_EV_SEEK_BACK, PLAY_EV_SEEK_FWD,
    PLAY_EV_EXPOSE, PLAY_EV_START,
} play_event;
int play_window_open(play_window **out, int w, int h, char *err, size_t errlen);
bool play_window_is_gles(const play_window *win);
/* The X11 window id (for scripts: xdotool windowfocus ID); 0 when the window
 * is not an X11 one (Wayland, …). */
unsigned long play_window_x11_id(play_window *win);
void play_window_size(play_window *win, int *w, int *h);
/* Next pending event (waiting up to timeout_ms, 0 = poll). */
play_event play_window_event(play_window *win, int timeout_ms);
void play_window_swap(play_window *win);
void play_window_close(play_window **win);

#endif
