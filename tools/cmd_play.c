/*
 * kzv play FILE: real-time playback.
 *
 * Threads: a decode thread (play_pipeline.c) runs a kzv_decoder into a
 * bounded kzv_queue; this thread pops frames, decides, uploads, presents and
 * releases. The GL context (the SDL window's, or the gl uploader's own
 * headless one) lives on this thread only.
 *
 * Clock: CLOCK_MONOTONIC (kzv_now). The first frame after open (or after a
 * seek) starts it: target(pts) = start + (pts - first_pts) / speed, so VFR
 * timing is exact and nothing accumulates over a long file. Pausing freezes
 * the clock (start moves forward by the paused time).
 *
 * Dropping: a popped frame that is, or would be once uploaded (the upload
 * time is predicted by a moving average of the last uploads), more than
 * --late-ms (default: its own duration / speed) past its target is dropped
 * before any upload (dropped_late). With the DROP_OLDEST queue (default) the decode thread
 * also replaces the oldest queued frame when a newer one is already due
 * (dropped_queue). "dropped" = dropped_late + dropped_queue; frames thrown
 * away by a seek or an early quit are "discarded" (so that presented +
 * dropped + discarded == decoded).
 *
 * Seeking (window: left/right = -/+5 s): an exact decoder seek done by the
 * decode thread (kzv_processor has no seek); the queue is flushed and the
 * clock restarts at the first frame after the seek.
 *
 * --start-paused (window): the clock is held before the first frame until the
 * first space or Enter (Enter does nothing else, so a script can repeat it
 * until "started" is printed), so that a script (tests/play/keys.sh) can find the window and
 * give it the keyboard before anything plays, however slowly the window
 * manager or a sanitizer build gets there. That hold is not a pause (not in
 * pauses or paused_s), and wall_s counts from the moment playback starts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kzv.h"
#include "play.h"

static const char usage[] =
    "Usage: kzv play FILE [OPTIONS]\n"
    "Play FILE in real time: each frame is shown at its timestamp (CLOCK_MONOTONIC,\n"
    "variable frame rate respected); frames that are too late are dropped.\n"
    "Window keys: space pause/resume, left/right seek -/+5 s, q or Escape quit.\n"
    "  --headless          no window: upload every presented frame offscreen\n"
    "                      (the gl uploader's own EGL context, or --uploader memory)\n"
    "  --fast              do not wait for frame times (as fast as possible; no drops)\n"
    "  --uploader U        gl (default) or memory (host copies; --headless only)\n"
    "  --gl-path P         yuv (default: upload the source's own YUV layout and depth,\n"
    "                      8 or 10 bit, 4:2:0/4:2:2/4:4:4, as decoded; convert on the\n"
    "                      GPU) or rgb (decode to RGB24 on the CPU)\n"
    "  --verify            read every uploaded texture back and compare it with the\n"
    "                      CPU frame (rgb: exact; yuv: with the CPU's RGB24 conversion\n"
    "                      of the same decoded source, <= 2 levels)\n"
    "  --queue N           frames held between decoding and presenting (default 4)\n"
    "  --policy P          drop (default: drop the oldest queued frame when a newer one\n"
    "                      is due) or block (the decoder waits for room)\n"
    "  --late-ms N         drop a frame more than N ms after its time (default: one\n"
    "                      frame duration)\n"
    "  --speed X           playback speed factor (default 1)\n"
    "  --frames N          play at most N frames\n"
    "  --duration S        play at most S seconds of the file\n"
    "  --threads N         decoding threads (default 0 = one per core)\n"
    "  --size WxH          window size (default: the video's, fitted to the screen) or,\n"
    "                      with --headless --render, the offscreen target's size\n"
    "  --render            --headless gl: also draw each frame into an offscreen FBO\n"
    "  --hold-last         window: keep showing the last frame until quit\n"
    "  --snapshot FILE     write what was last drawn (window or FBO) as a PNG\n"
    "  --start-paused      window: open it and wait for space or Enter before playing\n"
    "                      anything (for scripts that type keys; Enter only starts, so\n"
    "                      a script may repeat it; wall_s counts from the start)\n"
    "Prints one line of JSON: decoded, presented, dropped, uploaded, released,\n"
    "mismatches, late_ms_mean, late_ms_max, and a breakdown: dropped_late,\n"
    "dropped_queue, discarded (queued when a seek came), verified, max_diff, errors,\n"
    "seeks, pauses, paused_s (finished pauses), last_pts (of the last frame shown;\n"
    "-1 for none), wall_s, uploader, path, format (the pixel format uploaded).\n"
    "Exit: 0 ok, 1 --verify mismatches or unreleased textures, 2 usage, 3 input error.\n";

typedef struct play {
    const char *cmd, *path;
    /* options */
    bool headless, fast, verify, use_gl, yuv, render, hold_last, start_paused;
    int queue;
    kzv_queue_policy policy;
    double late_ms, speed, duration;
    long long frames, threads;
    int size_w, size_h;
    const char *snapshot;

    const kzv_video_info *info;
    double dar;
    kzv_decoder *dec;
    play_pipe pipe;
    kzv_uploader *up;
    play_renderer *rend;
    play_window *win;
    bool quit;
    bool waiting_start;   /* --start-paused, before the first space */
    double t0;            /* kzv_now() when playback started (wall_s) */
    int64_t seek_gen;

    /* verification */
    kzv_decoder *ref;
    kzv_frame *ref_frame;
    int64_t ref_next;
    uint8_t *rgba;
    size_t rgba_size;

    /* the texture on screen (kept live until the next one is presented) */
    kzv_texture cur;
    int cur_w, cur_h;
    double cur_pts;
    bool have_pts;

    /* counters */
    int64_t presented, dropped_late, uploaded, released, mismatches, verified, errors;
    int max_diff;
    double late_sum, late_max;
    double prep_ema;   /* moving average of upload (+ verify, draw) time, seconds */
    bool drawn;
} play;

#if defined(KZV_PLAY_HAVE_GL) && defined(KZV_HAVE_SDL)
#define PLAY_WINDOW 1
#endif

/* ---- verification ------------------------------------------------------- */

static const kzv_frame *ref_get(play *pl, int64_t idx)
{
    if (pl->ref_frame && pl->ref_frame->frame_index == idx)
        return pl->ref_frame;
    if (idx < pl->ref_next || idx - pl->ref_next > 64) {
        kzv_frame_unref(&pl->ref_frame);
        if (kzv_decoder_seek_frame(pl->ref, idx) < 0)
            return NULL;
        pl->ref_next = idx;
    }
    for (;;) {
        kzv_frame_unref(&pl->ref_frame);
        if (kzv_decoder_next(pl->ref, &pl->ref_frame) < 0)
            return NULL;
        pl->ref_next = pl->ref_frame->frame_index + 1;
        if (pl->ref_frame->frame_index >= idx)
            return pl->ref_frame->frame_index == idx ? pl->ref_frame : NULL;
    }
}

/* Largest difference between the RGBA read-back and an RGB24/RGBA frame. */
static int rgba_diff(const uint8_t *rgba, int w, int h, const kzv_frame *f)
{
    if (f->width != w || f->height != h)
        return 256;
    int bpp = f->format == KZV_PIXFMT_RGBA ? 4 : 3, m = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *a = rgba + (size_t)y * w * 4, *b = f->data[0] + (size_t)y * f->stride[0];
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                int d = abs((int)a[4 * x + c] - (int)b[bpp * x + c]);
                if (d > m)
                    m = d;
            }
    }
    return m;
}

/* Same planes, byte for byte (memory backend: the host copy vs the frame). */
static int frame_diff(const kzv_frame *a, const kzv_frame *b)
{
    if (a->width != b->width || a->height != b->height || a->format != b->format)
        return 256;
    int m = 0;
    for (int p = 0; p < 4; p++) {
        int ph;
        size_t row;
        if (kzv_pixfmt_plane_size(a->format, a->width, a->height, p, NULL, &ph, &row) < 0)
            break;
        for (int y = 0; y < ph; y++) {
            const uint8_t *ra = a->data[p] + (size_t)y * a->stride[p];
            const uint8_t *rb = b->data[p] + (size_t)y * b->stride[p];
            for (size_t x = 0; x < row; x++) {
                int d = abs((int)ra[x] - (int)rb[x]);
                if (d > m)
                    m = d;
            }
        }
    }
    return m;
}

static void verify_frame(play *pl, const kzv_frame *f, kzv_texture t)
{
    int diff = 256;
    if (!pl->use_gl) {
        kzv_frame *m = NULL;
        if (kzv_uploader_memory_read(pl->up, t, &m) == KZV_OK) {
            diff = frame_diff(m, f);
            kzv_frame_unref(&m);
        }
        pl->verified++;
        if (diff > pl->max_diff)
            pl->max_diff = diff;
        if (diff != 0)
            pl->mismatches++;
        return;
    }
    size_t need = (size_t)f->width * 4 * (size_t)f->height;
    if (need > pl->rgba_size) {
        free(pl->rgba);
        pl->rgba = malloc(need);
        pl->rgba_size = pl->rgba ? need : 0;
    }
    int tol = 0;
    if (pl->rgba && kzv_gl_read_texture(pl->up, t, pl->rgba, f->width * 4) == KZV_OK) {
        if (f->format == KZV_PIXFMT_RGB24 || f->format == KZV_PIXFMT_RGBA) {
            diff = rgba_diff(pl->rgba, f->width, f->height, f);
        } else {
            tol = 2;   /* GPU YUV->RGB vs the CPU's RGB24 conversion */
            const kzv_frame *r = ref_get(pl, f->frame_index);
            if (r)
                diff = rgba_diff(pl->rgba, f->width, f->height, r);
        }
    }
    pl->verified++;
    if (diff > pl->max_diff)
        pl->max_diff = diff;
    if (diff > tol) {
        if (pl->mismatches < 5)
            kzv_errorf(pl->cmd, "--verify: frame %lld differs by %d levels", (long long)f->frame_index,
                       diff);
        pl->mismatches++;
    }
}

/* ---- window events ------------------------------------------------------ */

static void release_cur(play *pl)
{
    if (pl->cur) {
        if (kzv_uploader_release(pl->up, pl->cur) == KZV_OK)
            pl->released++;
        pl->cur = KZV_NO_TEXTURE;
    }
}

/* --start-paused: hold (or release) the clock before the first frame. Not a
 * pause: pauses and paused_s stay as they are. */
static void hold_start(play *pl, bool hold)
{
    pthread_mutex_lock(&pl->pipe.mx);
    pl->pipe.clock.paused = hold;
    pthread_cond_broadcast(&pl->pipe.cv);
    pthread_mutex_unlock(&pl->pipe.mx);
    pl->waiting_start = hold;
    pl->t0 = kzv_now();
    if (!hold)
        fprintf(stderr, "kzv play: started\n");
}

#ifdef PLAY_WINDOW
static void redraw(play *pl)
{
    int w, h;
    play_window_size(pl->win, &w, &h);
    unsigned name = pl->cur ? kzv_gl_texture_name(pl->up, pl->cur) : 0;
    play_renderer_draw(pl->rend, name, pl->cur_w, pl->cur_h, pl->dar, w, h);
    pl->drawn = true;
}

static void do_seek(play *pl, double delta)
{
    double pos = pl->have_pts ? pl->cur_pts : pl->info->start_time;
    double t = pos + delta;
    if (t < pl->info->start_time)
        t = pl->info->start_time;
    play_pipe_seek(&pl->pipe, t);
    pl->seek_gen++;
}

/* Handle what is pending; wait up to timeout_ms for the first event. */
static void pump_events(play *pl, int timeout_ms)
{
    for (play_event e; (e = play_window_event(pl->win, timeout_ms)) != PLAY_EV_NONE; timeout_ms = 0) {
        switch (e) {
        case PLAY_EV_QUIT: pl->quit = true; break;
        case PLAY_EV_PAUSE:
            if (pl->waiting_start)
                hold_start(pl, false);
            else
                play_clock_pause(&pl->pipe, !play_clock_paused(&pl->pipe), kzv_now());
            break;
        case PLAY_EV_START:   /* Enter: starts a --start-paused run; nothing else */
            if (pl->waiting_start)
                hold_start(pl, false);
            break;
        case PLAY_EV_SEEK_BACK: do_seek(pl, -5.0); break;
        case PLAY_EV_SEEK_FWD: do_seek(pl, 5.0); break;
        case PLAY_EV_EXPOSE:
            redraw(pl);
            play_window_swap(pl->win);
            break;
        default: break;
        }
    }
}
#endif

/* Wait until the frame's target time. Returns false when the frame must be
 * abandoned (quit or seek meanwhile); *target receives the target used. */
static bool wait_target(play *pl, double pts, double *target)
{
    int64_t gen = pl->seek_gen;
    for (;;) {
        if (pl->quit || pl->seek_gen != gen)
            return false;
        pthread_mutex_lock(&pl->pipe.mx);
        bool have = play_clock_target(&pl->pipe, pts, target);
        bool paused = pl->pipe.clock.paused;
        pthread_mutex_unlock(&pl->pipe.mx);
        double now = kzv_now();
        if (!have && !paused) {      /* first frame (after open or a seek): start the clock */
            pthread_mutex_lock(&pl->pipe.mx);
            play_clock_start(&pl->pipe, pts, now);
            pthread_mutex_unlock(&pl->pipe.mx);
            *target = now;
            return true;
        }
        if (have && now >= *target)
            return true;
#ifdef PLAY_WINDOW
        if (pl->win) {
            pump_events(pl, 0);
            double until = have ? *target : now + 0.02;
            if (until > now + 0.01)
                until = now + 0.01;
            play_sleep_until(until);
            continue;
        }
#endif
        if (have)
            play_sleep_until(*target);
        else
            play_sleep_until(now + 0.01);   /* paused without a window cannot happen */
    }
}

static double frame_duration(const play *pl, const kzv_frame *f)
{
    if (f->duration > 0)
        return f->duration;
    return pl->info->fps > 0 ? 1.0 / pl->info->fps : 1.0 / 25;
}

/* One popped frame: drop it, or upload, (verify, draw), wait, present. */
static void handle_frame(play *pl, kzv_frame *f)
{
    double now = kzv_now(), target = 0;
    if (!pl->fast) {
        pthread_mutex_lock(&pl->pipe.mx);
        bool have = play_clock_target(&pl->pipe, f->pts, &target);
        pthread_mutex_unlock(&pl->pipe.mx);
        double thr = pl->late_ms >= 0 ? pl->late_ms / 1000.0 : frame_duration(pl, f) / pl->speed;
        /* late already, or will be once uploaded (upload time predicted) */
        if (have && now + pl->prep_ema > target + thr) {
            pl->dropped_late++;
            return;
        }
    }
    kzv_texture t = KZV_NO_TEXTURE;
    double t_prep = kzv_now();
    int err = kzv_uploader_upload(pl->up, f, &t);
    if (err < 0) {
        if (pl->errors++ < 5)
            kzv_errorf(pl->cmd, "upload of frame %lld failed: %s", (long long)f->frame_index,
                       kzv_strerror(err));
        return;
    }
    pl->uploaded++;
    if (pl->verify)
        verify_frame(pl, f, t);
#ifdef KZV_PLAY_HAVE_GL
    if (pl->rend && !pl->win) {       /* --headless --render: draw into the FBO now */
        int w = pl->size_w ? pl->size_w : f->width, h = pl->size_h ? pl->size_h : f->height;
        if (play_renderer_bind_fbo(pl->rend, w, h) == KZV_OK) {
            play_renderer_draw(pl->rend, kzv_gl_texture_name(pl->up, t), f->width, f->height,
                               pl->dar, w, h);
            pl->drawn = true;
        }
    }
#endif
    t_prep = kzv_now() - t_prep;
    pl->prep_ema = pl->uploaded == 1 ? t_prep : 0.8 * pl->prep_ema + 0.2 * t_prep;
    if (!pl->fast && !wait_target(pl, f->pts, &target)) {
        if (kzv_uploader_release(pl->up, t) == KZV_OK)   /* seek or quit: not shown */
            pl->released++;
        pthread_mutex_lock(&pl->pipe.mx);
        pl->pipe.discarded++;
        pthread_mutex_unlock(&pl->pipe.mx);
        return;
    }
    /* present: the new texture replaces the one on screen */
    kzv_texture old = pl->cur;
    pl->cur = t;
    pl->cur_w = f->width;
    pl->cur_h = f->height;
#ifdef PLAY_WINDOW
    if (pl->win) {
        redraw(pl);
        play_window_swap(pl->win);
    }
#endif
    double late = pl->fast ? 0 : kzv_now() - target;
    if (late < 0)
        late = 0;
    pl->late_sum += late;
    if (late > pl->late_max)
        pl->late_max = late;
    pl->presented++;
    pl->cur_pts = f->pts;
    pl->have_pts = true;
    if (old && kzv_uploader_release(pl->up, old) == KZV_OK)
        pl->released++;
}

static bool parse_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return false;
    const char *s2 = end + 1;
    long b = strtol(s2, &end, 10);
    if (end == s2 || *end || a < 1 || b < 1 || a > 16384 || b > 16384)
        return false;
    *w = (int)a;
    *h = (int)b;
    return true;
}

static bool parse_double(const char *s, double min, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < min)
        return false;
    *out = v;
    return true;
}

static int setup_output(play *pl)
{
    if (!pl->use_gl)
        return kzv_uploader_create_memory(&pl->up) == KZV_OK ? KZV_EXIT_OK : KZV_EXIT_INPUT;
    kzv_gl_settings gs;
    kzv_gl_default_settings(&gs);
    gs.path = pl->yuv ? KZV_GL_PATH_YUV : KZV_GL_PATH_RGB;
    if (!pl->headless) {
#ifdef PLAY_WINDOW
        int w = pl->size_w ? pl->size_w : pl->info->width;
        int h = pl->size_h ? pl->size_h : pl->info->height;
        if (!pl->size_w && pl->dar > 0)
            w = (int)lround(h * pl->dar);
        char msg[512];
        if (play_window_open(&pl->win, w, h, msg, sizeof(msg)) < 0) {
            kzv_errorf(pl->cmd, "%s (use --headless to play without a window)", msg);
            return KZV_EXIT_INPUT;
        }
        gs.use_current_context = true;
        int err = kzv_uploader_create_gl(&pl->up, &gs);
        if (err < 0) {
            kzv_errorf(pl->cmd, "cannot use the window's GL context: %s", kzv_strerror(err));
            return KZV_EXIT_INPUT;
        }
        if (play_renderer_create(&pl->rend, play_window_is_gles(pl->win)) < 0)
            return KZV_EXIT_INPUT;
        redraw(pl);
        play_window_swap(pl->win);
        return KZV_EXIT_OK;
#else
        kzv_errorf(pl->cmd, "this kzv was built without SDL2%s: no window; use --headless",
#ifdef KZV_PLAY_HAVE_GL
                   ""
#else
                   " and GL"
#endif
        );
        return KZV_EXIT_INPUT;
#endif
    }
    int err = kzv_uploader_create_gl(&pl->up, &gs);
    if (err < 0) {
        kzv_errorf(pl->cmd, "cannot create the gl uploader: %s (try --uploader memory)",
                   kzv_strerror(err));
        return KZV_EXIT_INPUT;
    }
#ifdef KZV_PLAY_HAVE_GL
    if (pl->render || pl->snapshot) {
        if (kzv_gl_make_current(pl->up) < 0 || play_renderer_create(&pl->rend, true) < 0)
            return KZV_EXIT_INPUT;
    }
#endif
    return KZV_EXIT_OK;
}

static void print_json(play *pl, double wall, int64_t dropped_queue)
{
    int64_t dropped = pl->dropped_late + dropped_queue;
    printf("{\"decoded\":%lld,\"presented\":%lld,\"dropped\":%lld,\"uploaded\":%lld,"
           "\"released\":%lld,\"mismatches\":%lld,\"late_ms_mean\":%.3f,\"late_ms_max\":%.3f,"
           "\"dropped_late\":%lld,\"dropped_queue\":%lld,\"discarded\":%lld,\"verified\":%lld,"
           "\"max_diff\":%d,\"errors\":%lld,\"seeks\":%lld,\"wall_s\":%.3f,\"uploader\":\"%s\","
           "\"path\":\"%s\",\"format\":\"%s\",\"pauses\":%lld,\"paused_s\":%.3f,\"last_pts\":%.6f}\n",
           (long long)pl->pipe.decoded, (long long)pl->presented, (long long)dropped,
           (long long)pl->uploaded, (long long)pl->released, (long long)pl->mismatches,
           pl->presented ? 1000.0 * pl->late_sum / (double)pl->presented : 0.0,
           1000.0 * pl->late_max, (long long)pl->dropped_late, (long long)dropped_queue,
           (long long)pl->pipe.discarded, (long long)pl->verified, pl->max_diff,
           (long long)pl->errors, (long long)pl->pipe.seeks, wall, pl->use_gl ? "gl" : "memory",
           pl->yuv ? "yuv" : "rgb", kzv_pixfmt_name(pl->info->format),
           (long long)pl->pipe.clock.pauses, pl->pipe.clock.paused_total,
           pl->have_pts ? pl->cur_pts : -1.0);
    fflush(stdout);
}

int cmd_play(int argc, char **argv)
{
    static const kzv_opt opts[] = {
        { "headless", 0, false }, { "fast", 0, false }, { "verify", 0, false },        /* 0-2 */
        { "uploader", 0, true }, { "gl-path", 0, true }, { "queue", 0, true },         /* 3-5 */
        { "policy", 0, true }, { "late-ms", 0, true }, { "speed", 0, true },           /* 6-8 */
        { "frames", 'n', true }, { "duration", 0, true }, { "threads", 0, true },      /* 9-11 */
        { "size", 0, true }, { "render", 0, false }, { "hold-last", 0, false },        /* 12-14 */
        { "snapshot", 0, true }, { "help", 'h', false }, { "start-paused", 0, false }, /* 15-17 */
        { 0 },
    };
    play pl_, *pl = &pl_;
    memset(pl, 0, sizeof(*pl));
    pl->use_gl = true;
    pl->yuv = true;
    pl->queue = 4;
    pl->policy = KZV_QUEUE_DROP_OLDEST;
    pl->late_ms = -1;
    pl->speed = 1.0;
    pl->frames = -1;
    const char *v;
    long long n;
    kzv_args a;
    kzv_args_init(&a, argc, argv);
    pl->cmd = a.cmd;
    for (int r; (r = kzv_args_next(&a, opts, &v)) != -2;) {
        switch (r) {
        case -3: return KZV_EXIT_USAGE;
        case -1:
            if (pl->path)
                return kzv_usage_error(a.cmd, "more than one FILE given");
            pl->path = v;
            break;
        case 0: pl->headless = true; break;
        case 1: pl->fast = true; break;
        case 2: pl->verify = true; break;
        case 3:
            if (!strcmp(v, "gl")) pl->use_gl = true;
            else if (!strcmp(v, "memory")) pl->use_gl = false;
            else return kzv_usage_error(a.cmd, "--uploader must be gl or memory, not '%s'", v);
            break;
        case 4:
            if (!strcmp(v, "yuv")) pl->yuv = true;
            else if (!strcmp(v, "rgb")) pl->yuv = false;
            else return kzv_usage_error(a.cmd, "--gl-path must be rgb or yuv, not '%s'", v);
            break;
        case 5:
            if (!kzv_parse_int(v, 1, 1024, &n))
                return kzv_usage_error(a.cmd, "--queue needs a number from 1 to 1024, not '%s'", v);
            pl->queue = (int)n;
            break;
        case 6:
            if (!strcmp(v, "drop") || !strcmp(v, "drop-oldest")) pl->policy = KZV_QUEUE_DROP_OLDEST;
            else if (!strcmp(v, "block")) pl->policy = KZV_QUEUE_BLOCK;
            else return kzv_usage_error(a.cmd, "--policy must be drop or block, not '%s'", v);
            break;
        case 7:
            if (!parse_double(v, 0, &pl->late_ms))
                return kzv_usage_error(a.cmd, "--late-ms needs a number >= 0, not '%s'", v);
            break;
        case 8:
            if (!parse_double(v, 1e-3, &pl->speed) || pl->speed > 1000)
                return kzv_usage_error(a.cmd, "--speed needs a number from 0.001 to 1000, not '%s'", v);
            break;
        case 9:
            if (!kzv_parse_int(v, 1, INT64_MAX, &pl->frames))
                return kzv_usage_error(a.cmd, "--frames needs a number >= 1, not '%s'", v);
            break;
        case 10:
            if (!parse_double(v, 1e-6, &pl->duration))
                return kzv_usage_error(a.cmd, "--duration needs a number of seconds > 0, not '%s'", v);
            break;
        case 11:
            if (!kzv_parse_int(v, 0, 1024, &pl->threads))
                return kzv_usage_error(a.cmd, "--threads needs a number from 0 to 1024, not '%s'", v);
            break;
        case 12:
            if (!parse_size(v, &pl->size_w, &pl->size_h))
                return kzv_usage_error(a.cmd, "--size needs WxH, not '%s'", v);
            break;
        case 13: pl->render = true; break;
        case 14: pl->hold_last = true; break;
        case 15: pl->snapshot = v; break;
        case 16: fputs(usage, stdout); return KZV_EXIT_OK;
        case 17: pl->start_paused = true; break;
        }
    }
    if (!pl->path)
        return kzv_usage_error(a.cmd, "no FILE given");
    if (!pl->use_gl && !pl->headless)
        return kzv_usage_error(a.cmd, "--uploader memory needs --headless (a window draws with gl)");
    if (!pl->use_gl && (pl->render || pl->snapshot))
        return kzv_usage_error(a.cmd, "--render and --snapshot need --uploader gl");
    if (pl->hold_last && pl->headless)
        return kzv_usage_error(a.cmd, "--hold-last needs a window");
    if (pl->start_paused && (pl->headless || pl->fast))
        return kzv_usage_error(a.cmd, "--start-paused needs a window and the clock (not --headless or --fast)");

    kzv_decoder_settings ds;
    kzv_decoder_default_settings(&ds);
    /* The yuv path takes the codec's own layout and depth: a 10-bit source is
     * uploaded with its 10 bits (no 8-bit intermediate), a 4:4:4 one with
     * full chroma, and the decoded planes are passed through uncopied.
     * --verify's RGB24 reference converts the same decoded planes on the
     * CPU, so the two conversions start from the same samples. */
    ds.format = pl->yuv ? KZV_PIXFMT_YUV_AUTO : KZV_PIXFMT_RGB24;
    ds.threads = (int)pl->threads;
    pl->dec = kzv_open_or_report(a.cmd, pl->path, &ds);
    if (!pl->dec)
        return KZV_EXIT_INPUT;
    pl->info = kzv_decoder_info(pl->dec);
    kzv_rational sar = pl->info->sample_aspect_ratio;
    if (sar.num > 0 && sar.den > 0 && pl->info->height > 0)
        pl->dar = (double)pl->info->width * sar.num / ((double)pl->info->height * sar.den);
    if (pl->verify && pl->use_gl && pl->yuv) {
        ds.format = KZV_PIXFMT_RGB24;
        ds.threads = 1;
        pl->ref = kzv_open_or_report(a.cmd, pl->path, &ds);
        if (!pl->ref) {
            kzv_decoder_close(&pl->dec);
            return KZV_EXIT_INPUT;
        }
    }

    int rc = setup_output(pl);
    if (rc == KZV_EXIT_OK && play_pipe_start(&pl->pipe, pl->dec, pl->queue, pl->policy, pl->fast,
                                             pl->frames, pl->duration) < 0) {
        kzv_errorf(a.cmd, "cannot start the decode thread");
        rc = KZV_EXIT_INPUT;
    }
    if (rc != KZV_EXIT_OK)
        goto out;
    pl->pipe.clock.speed = pl->speed;

    pl->t0 = kzv_now();
    if (pl->start_paused) {
        hold_start(pl, true);
        unsigned long xid = 0;
#ifdef PLAY_WINDOW
        xid = play_window_x11_id(pl->win);
#endif
        if (xid)   /* the window is mapped: a script can focus it by this id */
            fprintf(stderr, "kzv play: waiting for space to start (X11 window %lu)\n", xid);
        else
            fprintf(stderr, "kzv play: waiting for space to start\n");
    }
    while (!pl->quit) {
        kzv_frame *f = NULL;
#ifdef PLAY_WINDOW
        if (pl->win) {
            pump_events(pl, 0);
            if (pl->quit)
                break;
            if (play_clock_paused(&pl->pipe) && pl->cur) {
                pump_events(pl, 20);
                continue;
            }
        }
#endif
        int err = play_pipe_pop(&pl->pipe, &f, pl->win ? 0.01 : 0.1);
        if (err == KZV_EOF)
            break;
        if (err != KZV_OK)
            continue;
        handle_frame(pl, f);
        kzv_frame_unref(&f);
    }
    double wall = kzv_now() - pl->t0;
#ifdef PLAY_WINDOW
    if (pl->win && pl->hold_last) {
        if (!pl->quit)
            fprintf(stderr, "kzv play: holding the last frame (q, Escape or close to quit)\n");
        while (!pl->quit)
            pump_events(pl, 100);
    }
#endif
#ifdef KZV_PLAY_HAVE_GL
    if (pl->snapshot && pl->rend) {
        int w = 0, h = 0;
#ifdef PLAY_WINDOW
        if (pl->win) {
            play_window_size(pl->win, &w, &h);
            redraw(pl);
        }
#endif
        if (!pl->win && pl->cur) {
            kzv_gl_make_current(pl->up);
            w = pl->size_w ? pl->size_w : pl->cur_w;
            h = pl->size_h ? pl->size_h : pl->cur_h;
            if (play_renderer_bind_fbo(pl->rend, w, h) == KZV_OK)
                play_renderer_draw(pl->rend, kzv_gl_texture_name(pl->up, pl->cur), pl->cur_w,
                                   pl->cur_h, pl->dar, w, h);
        }
        if (!pl->cur || w <= 0 || play_renderer_snapshot(w, h, pl->snapshot) < 0) {
            kzv_errorf(a.cmd, "cannot write the snapshot %s", pl->snapshot);
            rc = KZV_EXIT_INPUT;
        }
    }
#endif
    release_cur(pl);
    int64_t dropped_queue = play_pipe_queue_dropped(&pl->pipe);
    play_pipe_stop(&pl->pipe);
    int64_t live = kzv_uploader_live_textures(pl->up);
    print_json(pl, wall, dropped_queue);
    if (pl->pipe.err) {
        kzv_errorf(a.cmd, "%s: %s", pl->path, pl->pipe.errmsg[0] ? pl->pipe.errmsg
                                                            : kzv_strerror(pl->pipe.err));
        rc = KZV_EXIT_INPUT;
    } else if (pl->mismatches || pl->uploaded != pl->released || live != 0 || pl->errors) {
        if (pl->uploaded != pl->released || live)
            kzv_errorf(a.cmd, "%lld textures uploaded, %lld released, %lld still live",
                       (long long)pl->uploaded, (long long)pl->released, (long long)live);
        if (rc == KZV_EXIT_OK)
            rc = KZV_EXIT_CHECK;
    }
out:
    play_pipe_stop(&pl->pipe);
#ifdef KZV_PLAY_HAVE_GL
    if (pl->rend) {
        if (!pl->win)
            kzv_gl_make_current(pl->up);
        play_renderer_destroy(&pl->rend);
    }
#endif
    kzv_uploader_destroy(&pl->up);
#ifdef PLAY_WINDOW
    play_window_close(&pl->win);
#endif
    kzv_frame_unref(&pl->ref_frame);
    kzv_decoder_close(&pl->ref);
    kzv_decoder_close(&pl->dec);
    free(pl->rgba);
    return rc;
}
