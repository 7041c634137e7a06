/*
 * kzv play FILE: real-time playback, a thin user of kzv_processor.
 *
 * The processor (pull mode, realtime) owns decoding, the queue, the
 * presentation clock (pts-paced on CLOCK_MONOTONIC, VFR-exact, pause, speed),
 * seeking and the late-frame drops; this file is the CLI, the window and its
 * keys, verification and the JSON report. The GL context (the SDL window's,
 * or the gl uploader's own headless one) lives on this thread only, which is
 * the processor's consumer thread: kzv_processor_frame_next() uploads there.
 *
 * Per frame: kzv_processor_frame_next() hands out the next frame, already
 * uploaded (a frame that would be more than --late-ms, default its own
 * duration / speed, past its time once uploaded is dropped by the processor
 * before any upload: dropped_late); play verifies and draws it, waits for
 * its time with kzv_processor_wait() (pumping window events meanwhile) and
 * presents it. With the DROP_OLDEST queue (default) the processor's decode
 * thread also replaces the oldest queued frame when a newer one is already
 * due (dropped_queue). "dropped" = dropped_late + dropped_queue; frames thrown
 * away by a seek or an early quit are "discarded" (so that presented +
 * dropped + discarded == decoded). --fast: no clock, a blocking queue.
 *
 * Seeking (window: left/right = -/+5 s): kzv_processor_seek(), exact; the
 * frame in hand becomes stale (kzv_processor_wait() says so) and the clock
 * restarts at the first frame after the seek.
 *
 * --start-paused (window): the clock is held before the first frame until the
 * first space or Enter (Enter does nothing else, so a script can repeat it
 * until "started" is printed), so that a script (tests/play/keys.sh) can find the window and
 * give it the keyboard before anything plays, however slowly the window
 * manager or a sanitizer build gets there. That hold is not a pause (not in
 * pauses or paused_s), and wall_s counts from the moment playback starts.
 */
#include <float.h>
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
    "  -n, --frames N      play at most N frames\n"
    "  --duration S        play at most S seconds of the file\n"
    "  --size WxH          window size (default: the video's, as shown: turned when\n"
    "                      autorotate turns it) or, with --headless --render, the\n"
    "                      offscreen target's size\n"
    "  --render            --headless gl: also draw each frame into an offscreen FBO\n"
    "  --hold-last         window: keep showing the last frame until quit\n"
    "  --snapshot FILE     write what was last drawn (window or FBO) as a PNG\n"
    "  --start-paused      window: open it and wait for space or Enter before playing\n"
    "                      anything (for scripts that type keys; Enter only starts, so\n"
    "                      a script may repeat it; wall_s counts from the start)\n"
    "  --autorotate        turn frames as the display matrix says (kzv probe: Rotation),\n"
    "                      as ffplay does (the default); the window, the textures and\n"
    "                      --verify's frames have the turned size\n"
    "  --no-autorotate     keep the coded orientation\n"
    "  --stream N          play container stream N (kzv probe lists them; default:\n"
    "                      the best video stream)\n"
    "  --threads N         decoding threads (default 0 = one per core)\n"
    "  --hw NAME           hardware decoding: auto, cuda, vaapi, … (software when\n"
    "                      unavailable; kzv probe --hwaccel lists them)\n"
    "  -h, --help          show this help\n"
    "Prints one line of JSON: decoded, presented, dropped, uploaded, released,\n"
    "mismatches, late_ms_mean, late_ms_max, and a breakdown: dropped_late,\n"
    "dropped_queue, discarded (queued when a seek came), verified, max_diff, errors,\n"
    "seeks, pauses, paused_s (finished pauses), last_pts (of the last frame shown;\n"
    "-1 for none), wall_s, uploader, path, format (the pixel format uploaded),\n"
    "stream (the container stream played), width and height (of the frames\n"
    "uploaded, as shown).\n"
    "Exit: 0 ok, 1 --verify mismatches or unreleased textures, 2 usage, 3 input error.\n";

typedef struct play {
    const char *cmd, *path;
    cli_input in;         /* FILE, --stream, --threads, --hw, --[no-]autorotate */
    /* play's own options */
    bool headless, fast, verify, use_gl, yuv, render, hold_last, start_paused;
    int queue;
    kzv_queue_policy policy;
    double late_ms, speed, duration;
    long long frames;
    int size_w, size_h;
    const char *snapshot;

    const kzv_video_info *info;
    double dar;           /* display aspect ratio of the picture as shown (turned) */
    int turn;             /* gl: degrees clockwise the renderer turns the textures */
    kzv_processor *proc;
    kzv_uploader *up;
    play_renderer *rend;
    play_window *win;
    bool quit;
    bool waiting_start;   /* --start-paused, before the first space */
    double t0;            /* cli_now() when playback started (wall_s) */
    int err;              /* the decoder's error (< 0), or 0 */

    /* pauses typed (the start hold is not one) */
    int64_t pauses;
    double pause_at, paused_total;

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
    int64_t presented, abandoned, mismatches, verified;
    int max_diff;
    double late_sum, late_max;
    bool drawn;
} play;

#if defined(KZV_PLAY_HAVE_GL) && defined(KZV_HAVE_SDL)
#define PLAY_WINDOW 1
#endif

/* The size of a w×h texture as shown (turned by pl->turn). */
static void shown_size(const play *pl, int w, int h, int *sw, int *sh)
{
    bool swap = pl->turn == 90 || pl->turn == 270;
    *sw = swap ? h : w;
    *sh = swap ? w : h;
}

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
            cli_errorf(pl->cmd, "--verify: frame %lld differs by %d levels", (long long)f->frame_index,
                       diff);
        pl->mismatches++;
    }
}

/* ---- window events ------------------------------------------------------ */

static void release_cur(play *pl)
{
    if (pl->cur) {
        kzv_processor_release(pl->proc, pl->cur);
        pl->cur = KZV_NO_TEXTURE;
    }
}

/* --start-paused: hold (or release) the clock before the first frame. Not a
 * pause: pauses and paused_s stay as they are. */
static void hold_start(play *pl, bool hold)
{
    kzv_processor_pause(pl->proc, hold);
    pl->waiting_start = hold;
    pl->t0 = cli_now();
    if (!hold)
        fprintf(stderr, "kzv play: started\n");
}

#ifdef PLAY_WINDOW
static void redraw(play *pl)
{
    int w, h;
    play_window_size(pl->win, &w, &h);
    unsigned name = pl->cur ? kzv_gl_texture_name(pl->up, pl->cur) : 0;
    play_renderer_draw(pl->rend, name, pl->cur_w, pl->cur_h, pl->turn, pl->dar, w, h);
    pl->drawn = true;
}

static void toggle_pause(play *pl)
{
    bool pause = !kzv_processor_paused(pl->proc);
    double now = cli_now();
    if (pause) {
        pl->pauses++;
        pl->pause_at = now;
    } else {
        pl->paused_total += now - pl->pause_at;
    }
    kzv_processor_pause(pl->proc, pause);
}

static void do_seek(play *pl, double delta)
{
    double pos = pl->have_pts ? pl->cur_pts : pl->info->start_time;
    double t = pos + delta;
    if (t < pl->info->start_time)
        t = pl->info->start_time;
    kzv_processor_seek(pl->proc, t, KZV_SEEK_EXACT);
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
                toggle_pause(pl);
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

/* Wait until the frame is due. Returns false when it must be abandoned
 * (quit, or a seek made it stale); *late receives how late it is. */
static bool wait_due(play *pl, const kzv_frame *f, double *late)
{
    for (;;) {
        if (pl->quit)
            return false;
#ifdef PLAY_WINDOW
        if (pl->win) {   /* look at the keys every 10 ms while waiting */
            int err = kzv_processor_wait(pl->proc, f, 10 * INT64_C(1000000), late);
            if (err != KZV_ETIMEDOUT)
                return err == KZV_OK;
            pump_events(pl, 0);
            continue;
        }
#endif
        return kzv_processor_wait(pl->proc, f, -1, late) == KZV_OK;
    }
}

/* One frame handed out by the processor, uploaded: verify, draw, wait, present. */
static void handle_frame(play *pl, kzv_frame *f, kzv_texture t)
{
    if (pl->verify)
        verify_frame(pl, f, t);
#ifdef KZV_PLAY_HAVE_GL
    if (pl->rend && !pl->win) {       /* --headless --render: draw into the FBO now */
        int w, h;
        shown_size(pl, f->width, f->height, &w, &h);
        if (pl->size_w) {
            w = pl->size_w;
            h = pl->size_h;
        }
        if (play_renderer_bind_fbo(pl->rend, w, h) == KZV_OK) {
            play_renderer_draw(pl->rend, kzv_gl_texture_name(pl->up, t), f->width, f->height,
                               pl->turn, pl->dar, w, h);
            pl->drawn = true;
        }
    }
#endif
    double late = 0;
    if (!wait_due(pl, f, &late)) {
        kzv_processor_release(pl->proc, t);   /* seek or quit: not shown */
        pl->abandoned++;
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
        double now_late = 0;   /* counted from the due time to the swap */
        if (kzv_processor_wait(pl->proc, f, 0, &now_late) == KZV_OK)
            late = now_late;
    }
#endif
    pl->late_sum += late;
    if (late > pl->late_max)
        pl->late_max = late;
    pl->presented++;
    pl->cur_pts = f->pts;
    pl->have_pts = true;
    if (old)
        kzv_processor_release(pl->proc, old);
}

static int setup_output(play *pl)
{
    if (!pl->use_gl)
        return kzv_uploader_create_memory(&pl->up) == KZV_OK ? CLI_EXIT_OK : CLI_EXIT_INPUT;
    kzv_gl_settings gs;
    kzv_gl_default_settings(&gs);
    gs.path = pl->yuv ? KZV_GL_PATH_YUV : KZV_GL_PATH_RGB;
    if (!pl->headless) {
#ifdef PLAY_WINDOW
        int w, h;
        shown_size(pl, pl->info->width, pl->info->height, &w, &h);
        if (pl->size_w) {
            w = pl->size_w;
            h = pl->size_h;
        } else if (pl->dar > 0) {
            w = (int)lround(h * pl->dar);
        }
        char msg[512];
        if (play_window_open(&pl->win, w, h, msg, sizeof(msg)) < 0) {
            cli_errorf(pl->cmd, "%s (use --headless to play without a window)", msg);
            return CLI_EXIT_INPUT;
        }
        gs.use_current_context = true;
        int err = kzv_uploader_create_gl(&pl->up, &gs);
        if (err < 0) {
            cli_errorf(pl->cmd, "cannot use the window's GL context: %s", kzv_strerror(err));
            return CLI_EXIT_INPUT;
        }
        if (play_renderer_create(&pl->rend, play_window_is_gles(pl->win)) < 0)
            return CLI_EXIT_INPUT;
        redraw(pl);
        play_window_swap(pl->win);
        return CLI_EXIT_OK;
#else
        cli_errorf(pl->cmd, "this kzv was built without SDL2%s: no window; use --headless",
#ifdef KZV_PLAY_HAVE_GL
                   ""
#else
                   " and GL"
#endif
        );
        return CLI_EXIT_INPUT;
#endif
    }
    int err = kzv_uploader_create_gl(&pl->up, &gs);
    if (err < 0) {
        cli_errorf(pl->cmd, "cannot create the gl uploader: %s (try --uploader memory)",
                   kzv_strerror(err));
        return CLI_EXIT_INPUT;
    }
#ifdef KZV_PLAY_HAVE_GL
    if (pl->render || pl->snapshot) {
        if (kzv_gl_make_current(pl->up) < 0 || play_renderer_create(&pl->rend, true) < 0)
            return CLI_EXIT_INPUT;
    }
#endif
    return CLI_EXIT_OK;
}

static void print_json(play *pl, double wall)
{
    int w, h;
    shown_size(pl, pl->info->width, pl->info->height, &w, &h);
    kzv_processor_stats st;
    kzv_processor_get_stats(pl->proc, &st);
    int64_t dropped = st.dropped_late + st.dropped;
    printf("{\"decoded\":%lld,\"presented\":%lld,\"dropped\":%lld,\"uploaded\":%lld,"
           "\"released\":%lld,\"mismatches\":%lld,\"late_ms_mean\":%.3f,\"late_ms_max\":%.3f,"
           "\"dropped_late\":%lld,\"dropped_queue\":%lld,\"discarded\":%lld,\"verified\":%lld,"
           "\"max_diff\":%d,\"errors\":%lld,\"seeks\":%lld,\"wall_s\":%.3f,\"uploader\":\"%s\","
           "\"path\":\"%s\",\"format\":\"%s\",\"pauses\":%lld,\"paused_s\":%.3f,\"last_pts\":%.6f,"
           "\"stream\":%d,\"width\":%d,\"height\":%d}\n",
           (long long)st.decoded, (long long)pl->presented, (long long)dropped,
           (long long)st.uploaded, (long long)st.released, (long long)pl->mismatches,
           pl->presented ? 1000.0 * pl->late_sum / (double)pl->presented : 0.0,
           1000.0 * pl->late_max, (long long)st.dropped_late, (long long)st.dropped,
           (long long)(st.discarded + pl->abandoned), (long long)pl->verified, pl->max_diff,
           (long long)st.errors, (long long)st.seeks, wall, pl->use_gl ? "gl" : "memory",
           pl->yuv ? "yuv" : "rgb", kzv_pixfmt_name(pl->info->format),
           (long long)pl->pauses, pl->paused_total, pl->have_pts ? pl->cur_pts : -1.0,
           pl->info->stream_index, w, h);
    fflush(stdout);
}

/* Open the processor (decoder, queue, clock) with play's options.
 * Autorotate: the memory uploader gets frames the decoder has turned
 * (settings.autorotate). The gl uploader gets them as coded, and play's
 * renderer turns them when it draws (window, --render, --snapshot): the GPU's
 * YUV conversion takes the chroma samples where the coded orientation sites
 * them (left-sited 4:2:0 and 4:2:2), which a turned subsampled picture no
 * longer matches (colours half a pixel off at every chroma edge); and 4:2:2
 * could not be turned by 90 degrees at all. */
static int open_processor(play *pl)
{
    kzv_processor_settings ps;
    kzv_processor_default_settings(&ps);
    /* The yuv path takes the codec's own layout and depth: a 10-bit source is
     * uploaded with its 10 bits (no 8-bit intermediate), a 4:4:4 one with
     * full chroma, and the decoded planes are passed through uncopied.
     * --verify's RGB24 reference converts the same decoded planes on the
     * CPU, so the two conversions start from the same samples. */
    ps.decoder.format = pl->yuv ? KZV_PIXFMT_YUV_AUTO : KZV_PIXFMT_RGB24;
    ps.queue.capacity = pl->queue;
    /* --fast: no clock, and a queue that never drops (it would otherwise
     * drop whatever the presenter has not taken yet) */
    ps.queue.policy = pl->fast ? KZV_QUEUE_BLOCK : pl->policy;
    ps.max_frames = pl->frames;
    ps.max_duration = pl->duration;
    ps.realtime = !pl->fast;
    ps.rate = pl->speed;
    /* 0 means "one frame duration" to the processor: --late-ms 0 asks for
     * no slack at all, which is a nanosecond */
    ps.late_threshold = pl->late_ms < 0 ? 0 : pl->late_ms > 0 ? pl->late_ms / 1000.0 : 1e-9;
    bool draw_turned = pl->use_gl && pl->in.autorotate;
    if (draw_turned)
        pl->in.autorotate = false;   /* for the reference decoder too */
    int rc = cli_open_processor(&pl->in, &ps, &pl->proc);
    if (rc != CLI_EXIT_OK)
        return rc;
    pl->info = kzv_processor_info(pl->proc);
    int rot = pl->info->rotation;
    if (draw_turned && (rot == 90 || rot == 180 || rot == 270))
        pl->turn = rot;
    else if (draw_turned && rot)
        cli_warnf(pl->cmd, "%s: cannot turn the picture by %d degrees: shown as coded",
                  pl->path, rot);
    kzv_rational sar = pl->info->sample_aspect_ratio;
    if (sar.num > 0 && sar.den > 0 && pl->info->height > 0) {
        pl->dar = (double)pl->info->width * sar.num / ((double)pl->info->height * sar.den);
        if (pl->turn == 90 || pl->turn == 270)
            pl->dar = 1.0 / pl->dar;
    }
    if (pl->verify && pl->use_gl && pl->yuv) {
        /* the same stream decoded to RGB24 on the CPU (software, one thread) */
        kzv_decoder_settings ds = ps.decoder;
        ds.format = KZV_PIXFMT_RGB24;
        cli_input in = pl->in;
        in.threads = 1;
        in.hw = NULL;
        pl->ref = cli_open_decoder(&in, &ds);
        if (!pl->ref)
            return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

/* Present frames until the end, an error or quit. */
static void play_loop(play *pl)
{
    while (!pl->quit) {
#ifdef PLAY_WINDOW
        if (pl->win) {
            pump_events(pl, 0);
            if (pl->quit)
                break;
            if (kzv_processor_paused(pl->proc) && pl->cur) {
                pump_events(pl, 20);
                continue;
            }
        }
#endif
        kzv_frame *f = NULL;
        kzv_texture t = KZV_NO_TEXTURE;
        int err = kzv_processor_frame_next(pl->proc, &f, &t,
                                           (pl->win ? 10 : 100) * INT64_C(1000000));
        if (err == KZV_EAGAIN)
            continue;
        if (err < 0) {
            if (err != KZV_EOF)
                pl->err = err;
            break;
        }
        handle_frame(pl, f, t);
        kzv_frame_unref(&f);
    }
}

int cmd_play(int argc, char **argv)
{
    enum {
        OPT_HEADLESS = CLI_OPT_FIRST_OWN, OPT_FAST, OPT_VERIFY, OPT_UPLOADER, OPT_GL_PATH,
        OPT_QUEUE, OPT_POLICY, OPT_LATE_MS, OPT_SPEED, OPT_DURATION, OPT_SIZE, OPT_RENDER,
        OPT_HOLD_LAST, OPT_SNAPSHOT, OPT_START_PAUSED,
    };
    static const struct option opts[] = {
        { "headless", no_argument, NULL, OPT_HEADLESS },
        { "fast", no_argument, NULL, OPT_FAST },
        { "verify", no_argument, NULL, OPT_VERIFY },
        { "uploader", required_argument, NULL, OPT_UPLOADER },
        { "gl-path", required_argument, NULL, OPT_GL_PATH },
        { "queue", required_argument, NULL, OPT_QUEUE },
        { "policy", required_argument, NULL, OPT_POLICY },
        { "late-ms", required_argument, NULL, OPT_LATE_MS },
        { "speed", required_argument, NULL, OPT_SPEED },
        { "frames", required_argument, NULL, 'n' },
        { "duration", required_argument, NULL, OPT_DURATION },
        { "size", required_argument, NULL, OPT_SIZE },
        { "render", no_argument, NULL, OPT_RENDER },
        { "hold-last", no_argument, NULL, OPT_HOLD_LAST },
        { "snapshot", required_argument, NULL, OPT_SNAPSHOT },
        { "start-paused", no_argument, NULL, OPT_START_PAUSED },
        CLI_LONGOPT_THREADS, CLI_LONGOPT_HW, CLI_LONGOPT_STREAM, CLI_LONGOPT_AUTOROTATE,
        CLI_LONGOPT_HELP, { 0 },
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
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    pl->cmd = a.cmd;
    cli_input_init(&pl->in, a.cmd);
    pl->in.autorotate = true;   /* as ffplay: frames as they are meant to be shown */
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case OPT_HEADLESS: pl->headless = true; break;
        case OPT_FAST: pl->fast = true; break;
        case OPT_VERIFY: pl->verify = true; break;
        case OPT_UPLOADER:
            if (!strcmp(v, "gl")) pl->use_gl = true;
            else if (!strcmp(v, "memory")) pl->use_gl = false;
            else return cli_usage_error(a.cmd, "--uploader must be gl or memory, not '%s'", v);
            break;
        case OPT_GL_PATH:
            if (!strcmp(v, "yuv")) pl->yuv = true;
            else if (!strcmp(v, "rgb")) pl->yuv = false;
            else return cli_usage_error(a.cmd, "--gl-path must be rgb or yuv, not '%s'", v);
            break;
        case OPT_QUEUE:
            if (!cli_parse_int(v, 1, 1024, &n))
                return cli_usage_error(a.cmd, "--queue needs a number from 1 to 1024, not '%s'", v);
            pl->queue = (int)n;
            break;
        case OPT_POLICY:
            if (!strcmp(v, "drop") || !strcmp(v, "drop-oldest")) pl->policy = KZV_QUEUE_DROP_OLDEST;
            else if (!strcmp(v, "block")) pl->policy = KZV_QUEUE_BLOCK;
            else return cli_usage_error(a.cmd, "--policy must be drop or block, not '%s'", v);
            break;
        case OPT_LATE_MS:
            if (!cli_parse_number(v, 0, DBL_MAX, &pl->late_ms))
                return cli_usage_error(a.cmd, "--late-ms needs a number >= 0, not '%s'", v);
            break;
        case OPT_SPEED:
            if (!cli_parse_number(v, 1e-3, 1000, &pl->speed))
                return cli_usage_error(a.cmd, "--speed needs a number from 0.001 to 1000, not '%s'", v);
            break;
        case 'n':
            if (!cli_parse_int(v, 1, INT64_MAX, &pl->frames))
                return cli_usage_error(a.cmd, "--frames needs a number >= 1, not '%s'", v);
            break;
        case OPT_DURATION:
            if (!cli_parse_number(v, 1e-6, DBL_MAX, &pl->duration))
                return cli_usage_error(a.cmd, "--duration needs a number of seconds > 0, not '%s'", v);
            break;
        case OPT_SIZE:
            if (!cli_parse_size(v, 16384, &pl->size_w, &pl->size_h))
                return cli_usage_error(a.cmd, "--size needs WxH, not '%s'", v);
            break;
        case OPT_RENDER: pl->render = true; break;
        case OPT_HOLD_LAST: pl->hold_last = true; break;
        case OPT_SNAPSHOT: pl->snapshot = v; break;
        case OPT_START_PAUSED: pl->start_paused = true; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default:   /* --threads, --hw, --stream, --[no-]autorotate */
            if (cli_input_option(&pl->in, r, v) < 0)
                return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &pl->path, true))
        return CLI_EXIT_USAGE;
    pl->in.path = pl->path;
    if (!pl->use_gl && !pl->headless)
        return cli_usage_error(a.cmd, "--uploader memory needs --headless (a window draws with gl)");
    if (!pl->use_gl && (pl->render || pl->snapshot))
        return cli_usage_error(a.cmd, "--render and --snapshot need --uploader gl");
    if (pl->hold_last && pl->headless)
        return cli_usage_error(a.cmd, "--hold-last needs a window");
    if (pl->start_paused && (pl->headless || pl->fast))
        return cli_usage_error(a.cmd, "--start-paused needs a window and the clock (not --headless or --fast)");

    int rc = open_processor(pl);
    if (rc == CLI_EXIT_OK)
        rc = setup_output(pl);
    if (rc == CLI_EXIT_OK && (kzv_processor_set_uploader(pl->proc, pl->up) < 0 ||
                              kzv_processor_start(pl->proc) < 0)) {
        cli_errorf(a.cmd, "cannot start the decode thread");
        rc = CLI_EXIT_INPUT;
    }
    if (rc != CLI_EXIT_OK)
        goto out;

    pl->t0 = cli_now();
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
    play_loop(pl);
    double wall = cli_now() - pl->t0;
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
            shown_size(pl, pl->cur_w, pl->cur_h, &w, &h);
            if (pl->size_w) {
                w = pl->size_w;
                h = pl->size_h;
            }
            if (play_renderer_bind_fbo(pl->rend, w, h) == KZV_OK)
                play_renderer_draw(pl->rend, kzv_gl_texture_name(pl->up, pl->cur), pl->cur_w,
                                   pl->cur_h, pl->turn, pl->dar, w, h);
        }
        if (!pl->cur || w <= 0 || play_renderer_snapshot(w, h, pl->snapshot) < 0) {
            cli_errorf(a.cmd, "cannot write the snapshot %s", pl->snapshot);
            rc = CLI_EXIT_INPUT;
        }
    }
#endif
    release_cur(pl);
    kzv_processor_finish(pl->proc);
    int64_t live = kzv_uploader_live_textures(pl->up);
    print_json(pl, wall);
    kzv_processor_stats st;
    kzv_processor_get_stats(pl->proc, &st);
    if (pl->err) {
        const char *msg = kzv_processor_last_error(pl->proc);
        cli_errorf(a.cmd, "%s: %s", pl->path, msg[0] ? msg : kzv_strerror(pl->err));
        rc = CLI_EXIT_INPUT;
    } else if (pl->mismatches || st.uploaded != st.released || live != 0 || st.errors) {
        if (st.uploaded != st.released || live)
            cli_errorf(a.cmd, "%lld textures uploaded, %lld released, %lld still live",
                       (long long)st.uploaded, (long long)st.released, (long long)live);
        if (rc == CLI_EXIT_OK)
            rc = CLI_EXIT_CHECK;
    }
out:
    /* the processor first: it must not outlive the uploader it uses */
    kzv_processor_close(&pl->proc);
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
    free(pl->rgba);
    return rc;
}
