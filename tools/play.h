/*
 * kzv play: shared declarations of cmd_play.c (CLI, presentation loop over
 * kzv_processor, which owns decoding, the queue and the clock) and play_gl.c
 * (GL drawing, SDL window, offscreen FBO).
 */
#ifndef KZV_TOOLS_PLAY_H
#define KZV_TOOLS_PLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "kzv.h"

/* ---- GL drawing (play_gl.c; only with KZV_PLAY_HAVE_GL) -------------------
 * A full-viewport textured quad with aspect-ratio letterboxing, in the
 * context current on the calling thread (GLES 3 or desktop GL >= 3.3). */
typedef struct play_renderer play_renderer;
int play_renderer_create(play_renderer **out, bool gles);
/* Clear the target (w×h pixels, black) and draw `tex` (its size tw×th)
 * turned `turn` degrees clockwise (0, 90, 180, 270), centred and letterboxed
 * with the display aspect `dar` of the turned picture (0 = its pixel size's). */
void play_renderer_draw(play_renderer *r, unsigned tex, int tw, int th, int turn, double dar,
                        int w, int h);
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
