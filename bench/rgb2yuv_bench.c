/*
 * Micro-benchmark of the way back: src/convert/rgb2yuv.c (what the encoder
 * uses for RGB frames) against libswscale, one frame converted over and
 * over, on 1 thread and on N (swscale through its "threads" option, kzv on
 * a kzv_workers pool of the same size). Never part of the tests.
 *
 *   build/bench/rgb2yuv_bench [--quick] [--threads N]   (built by meson; run by make bench)
 *
 * Rows: kzv (AVX-512 or AVX2 when the CPU has them), kzv-avx2 (at most
 * AVX2), kzv-C (plain kernels), sws-fast
 * (SWS_BICUBIC: the ffmpeg CLI's default), sws-accurate (SWS_BICUBIC |
 * ACCURATE_RND | FULL_CHR_H_INP: what an exact-minded caller would ask for).
 * Also printed: the largest difference of each swscale row from kzv's
 * bytes, in codes, as a reminder of what "fast" costs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "kzv/common.h"
#include "core/workers.h"
#include "convert/rgb2yuv.h"

#include "bench_util.h"

typedef struct kzv_run {
    kzv_rgb2yuv c;
    const uint8_t *src;
    ptrdiff_t src_stride;
    uint8_t *dst[3];
    ptrdiff_t dst_stride[3];
    kzv_workers *pool;
} kzv_run;

static int run_kzv(void *p)
{
    kzv_run *r = p;
    return kzv_rgb2yuv_convert(&r->c, r->src, r->src_stride, r->dst, r->dst_stride, r->pool);
}

typedef struct sws_run {
    struct SwsContext *s;
    AVFrame *in, *out;
} sws_run;

static int run_sws(void *p)
{
    sws_run *r = p;
    return sws_scale_frame(r->s, r->out, r->in);
}

static AVFrame *frame(int w, int h, enum AVPixelFormat fmt)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        exit(1);
    f->width = w;
    f->height = h;
    f->format = fmt;
    if (av_frame_get_buffer(f, 64) < 0)
        exit(1);
    return f;
}

/* A picture with gradients and a little noise (compresses like video). */
static void fill_rgb(AVFrame *f)
{
    uint32_t seed = 12345;
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++)
            for (int c = 0; c < 3; c++) {
                seed = seed * 1664525u + 1013904223u;
                double t = 0.5 + 0.3 * sin(x * 0.01 * (c + 1) + y * 0.013) + 0.1 * cos(y * 0.007 - x * 0.003);
                int v = (int)(t * 255) + (int)((seed >> 24) % 9) - 4;
                f->data[0][(size_t)y * f->linesize[0] + 3 * x + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
}

static int max_diff(const AVFrame *a, const AVFrame *b)
{
    int m = 0;
    for (int p = 0; p < 3; p++) {
        int pw = p ? (a->width + 1) / 2 : a->width, ph = p ? (a->height + 1) / 2 : a->height;
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++) {
                int d = abs(a->data[p][(size_t)y * a->linesize[p] + x] - b->data[p][(size_t)y * b->linesize[p] + x]);
                m = d > m ? d : m;
            }
    }
    return m;
}

int main(int argc, char **argv)
{
    int quick = 0, threads = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--quick] [--threads N]\n", argv[0]);
            return 2;
        }
    }
    av_log_set_level(AV_LOG_ERROR);
    const double min_s = quick ? 0.15 : 0.6;
    const int sizes[][2] = { { 1920, 1080 }, { 3840, 2160 } };
    kzv_workers *pool = NULL;
    if (threads > 1 && kzv_workers_create(&pool, threads) != KZV_OK)
        return 1;
    printf("RGB24 -> YUV420P, BT.709 limited; median ms per frame; %d threads in the second column\n", threads);
    printf("%-10s %-13s %10s %10s   max |sws - kzv| (codes)\n", "size", "converter", "ms 1t", "ms Nt");
    for (int si = 0; si < 2; si++) {
        int w = sizes[si][0], h = sizes[si][1];
        AVFrame *in = frame(w, h, AV_PIX_FMT_RGB24), *ref = frame(w, h, AV_PIX_FMT_YUV420P);
        fill_rgb(in);
        for (int k = 0; k < 3; k++) {   /* best, at most AVX2, plain */
            kzv_run r = { .src = in->data[0], .src_stride = in->linesize[0] };
            kzv_rgb2yuv_params p;
            kzv_rgb2yuv_default_params(&p);
            p.width = w;
            p.height = h;
            p.no_simd = k == 2;
            p.no_avx512 = k == 1;
            if (kzv_rgb2yuv_init(&r.c, &p) != KZV_OK)
                return 1;
            for (int i = 0; i < 3; i++) {
                r.dst[i] = ref->data[i];
                r.dst_stride[i] = ref->linesize[i];
            }
            double t1 = bench_median(run_kzv, &r, min_s);
            r.pool = pool;
            double tn = bench_median(run_kzv, &r, min_s);
            const char *name = k == 2 ? "kzv-C" : k == 1 ? "kzv-avx2" : r.c.avx512 ? "kzv (avx512)" : "kzv";
            printf("%4dx%-5d %-13s %10.2f %10.2f\n", w, h, name, t1 * 1e3, tn * 1e3);
        }
        const struct { const char *name; int flags; } sws[] = {
            { "sws-fast", SWS_BICUBIC },
            { "sws-accurate", SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP },
        };
        for (int k = 0; k < 2; k++) {
            double t[2];
            AVFrame *out = frame(w, h, AV_PIX_FMT_YUV420P);
            for (int n = 0; n < 2; n++) {
                sws_run r = { sws_alloc_context(), in, out };
                if (!r.s)
                    return 1;
                av_opt_set_int(r.s, "srcw", w, 0);
                av_opt_set_int(r.s, "srch", h, 0);
                av_opt_set_int(r.s, "src_format", AV_PIX_FMT_RGB24, 0);
                av_opt_set_int(r.s, "dstw", w, 0);
                av_opt_set_int(r.s, "dsth", h, 0);
                av_opt_set_int(r.s, "dst_format", AV_PIX_FMT_YUV420P, 0);
                av_opt_set_int(r.s, "sws_flags", sws[k].flags, 0);
                av_opt_set_int(r.s, "threads", n ? threads : 1, 0);
                if (sws_init_context(r.s, NULL, NULL) < 0)
                    return 1;
                const int *co = sws_getCoefficients(SWS_CS_ITU709);
                sws_setColorspaceDetails(r.s, co, 1, co, 0, 0, 1 << 16, 1 << 16);
                t[n] = bench_median(run_sws, &r, min_s);
                sws_freeContext(r.s);
            }
            printf("%4dx%-5d %-13s %10.2f %10.2f   %d\n", w, h, sws[k].name, t[0] * 1e3, t[1] * 1e3,
                   max_diff(out, ref));
            av_frame_free(&out);
        }
        av_frame_free(&in);
        av_frame_free(&ref);
    }
    kzv_workers_destroy(&pool);
    return 0;
}
