/*
 * Fast RGB → YUV; see rgb2yuv.h for what it does and promises. The kernels
 * are in rgb2yuv_kernels.h, compiled here twice (plain and AVX2).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kzv/common.h"
#include "convert/colorspace.h"
#include "convert/rgb2yuv.h"
#include "core/cpu.h"


/* As in yuv2rgb.c: GCC -O2 vectorises only loops of known trip count. */
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif

#define KZV_R2Y_SUF _c
#include "convert/rgb2yuv_kernels.h"
#undef KZV_R2Y_SUF

#if KZV_CPU_X86
#  if defined(__clang__)
#    pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#  else
#    pragma GCC push_options
#    pragma GCC target("avx2")
#  endif
#  define KZV_R2Y_SUF _avx2
#  include "convert/rgb2yuv_kernels.h"
#  undef KZV_R2Y_SUF
#  if defined(__clang__)
#    pragma clang attribute pop
#  else
#    pragma GCC pop_options
#  endif
/* The same kernels once more for AVX-512 (F, BW, DQ, VL) at 512-bit width:
 * the compiler's wider loops (and its byte permutes for the packed RGB
 * input) take 1080p RGB24 -> YUV420P from 2.3 to 0.9 ms per frame on one
 * core of a 2-core EPYC, 4K from 10.7 to 6.2 ms (bench/rgb2yuv_bench.c; GCC). */
#  if defined(__clang__)
#    pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))), apply_to = function)
#    pragma clang attribute push(__attribute__((min_vector_width(512))), apply_to = function)
#  else
#    pragma GCC push_options
#    pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,prefer-vector-width=512")
#  endif
#  define KZV_R2Y_SUF _avx512
#  include "convert/rgb2yuv_kernels.h"
#  undef KZV_R2Y_SUF
#  if defined(__clang__)
#    pragma clang attribute pop
#    pragma clang attribute pop
#  else
#    pragma GCC pop_options
#  endif
#endif

void kzv_rgb2yuv_default_params(kzv_rgb2yuv_params *p)
{
    memset(p, 0, sizeof(*p));
    p->in = KZV_PIXFMT_RGB24;
    p->out = KZV_PIXFMT_YUV420P;
    p->matrix = KZV_MATRIX_BT709;
    p->range = KZV_RANGE_LIMITED;
}

int kzv_rgb2yuv_init(kzv_rgb2yuv *c, const kzv_rgb2yuv_params *p)
{
    if (!c || !p)
        return KZV_EINVAL;
    memset(c, 0, sizeof(*c));
    if (p->width < 1 || p->height < 1 || p->width > (1 << 16) || p->height > (1 << 16))
        return KZV_EINVAL;
    double kr, kb;
    if (!kzv_matrix_kr_kb(p->matrix, &kr, &kb))
        return KZV_EUNSUPPORTED;
    double inmax;
    switch (p->in) {
    case KZV_PIXFMT_RGB24: c->bpp = 3; inmax = 255.0; break;
    case KZV_PIXFMT_RGBA:  c->bpp = 4; inmax = 255.0; break;
    case KZV_PIXFMT_RGB48: c->bpp = 6; inmax = 65535.0; break;
    default: return KZV_EUNSUPPORTED;
    }
    if (!kzv_pixfmt_chroma_shift(p->out, &c->log2_cw, &c->log2_ch))
        return KZV_EUNSUPPORTED;
    c->depth = kzv_pixfmt_depth(p->out);
    c->semi = kzv_pixfmt_planes(p->out) == 2;
    c->out_shift = p->out == KZV_PIXFMT_P010 ? 6 : 0;
    kzv_range_codes rc;
    if (!kzv_range_codes_of(p->range, c->depth, &rc))
        return KZV_EUNSUPPORTED;
    c->p = *p;
    c->cw = (p->width + (1 << c->log2_cw) - 1) >> c->log2_cw;
    c->ch = (p->height + (1 << c->log2_ch) - 1) >> c->log2_ch;
    c->maxcode = (1 << c->depth) - 1;

    /* Luma: sum of k * v < 2^30 for every input (see the header). */
    double kg = 1.0 - kr - kb;
    int ys = 0;
    while (ys < 30 && rc.yspan * (double)(1 << (ys + 1)) <= (double)(1 << 30))
        ys++;
    c->ys = ys;
    double ysc = rc.yspan / inmax * (double)(1 << ys);
    c->ky[0] = (int32_t)lrint(kr * ysc);
    c->ky[1] = (int32_t)lrint(kg * ysc);
    c->ky[2] = (int32_t)lrint(kb * ysc);
    c->yadd = (int32_t)(((int64_t)rc.yoff << ys) + (1 << (ys - 1)));
    c->ys64 = 32;
    double ysc64 = rc.yspan / inmax * 4294967296.0;
    c->ky64[0] = (int64_t)llrint(kr * ysc64);
    c->ky64[1] = (int64_t)llrint(kg * ysc64);
    c->ky64[2] = (int64_t)llrint(kb * ysc64);
    c->yadd64 = ((int64_t)rc.yoff << 32) + ((int64_t)1 << 31);

    /* Chroma: the filtered sums carry a weight of 1, 4 or 8. */
    double wsum = (double)((c->log2_cw ? 4 : 1) * (c->log2_ch ? 2 : 1));
    double csc = rc.cspan / (inmax * wsum) * 4294967296.0;
    double cu[3] = { -kr / (2.0 * (1.0 - kb)), -kg / (2.0 * (1.0 - kb)), 0.5 };
    double cv[3] = { 0.5, -kg / (2.0 * (1.0 - kr)), -kb / (2.0 * (1.0 - kr)) };
    for (int i = 0; i < 3; i++) {
        c->ku[i] = (int64_t)llrint(cu[i] * csc);
        c->kv[i] = (int64_t)llrint(cv[i] * csc);
    }
    c->cadd = ((int64_t)rc.coff << 32) + ((int64_t)1 << 31);
    c->simd = !p->no_simd && kzv_cpu_has(KZV_CPU_AVX2);
    /* The AVX-512 build of the kernels is compiled for F/BW/DQ/VL. */
    c->avx512 = c->simd && !p->no_avx512 &&
                kzv_cpu_has(KZV_CPU_AVX512F | KZV_CPU_AVX512BW | KZV_CPU_AVX512DQ | KZV_CPU_AVX512VL);
    return KZV_OK;
}

int kzv_rgb2yuv_band(const kzv_rgb2yuv *c, const uint8_t *src, ptrdiff_t src_stride,
                     uint8_t *const dst[3], const ptrdiff_t dst_stride[3], int c0, int c1)
{
    if (!c || !c->bpp || c0 < 0 || c1 > c->ch || c0 > c1)
        return KZV_EINVAL;
    if (c0 == c1)
        return KZV_OK;
    int32_t *scratch = malloc(sizeof(int32_t) * (3 * (size_t)c->p.width + 2 * (size_t)c->cw));
    if (!scratch)
        return KZV_ENOMEM;
#if KZV_CPU_X86
    if (c->avx512)
        band_avx512(c, src, src_stride, dst, dst_stride, c0, c1, scratch);
    else if (c->simd)
        band_avx2(c, src, src_stride, dst, dst_stride, c0, c1, scratch);
    else
#endif
        band_c(c, src, src_stride, dst, dst_stride, c0, c1, scratch);
    free(scratch);
    return KZV_OK;
}

typedef struct band_job {
    const kzv_rgb2yuv *c;
    const uint8_t *src;
    ptrdiff_t src_stride;
    uint8_t *const *dst;
    const ptrdiff_t *dst_stride;
    int rows_per_job;
    _Atomic int err;
} band_job;

static void run_band(void *arg, int job, int njobs)
{
    (void)njobs;
    band_job *b = arg;
    int c0 = job * b->rows_per_job;
    int c1 = c0 + b->rows_per_job;
    if (c1 > b->c->ch)
        c1 = b->c->ch;
    int err = kzv_rgb2yuv_band(b->c, b->src, b->src_stride, b->dst, b->dst_stride, c0, c1);
    if (err < 0)
        b->err = err;
}

int kzv_rgb2yuv_convert(const kzv_rgb2yuv *c, const uint8_t *src, ptrdiff_t src_stride,
                        uint8_t *const dst[3], const ptrdiff_t dst_stride[3], kzv_workers *pool)
{
    if (!c || !c->bpp)
        return KZV_EINVAL;
    int threads = pool ? kzv_workers_threads(pool) : 1;
    /* A few dozen luma rows per band, at least one band per thread. */
    int rows = (32 >> c->log2_ch);
    if (c->ch / rows < threads)
        rows = (c->ch + threads - 1) / threads;
    if (rows < 1)
        rows = 1;
    int njobs = (c->ch + rows - 1) / rows;
    if (njobs <= 1 || !pool)
        return kzv_rgb2yuv_band(c, src, src_stride, dst, dst_stride, 0, c->ch);
    band_job b = { .c = c, .src = src, .src_stride = src_stride, .dst = dst,
                   .dst_stride = dst_stride, .rows_per_job = rows, .err = 0 };
    kzv_workers_run(pool, run_band, &b, njobs);
    return b.err;
}
