/* Random-access latency: kzv against FFMS2 (bench/seek_bench.sh builds and
 * runs it; never part of the tests).
 *
 *   seek_bench FILE [N] [SEED]
 *
 * Draws N (default 100) frame indices from a seeded generator and times
 * every access of each tool separately, the two tools taking turns access by
 * access (so that other load on the machine falls on both alike):
 *   kzv:   kzv_decoder_open (+ its index, built on the first seek and timed
 *          on its own with kzv_decoder_get_index), then per access
 *          kzv_decoder_seek_frame + kzv_decoder_next (RGB24);
 *   FFMS2: FFMS_CreateIndexer + FFMS_DoIndexing2 (index), FFMS_CreateVideoSource
 *          (seek mode 1, normal) + FFMS_SetOutputFormatV2 (RGB24), then per
 *          access FFMS_GetFrame.
 * Prints a table (index time, mean / median / p95 per access, the mean with
 * the index time spread over the N accesses), the mean CPU time per access
 * (all threads of the process; other processes do not inflate it), and
 * compares the pictures both return for each index: exact agreements, the
 * largest per-byte difference otherwise, and whether FFMS2's frame N is kzv's
 * frame N (by pts). */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ffms.h>
#include <libavutil/log.h>

#include <kzv/kzv.h>

#include "bench_util.h"

static uint64_t rng;
static uint64_t next_rand(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

typedef struct stats { double index_s, mean, median, p95; } stats;

static stats summarize(double index_s, const double *t, int n)
{
    double *s = malloc(sizeof(*s) * (size_t)n), sum = 0;
    if (!s) abort();
    for (int i = 0; i < n; i++) {
        s[i] = t[i];
        sum += t[i];
    }
    qsort(s, (size_t)n, sizeof(*s), bench_cmp_double);
    stats r = { index_s, sum / n, n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2,
                s[(int)((n - 1) * 0.95 + 0.5)] };
    free(s);
    return r;
}

/* One tightly packed RGB24 picture per access, kept for the comparison. */
typedef struct picture { uint8_t *rgb; int w, h; double pts; } picture;

static void keep(picture *p, const uint8_t *data, int stride, int w, int h, double pts)
{
    p->rgb = malloc((size_t)w * h * 3);
    if (!p->rgb) abort();
    for (int y = 0; y < h; y++)
        memcpy(p->rgb + (size_t)y * w * 3, data + (size_t)y * stride, (size_t)w * 3);
    p->w = w;
    p->h = h;
    p->pts = pts;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [N] [SEED]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int n = argc > 2 ? atoi(argv[2]) : 100;
    rng = argc > 3 ? strtoull(argv[3], NULL, 0) : 0x5EEDBA5Eull;
    if (n < 1 || !rng) {
        fprintf(stderr, "bad N or SEED\n");
        return 2;
    }

    /* ---- kzv ---- */
    double t0 = bench_now_s();
    kzv_decoder *d = NULL;
    kzv_decoder_settings ks;
    kzv_decoder_default_settings(&ks);
    /* KZV_BENCH_THREADS / FFMS_BENCH_THREADS: decoding threads (default 0 = auto). */
    ks.threads = getenv("KZV_BENCH_THREADS") ? atoi(getenv("KZV_BENCH_THREADS")) : 0;
    int ffms_threads = getenv("FFMS_BENCH_THREADS") ? atoi(getenv("FFMS_BENCH_THREADS")) : 0;
    if (kzv_decoder_open(&d, path, &ks) < 0) {
        fprintf(stderr, "kzv: %s\n", kzv_decoder_last_error(NULL));
        return 1;
    }
    double kzv_open_s = bench_now_s() - t0;
    const kzv_index_entry *e = NULL;
    int64_t frames = 0;
    t0 = bench_now_s();
    if (kzv_decoder_get_index(d, &e, &frames) < 0 || frames < 1) {
        fprintf(stderr, "kzv index: %s\n", kzv_decoder_last_error(d));
        return 1;
    }
    double kzv_index_s = bench_now_s() - t0;
    double kzv_pts0 = e[0].pts;

    int *idx = malloc(sizeof(*idx) * (size_t)n);
    double *tk = malloc(sizeof(*tk) * (size_t)n), *tf = malloc(sizeof(*tf) * (size_t)n);
    double *ck = malloc(sizeof(*ck) * (size_t)n), *cf = malloc(sizeof(*cf) * (size_t)n);
    picture *pk = calloc((size_t)n, sizeof(*pk)), *pf = calloc((size_t)n, sizeof(*pf));
    if (!idx || !tk || !tf || !ck || !cf || !pk || !pf) abort();
    for (int i = 0; i < n; i++)
        idx[i] = (int)(next_rand() % (uint64_t)frames);


    /* ---- FFMS2 ---- */
    char errmsg[1024];
    FFMS_ErrorInfo err = { .Buffer = errmsg, .BufferSize = sizeof(errmsg) };
    FFMS_Init(0, 0);
    FFMS_SetLogLevel(AV_LOG_QUIET);
    t0 = bench_now_s();
    FFMS_Indexer *ix = FFMS_CreateIndexer(path, &err);
    FFMS_Index *index = ix ? FFMS_DoIndexing2(ix, FFMS_IEH_ABORT, &err) : NULL;   /* frees ix */
    double ffms_index_s = bench_now_s() - t0;
    if (!index) {
        fprintf(stderr, "ffms2 index: %s\n", errmsg);
        return 1;
    }
    int track = FFMS_GetFirstTrackOfType(index, FFMS_TYPE_VIDEO, &err);
    t0 = bench_now_s();
    FFMS_VideoSource *vs = track < 0 ? NULL
                         : FFMS_CreateVideoSource(path, track, index, ffms_threads, FFMS_SEEK_NORMAL, &err);
    if (!vs) {
        fprintf(stderr, "ffms2 source: %s\n", errmsg);
        return 1;
    }
    const FFMS_Frame *first = FFMS_GetFrame(vs, 0, &err);
    int fmts[] = { FFMS_GetPixFmt("rgb24"), -1 };
    if (!first || FFMS_SetOutputFormatV2(vs, fmts, first->EncodedWidth, first->EncodedHeight,
                                         FFMS_RESIZER_BICUBIC, &err)) {
        fprintf(stderr, "ffms2 output format: %s\n", errmsg);
        return 1;
    }
    double ffms_open_s = bench_now_s() - t0;
    const FFMS_VideoProperties *vp = FFMS_GetVideoProperties(vs);
    FFMS_Track *tr = FFMS_GetTrackFromVideo(vs);
    const FFMS_TrackTimeBase *tb = FFMS_GetTimeBase(tr);
    /* Both tools take turns, access by access (the first alternates too), so
     * that load from other work on the machine hits both alike. Wall time
     * and this process's CPU time are both recorded. */
    for (int i = 0; i < n; i++) {
        for (int turn = 0; turn < 2; turn++) {
            if ((turn == 0) == (i % 2 == 0)) {
                kzv_frame *f = NULL;
                t0 = bench_now_s();
                double c0 = bench_cpu_s();
                int r = kzv_decoder_seek_frame(d, idx[i]);
                if (r == KZV_OK)
                    r = kzv_decoder_next(d, &f);
                tk[i] = bench_now_s() - t0;
                ck[i] = bench_cpu_s() - c0;
                if (r != KZV_OK) {
                    fprintf(stderr, "kzv: frame %d: %s\n", idx[i], kzv_decoder_last_error(d));
                    return 1;
                }
                if (f->frame_index != idx[i])
                    fprintf(stderr, "kzv: asked frame %d, got %" PRId64 "\n", idx[i], f->frame_index);
                keep(&pk[i], f->data[0], f->stride[0], f->width, f->height, f->pts);
                kzv_frame_unref(&f);
            } else {
                t0 = bench_now_s();
                double c0 = bench_cpu_s();
                const FFMS_Frame *f = FFMS_GetFrame(vs, idx[i], &err);
                tf[i] = bench_now_s() - t0;
                cf[i] = bench_cpu_s() - c0;
                if (!f) {
                    fprintf(stderr, "ffms2: frame %d: %s\n", idx[i], errmsg);
                    return 1;
                }
                const FFMS_FrameInfo *fi = FFMS_GetFrameInfo(tr, idx[i]);
                double pts = (double)fi->PTS * tb->Num / tb->Den / 1000.0;
                keep(&pf[i], f->Data[0], f->Linesize[0], f->ScaledWidth > 0 ? f->ScaledWidth : f->EncodedWidth,
                     f->ScaledHeight > 0 ? f->ScaledHeight : f->EncodedHeight, pts);
            }
        }
    }
    kzv_decoder_close(&d);

    /* ---- agreement ---- */
    int exact = 0, same_frame = 0, size_diff = 0, maxdiff = 0;
    double sumdiff = 0;
    int64_t ndiff_bytes = 0;
    for (int i = 0; i < n; i++) {
        if (pk[i].w != pf[i].w || pk[i].h != pf[i].h) {
            size_diff++;
            continue;
        }
        size_t bytes = (size_t)pk[i].w * pk[i].h * 3;
        int m = 0;
        int64_t nd = 0;
        for (size_t b = 0; b < bytes; b++) {
            int dd = abs(pk[i].rgb[b] - pf[i].rgb[b]);
            if (dd) {
                nd++;
                sumdiff += dd;
                if (dd > m)
                    m = dd;
            }
        }
        ndiff_bytes += nd;
        exact += m == 0;
        if (m > maxdiff)
            maxdiff = m;
    }
    /* Which frame FFMS2 calls N: compare FFMS2's pts of N (shifted by its
     * frame 0) with kzv's pts of N (shifted by kzv's frame 0). */
    const FFMS_FrameInfo *f0 = FFMS_GetFrameInfo(tr, 0);
    double ffms_pts0 = (double)f0->PTS * tb->Num / tb->Den / 1000.0;
    for (int i = 0; i < n; i++) {
        double kz = pk[i].pts - kzv_pts0, ff = pf[i].pts - ffms_pts0;
        same_frame += kz - ff < 1e-4 && ff - kz < 1e-4;
    }

    stats sk = summarize(kzv_index_s, tk, n), sf = summarize(ffms_index_s, tf, n);
    printf("file: %s (%" PRId64 " frames per kzv, %d per FFMS2), %d random accesses, seed 0x%llx\n",
           path, frames, vp->NumFrames, n, (unsigned long long)(argc > 3 ? strtoull(argv[3], NULL, 0) : 0x5EEDBA5Eull));
    printf("threads: kzv %d, FFMS2 %d (0 = auto)\n", ks.threads, ffms_threads);
    printf("kzv open %.1f ms (first frame decoded); FFMS2 video source + output format %.1f ms\n",
           kzv_open_s * 1e3, ffms_open_s * 1e3);
    printf("\n| tool  | index (ms) | mean (ms) | median (ms) | p95 (ms) | amortized mean (ms) |\n");
    printf("|-------|-----------:|----------:|------------:|---------:|--------------------:|\n");
    printf("| kzv   | %10.1f | %9.1f | %11.1f | %8.1f | %19.1f |\n", sk.index_s * 1e3, sk.mean * 1e3,
           sk.median * 1e3, sk.p95 * 1e3, (sk.mean + sk.index_s / n) * 1e3);
    printf("| FFMS2 | %10.1f | %9.1f | %11.1f | %8.1f | %19.1f |\n", sf.index_s * 1e3, sf.mean * 1e3,
           sf.median * 1e3, sf.p95 * 1e3, (sf.mean + sf.index_s / n) * 1e3);
    printf("\nratio kzv/FFMS2: mean %.2f, amortized mean %.2f (goal <= 0.50)\n",
           sk.mean / sf.mean, (sk.mean + sk.index_s / n) / (sf.mean + sf.index_s / n));
    stats ck_s = summarize(0, ck, n), cf_s = summarize(0, cf, n);
    printf("CPU time per access (all threads; insensitive to other load): kzv mean %.1f ms, "
           "FFMS2 mean %.1f ms, ratio %.2f\n", ck_s.mean * 1e3, cf_s.mean * 1e3, ck_s.mean / cf_s.mean);
    printf("agreement: %d/%d pictures identical, max byte difference %d, mean difference of the "
           "differing bytes %.2f (%.4f%% of bytes differ), %d size mismatches; "
           "FFMS2's frame N is kzv's frame N (same pts offset from frame 0) for %d/%d\n",
           exact, n, maxdiff, ndiff_bytes ? sumdiff / ndiff_bytes : 0.0,
           100.0 * ndiff_bytes / ((double)n * pk[0].w * pk[0].h * 3), size_diff, same_frame, n);

    for (int i = 0; i < n; i++) {
        free(pk[i].rgb);
        free(pf[i].rgb);
    }
    free(pk); free(pf); free(idx); free(tk); free(tf); free(ck); free(cf);
    FFMS_DestroyVideoSource(vs);
    FFMS_DestroyIndex(index);
    return 0;
}
