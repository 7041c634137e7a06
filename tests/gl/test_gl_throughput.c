/* gl uploader: upload throughput at 1080p (frames/s), RGB and YUV paths
 * (8-bit planar, NV12, and the 10-bit layouts with their 16-bit samples),
 * with and without the PBO ring. Figures only; nothing is asserted about
 * speed (on llvmpipe every "GPU" copy runs on the CPU). Each run uploads
 * and releases frames back to back (one texture in flight, as a player
 * does) and ends with glFinish, so queued work is counted. */
#include <stdlib.h>
#include <string.h>

#include "gl_test_util.h"
#include "ktest.h"

static void run(kzv_pixfmt fmt, kzv_gl_path path, int pbo, double seconds)
{
    kzv_uploader *u = gt_gl_create(pbo, 8, path);
    if (!u)
        return;
    kzv_frame *f[2];
    for (int i = 0; i < 2; i++) {
        f[i] = gt_frame_new(1920, 1080, fmt, NULL);
        gt_fill_pattern(f[i], (uint32_t)i + 1);
    }
    /* warm up: shader compile on first draw, pool, PBO allocation */
    kzv_texture t = 0;
    for (int i = 0; i < 3; i++) {
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, f[i & 1], &t), KZV_OK);
        kzv_uploader_release(u, t);
    }
    kzv_gl_finish(u);
    kzv_gl_stats st0;
    kzv_gl_get_stats(u, &st0);
    double t0 = gt_now(), t1 = t0;
    int n = 0;
    while (t1 - t0 < seconds || n < 10) {
        if (kzv_uploader_upload(u, f[n & 1], &t) != KZV_OK) {
            KT_CHECK(0, "upload failed");
            break;
        }
        kzv_uploader_release(u, t);
        n++;
        if (n % 5 == 0) {
            kzv_gl_finish(u);
            t1 = gt_now();
        }
    }
    kzv_gl_finish(u);
    t1 = gt_now();
    kzv_gl_stats st;
    kzv_gl_get_stats(u, &st);
    double mb = (double)(st.bytes_uploaded - st0.bytes_uploaded) / 1e6;
    printf("throughput 1920x1080 %-9s %s path, PBO ring %d: %6.1f frames/s (%7.1f MB/s of pixels)\n",
           kzv_pixfmt_name(fmt), path == KZV_GL_PATH_YUV ? "YUV" : "RGB", pbo, n / (t1 - t0),
           mb / (t1 - t0));
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    KT_CHECK(st.textures_created <= 2, "pool used: %lld textures made", (long long)st.textures_created);
    for (int i = 0; i < 2; i++)
        gt_frame_free(f[i]);
    kzv_uploader_destroy(&u);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.5;
    for (int pbo = 0; pbo <= 3; pbo += 3) {
        run(KZV_PIXFMT_RGB24, KZV_GL_PATH_RGB, pbo, secs);
        run(KZV_PIXFMT_RGBA, KZV_GL_PATH_RGB, pbo, secs);
        run(KZV_PIXFMT_YUV420P, KZV_GL_PATH_YUV, pbo, secs);
        run(KZV_PIXFMT_YUV444P, KZV_GL_PATH_YUV, pbo, secs);
        run(KZV_PIXFMT_NV12, KZV_GL_PATH_YUV, pbo, secs);
        run(KZV_PIXFMT_YUV420P10, KZV_GL_PATH_YUV, pbo, secs);
        run(KZV_PIXFMT_P010, KZV_GL_PATH_YUV, pbo, secs);
    }
    fflush(stdout);
    return kt_finish();
}
