/* Every allocation on the open, decode, index, seek and batch paths made to
 * fail in turn: each run returns an error code (or succeeds where a failure
 * had a fallback), never crashes, and leaves no block allocated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kzv/kzv.h>

#include "failalloc.h"
#include "ktest.h"

typedef int (*scenario_fn)(const char *path);

static kzv_decoder_settings settings(void)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.threads = 1;    /* one thread: the N-th allocation is the same one every run */
    return s;
}

static int sc_open(const char *path)
{
    kzv_decoder_settings s = settings();
    kzv_decoder *d = NULL;
    int r = kzv_decoder_open(&d, path, &s);
    kzv_decoder_close(&d);
    return r;
}

static int sc_decode(const char *path)
{
    kzv_decoder_settings s = settings();
    kzv_decoder *d = NULL;
    int r = kzv_decoder_open(&d, path, &s);
    kzv_frame *f = NULL, *keep = NULL;
    for (int i = 0; r == KZV_OK && i < 4; i++) {
        r = kzv_decoder_next(d, &f);
        if (r == KZV_OK && i == 1)
            keep = kzv_frame_ref(f);   /* a frame that outlives its decoder */
        kzv_frame_unref(&f);
    }
    kzv_decoder_close(&d);
    kzv_frame_unref(&keep);
    return r;
}

static int sc_seek(const char *path)
{
    kzv_decoder_settings s = settings();
    kzv_decoder *d = NULL;
    int r = kzv_decoder_open(&d, path, &s);
    kzv_frame *f = NULL;
    if (r == KZV_OK)
        r = kzv_decoder_seek_frame(d, 7);
    if (r == KZV_OK)
        r = kzv_decoder_next(d, &f);
    kzv_frame_unref(&f);
    if (r == KZV_OK) {
        int64_t want[3] = { 3, 1, 3 };
        kzv_frame *got[3];
        r = kzv_decoder_get_frames(d, want, 3, got);
        for (int i = 0; r == KZV_OK && i < 3; i++)
            kzv_frame_unref(&got[i]);
    }
    kzv_decoder_close(&d);
    return r;
}

static void run(const char *label, scenario_fn fn, const char *path)
{
    /* Warm-up: FFmpeg's one-time global tables, our log bridge … */
    failalloc_arm(0);
    int ok = fn(path);
    KT_CHECK(ok == KZV_OK, "%s: runs cleanly without faults (%d)", label, ok);
    int64_t base = failalloc_live();
    failalloc_arm(0);
    fn(path);
    int64_t total = failalloc_count();
    KT_CHECK(failalloc_live() == base, "%s: %lld blocks leaked by a clean run", label,
             (long long)(failalloc_live() - base));

    int64_t errors = 0, recovered = 0, leaks = 0, step = total > 4000 ? total / 4000 + 1 : 1;
    for (int64_t i = 1; i <= total; i += step) {
        failalloc_arm(i);
        int r = fn(path);
        failalloc_arm(0);
        if (r == KZV_OK)
            recovered++;
        else
            errors++;
        KT_CHECK(r <= 0 && r >= KZV_EGPU, "%s: fault %lld gave status %d", label, (long long)i, r);
        int64_t live = failalloc_live();
        if (live != base) {
            leaks++;
            if (leaks <= 5)
                KT_CHECK(0, "%s: fault at allocation %lld (%s) leaked %lld blocks", label, (long long)i,
                         kzv_strerror(r), (long long)(live - base));
            base = live;   /* report each leak once */
        }
    }
    printf("%-14s %6lld allocations, %6lld faults injected: %lld errors returned, %lld absorbed, %lld leaking\n",
           label, (long long)total, (long long)((total + step - 1) / step), (long long)errors,
           (long long)recovered, (long long)leaks);
}

static void quiet(void *u, kzv_log_level l, const char *m) { (void)u; (void)l; (void)m; }

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    kzv_set_log_callback(quiet, NULL);
    run("open mp4", sc_open, kt_fixture("h264.mp4"));
    run("open mkv", sc_open, kt_fixture("hevc10.mkv"));
    run("decode mp4", sc_decode, kt_fixture("h264.mp4"));
    run("decode mkv", sc_decode, kt_fixture("hevc10.mkv"));
    run("seek+batch", sc_seek, kt_fixture("h264.mp4"));
    return kt_finish();
}
