/*
 * Micro-benchmark: src/convert/yuv2rgb.c against libswscale, one frame converted over
 * and over (median of many runs), single-threaded and on 2 threads.
 *
 *   build/bench/convert_bench [--quick] [--threads N]   (built by meson; run by make bench)
 *
 * Rows: kzv (AVX-512 or AVX2 when the CPU has them), kzv-avx2 (at most AVX2),
 * kzv-C (plain C kernels), sws-fast
 * (SWS_BICUBIC: what the ffmpeg CLI uses), sws-fastbil (SWS_FAST_BILINEAR:
 * swscale's cheapest path), sws-accurate (SWS_BICUBIC | ACCURATE_RND |
 * FULL_CHR_H_INT | FULL_CHR_H_INP: what kzv's convert.c falls back to).
 * Arguments after the options select inputs whose name contains them
 * (e.g. "8-bit 4:2:0"); outputs with --out NAME.
 * swscale runs through sws_scale_frame() with its "threads" option so that it
 * gets the same number of threads as kzv's pool.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "kzv/common.h"
#include "core/workers.h"
#include "convert/yuv2rgb.h"

#include "bench_util.h"

typedef struct input {
    const char *name;
    int w, h;
    enum AVPixelFormat fmt;
} input;

typedef struct kzv_run {
    kzv_yuv2rgb c;
    const uint8_t *src[3];
    ptrdiff_t stride[3];
    uint8_t *dst;
    ptrdiff_t dst_stride;
    kzv_workers *pool;
} kzv_run;

static int run_kzv(void *p)
{
    kzv_run *r = p;
    return kzv_yuv2rgb_convert(&r->c, r->src, r->stride, r->dst, r->dst_stride, r->pool);
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

static void fill(AVFrame *f)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    int depth = d->comp[0].depth, max = (1 << depth) - 1;
    uint32_t seed = 12345;
    for (int p = 0; p < 3; p++) {
        int pw = p ? AV_CEIL_RSHIFT(f->width, d->log2_chroma_w) : f->width;
        int ph = p ? AV_CEIL_RSHIFT(f->height, d->log2_chroma_h) : f->height;
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++) {
                seed = seed * 1664525u + 1013904223u;
                double t = 0.5 + 0.3 * sin(x * 0.01 * (p + 1) + y * 0.013) + 0.1 * cos(y * 0.007 - x * 0.003);
                int v = (int)(t * max) + (int)((seed >> 24) % 9) - 4;
                v = v < 0 ? 0 : v > max ? max : v;
                if (depth > 8)
                    ((uint16_t *)(void *)(f->data[p] + (size_t)y * f->linesize[p]))[x] = (uint16_t)v;
                else
                    f->data[p][(size_t)y * f->linesize[p] + x] = (uint8_t)v;
            }
    }
}

int main(int argc, char **argv)
{
    int quick = 0, threads = 2;
    const char *only_in = NULL, *only_out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            only_out = argv[++i];
        else if (argv[i][0] != '-')
            only_in = argv[i];
        else {
            fprintf(stderr, "usage: %s [--quick] [--threads N] [--out rgb24|rgba|rgb48] [INPUT-SUBSTRING]\n",
                    argv[0]);
            return 2;
        }
    }
    av_log_set_level(AV_LOG_ERROR);   /* swscale's "no accelerated conversion" notes */
    const double min_s = quick ? 0.15 : 0.6;
    const input inputs[] = {
        { "1080p 8-bit 4:2:0", 1920, 1080, AV_PIX_FMT_YUV420P },
        { "1080p 8-bit 4:2:2", 1920, 1080, AV_PIX_FMT_YUV422P },
        { "1080p 8-bit 4:4:4", 1920, 1080, AV_PIX_FMT_YUV444P },
        { "2160p 8-bit 4:2:0", 3840, 2160, AV_PIX_FMT_YUV420P },
        { "1080p 10-bit 4:2:0", 1920, 1080, AV_PIX_FMT_YUV420P10LE },
        { "1080p 10-bit 4:2:2", 1920, 1080, AV_PIX_FMT_YUV422P10LE },
        { "1080p 10-bit 4:4:4", 1920, 1080, AV_PIX_FMT_YUV444P10LE },
    };
    const struct { kzv_pixfmt k; enum AVPixelFormat av; const char *name; } outs[] = {
        { KZV_PIXFMT_RGB24, AV_PIX_FMT_RGB24, "rgb24" },
        { KZV_PIXFMT_RGBA, AV_PIX_FMT_RGBA, "rgba" },
        { KZV_PIXFMT_RGB48, AV_PIX_FMT_RGB48, "rgb48" },
    };
    kzv_workers *pool = NULL;
    if (threads > 1 && kzv_workers_create(&pool, threads) < 0) {
        fprintf(stderr, "cannot create the worker pool\n");
        return 1;
    }
    printf("# convert_bench: ms per frame, fastest (median) of repeated runs, Mpix/s from the fastest;\n"
           "# 1 thread and %d threads\n", threads);
    printf("%-19s %-5s %-12s | %16s %9s | %16s %9s\n", "input", "out", "converter", "ms 1t", "Mpix/s",
           "ms Nt", "Mpix/s");
    for (size_t ii = 0; ii < sizeof(inputs) / sizeof(inputs[0]); ii++) {
        const input *in = &inputs[ii];
        if (only_in && !strstr(in->name, only_in))
            continue;
        const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(in->fmt);
        AVFrame *src = av_frame_alloc();
        src->width = in->w;
        src->height = in->h;
        src->format = in->fmt;
        src->colorspace = AVCOL_SPC_BT709;
        src->color_range = AVCOL_RANGE_MPEG;
        if (av_frame_get_buffer(src, 0) < 0)
            return 1;
        fill(src);
        double mpix = in->w * (double)in->h / 1e6;
        for (size_t oi = 0; oi < sizeof(outs) / sizeof(outs[0]); oi++) {
            if (only_out && strcmp(outs[oi].name, only_out))
                continue;
            AVFrame *dst = av_frame_alloc();
            dst->width = in->w;
            dst->height = in->h;
            dst->format = outs[oi].av;
            if (av_frame_get_buffer(dst, 0) < 0)
                return 1;
            for (int conv = 0; conv < 6; conv++) {
                double t[2] = { -1, -1 }, med[2] = { -1, -1 };
                static const char *const cnames[] = { "kzv", "kzv-avx2", "kzv-C", "sws-fast", "sws-fastbil",
                                                      "sws-accurate" };
                const char *cname = cnames[conv];
                for (int ti = 0; ti < 2; ti++) {
                    int nt = ti ? threads : 1;
                    if (ti && threads <= 1)
                        break;
                    if (conv < 3) {
                        kzv_run r;
                        kzv_yuv2rgb_params p;
                        kzv_yuv2rgb_default_params(&p);
                        p.width = in->w; p.height = in->h; p.depth = d->comp[0].depth;
                        p.log2_chroma_w = d->log2_chroma_w; p.log2_chroma_h = d->log2_chroma_h;
                        p.matrix = KZV_MATRIX_BT709; p.range = KZV_RANGE_LIMITED;
                        p.out = outs[oi].k; p.no_simd = conv == 2; p.no_avx512 = conv == 1;
                        if (kzv_yuv2rgb_init(&r.c, &p) < 0)
                            return 1;
                        for (int k = 0; k < 3; k++) {
                            r.src[k] = src->data[k];
                            r.stride[k] = src->linesize[k];
                        }
                        r.dst = dst->data[0];
                        r.dst_stride = dst->linesize[0];
                        r.pool = ti ? pool : NULL;
                        t[ti] = bench_time_it(run_kzv, &r, min_s, &med[ti]);
                    } else {
                        sws_run r = { sws_alloc_context(), src, dst };
                        int flags = conv == 3   ? SWS_BICUBIC
                                    : conv == 4 ? SWS_FAST_BILINEAR
                                                : SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT |
                                                      SWS_FULL_CHR_H_INP;
                        av_opt_set_int(r.s, "srcw", in->w, 0);
                        av_opt_set_int(r.s, "srch", in->h, 0);
                        av_opt_set_int(r.s, "src_format", in->fmt, 0);
                        av_opt_set_int(r.s, "dstw", in->w, 0);
                        av_opt_set_int(r.s, "dsth", in->h, 0);
                        av_opt_set_int(r.s, "dst_format", outs[oi].av, 0);
                        av_opt_set_int(r.s, "sws_flags", flags, 0);
                        av_opt_set_int(r.s, "threads", nt, 0);
                        if (sws_init_context(r.s, NULL, NULL) < 0)
                            return 1;
                        const int *co = sws_getCoefficients(SWS_CS_ITU709);
                        sws_setColorspaceDetails(r.s, co, 0, co, 1, 0, 1 << 16, 1 << 16);
                        t[ti] = bench_time_it(run_sws, &r, min_s, &med[ti]);
                        sws_freeContext(r.s);
                    }
                }
                printf("%-19s %-5s %-12s | %6.2f (%7.2f) %9.0f |", in->name, outs[oi].name, cname, t[0] * 1e3,
                       med[0] * 1e3, mpix / t[0]);
                if (t[1] > 0)
                    printf(" %6.2f (%7.2f) %9.0f |", t[1] * 1e3, med[1] * 1e3, mpix / t[1]);
                printf("\n");
                fflush(stdout);
            }
            av_frame_free(&dst);
        }
        av_frame_free(&src);
    }
    kzv_workers_destroy(&pool);
    return 0;
}
