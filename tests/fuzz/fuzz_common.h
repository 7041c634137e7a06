/* Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): quiet logs, the
 * allocation cap, small decoder settings, and one open + decode pass. Also
 * built without libFuzzer by tests/fuzz/replay.c (meson: fuzz-* tests).
 *
 * Allocation cap: FFmpeg trusts sizes read from headers, so a few KB can
 * make it allocate gigabytes (a 2.8 KB MP4 once asked the mov demuxer for
 * 2.7 GB: libFuzzer counts that as an out-of-memory crash, a real program
 * would just be slowed or killed). av_max_alloc() caps every single FFmpeg
 * allocation; it is process-wide, so the library never sets it: the targets
 * do (FUZZ_MAX_ALLOC, 256 MiB: far above what a max_pixels = 1 Mpixel
 * picture and its codec need, far below -rss_limit_mb), and a program that
 * opens untrusted files may do the same (README, "Reliability"). */
#ifndef KZV_TESTS_FUZZ_COMMON_H
#define KZV_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <libavutil/mem.h>

#include <kzv/kzv.h>

#define FUZZ_MAX_ALLOC (256u << 20)
#define FUZZ_MAX_PIXELS (1024 * 1024)
#define FUZZ_MAX_FRAMES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_quiet(void *user, kzv_log_level level, const char *msg)
{
    (void)user; (void)level; (void)msg;
}

static inline void fuzz_init(void)
{
    static int done;
    if (done)
        return;
    kzv_set_log_callback(fuzz_quiet, NULL);
    kzv_set_log_level(KZV_LOG_QUIET);
    av_max_alloc(FUZZ_MAX_ALLOC);
    done = 1;
}

static inline void fuzz_settings(kzv_decoder_settings *s, const char *container, unsigned variant)
{
    kzv_decoder_default_settings(s);
    s->threads = 1;                        /* deterministic */
    s->max_pixels = FUZZ_MAX_PIXELS;       /* keep each run small and fast */
    s->container = container;
    /* the converter on one run, the codec's own planes (no conversion) on the other */
    s->format = variant & 1 ? KZV_PIXFMT_RGB24 : KZV_PIXFMT_YUV_AUTO;
}

/* Read the first and last byte of every plane: ASan checks the bounds. */
static inline void fuzz_touch(const kzv_frame *f)
{
    for (int p = 0; p < 4 && f->data[p]; p++) {
        int ph = 0;
        size_t row = 0;
        if (kzv_pixfmt_plane_size(f->format, f->width, f->height, p, NULL, &ph, &row) < 0 || ph <= 0 || !row)
            break;
        volatile uint8_t a = f->data[p][0];
        volatile uint8_t b = f->data[p][(size_t)(ph - 1) * (size_t)f->stride[p] + row - 1];
        (void)a; (void)b;
    }
}

/* Open `data` with the demuxer `container` (NULL: probe), decode up to
 * FUZZ_MAX_FRAMES frames. */
static inline void fuzz_open_decode(const uint8_t *data, size_t size, const char *container)
{
    fuzz_init();
    kzv_decoder_settings s;
    fuzz_settings(&s, container, (unsigned)size);
    kzv_decoder *d = NULL;
    if (kzv_decoder_open_memory(&d, data, size, "fuzz", &s) != KZV_OK)
        return;
    kzv_frame *f = NULL;
    for (int n = 0; n < FUZZ_MAX_FRAMES && kzv_decoder_next(d, &f) == KZV_OK; n++) {
        fuzz_touch(f);
        kzv_frame_unref(&f);
    }
    kzv_decoder_close(&d);
}

#endif
