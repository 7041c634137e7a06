/* gl uploader: texture accounting, the pool, and GL object counts. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gl_test_util.h"
#include "ktest.h"

static kzv_gl_stats stats(kzv_uploader *u)
{
    kzv_gl_stats st;
    KT_CHECK_EQ_INT(kzv_gl_get_stats(u, &st), KZV_OK);
    return st;
}

static void test_basic(int pbo, kzv_gl_path path, kzv_pixfmt fmt)
{
    kzv_uploader *u = gt_gl_create(pbo, 4, path);
    if (!u)
        return;
    kzv_frame *f = gt_frame_new(64, 36, fmt, NULL);
    gt_fill_pattern(f, 3);

    /* live count, size, double release */
    kzv_texture t1 = 0, t2 = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t1), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t2), KZV_OK);
    KT_CHECK(t1 && t2 && t1 != t2, "two textures");
    unsigned n1 = kzv_gl_texture_name(u, t1), n2 = kzv_gl_texture_name(u, t2);
    KT_CHECK(n1 && n2 && n1 != n2, "two GL names");
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 2);
    int w = 0, h = 0;
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(u, t1, &w, &h), KZV_OK);
    KT_CHECK(w == 64 && h == 36, "size %dx%d", w, h);
    kzv_gl_stats st = stats(u);
    KT_CHECK_EQ_INT(st.live_textures, 2);
    KT_CHECK_EQ_INT(st.textures_created, 2);

    KT_CHECK_EQ_INT(kzv_uploader_release(u, t1), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, t1), KZV_EINVAL);       /* double release refused */
    KT_CHECK_EQ_INT(kzv_uploader_release(u, 123456), KZV_EINVAL);   /* never handed out */
    KT_CHECK_EQ_INT(kzv_gl_texture_name(u, t1), 0);                 /* stale handle */
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(u, t1, &w, &h), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 1);
    st = stats(u);
    KT_CHECK_EQ_INT(st.pool_free, 1);

    /* pool reuse: the released GL name comes back, under a new handle */
    kzv_texture t3 = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t3), KZV_OK);
    KT_CHECK(t3 != t1, "handles are never reused");
    KT_CHECK_EQ_INT(kzv_gl_texture_name(u, t3), n1);
    st = stats(u);
    KT_CHECK_EQ_INT(st.textures_created, 2);
    KT_CHECK_EQ_INT(st.pool_hits, 1);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, t2), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, t3), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);

    /* a different shape misses the pool; the pool is bounded by pool_size */
    st = stats(u);
    int gl_tex_before = st.gl_textures;
    kzv_frame *g = gt_frame_new(32, 32, fmt, NULL);
    kzv_texture t4 = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, g, &t4), KZV_OK);
    KT_CHECK(kzv_gl_texture_name(u, t4) != n1 && kzv_gl_texture_name(u, t4) != n2, "new shape, new texture");
    kzv_uploader_release(u, t4);
    kzv_texture many[10];
    for (int i = 0; i < 10; i++)
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &many[i]), KZV_OK);
    for (int i = 0; i < 10; i++)
        KT_CHECK_EQ_INT(kzv_uploader_release(u, many[i]), KZV_OK);
    st = stats(u);
    KT_CHECK_EQ_INT(st.pool_free, 4);
    KT_CHECK_EQ_INT(st.live_textures, 0);
    KT_CHECK_EQ_INT(st.textures_created - st.textures_deleted, 4);

    /* 1000 upload/release cycles (two in flight): no growth of GL objects */
    kzv_texture prev = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &prev), KZV_OK);
    kzv_gl_stats before = stats(u);
    for (int i = 0; i < 1000; i++) {
        kzv_texture t = 0;
        if (kzv_uploader_upload(u, i % 2 ? f : g, &t) != KZV_OK) {
            KT_CHECK(0, "upload %d failed", i);
            break;
        }
        kzv_uploader_release(u, prev);
        prev = t;
    }
    kzv_uploader_release(u, prev);
    kzv_gl_stats after = stats(u);
    KT_CHECK_EQ_INT(after.gl_textures, before.gl_textures);
    KT_CHECK_EQ_INT(after.gl_buffers, before.gl_buffers);
    KT_CHECK_EQ_INT(after.gl_framebuffers, before.gl_framebuffers);
    KT_CHECK_EQ_INT(after.gl_programs, before.gl_programs);
    KT_CHECK(after.textures_created - before.textures_created <= 1,
             "at most one new texture in 1000 cycles: %lld",
             (long long)(after.textures_created - before.textures_created));
    KT_CHECK_EQ_INT(after.uploads - before.uploads, 1000);
    KT_CHECK_EQ_INT(after.pbo_uploads - before.pbo_uploads, pbo ? 1000 : 0);
    KT_CHECK_EQ_INT(after.live_textures, 0);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    KT_CHECK_EQ_INT(after.gl_buffers, pbo);
    (void)gl_tex_before;

    /* leaked textures are released by destroy (the wrapper logs them) */
    kzv_texture leak = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &leak), KZV_OK);
    kzv_uploader_destroy(&u);
    KT_CHECK(u == NULL, "destroyed");
    gt_frame_free(f);
    gt_frame_free(g);
}

/* pool_size 0: every release deletes; still no growth. */
static void test_no_pool(void)
{
    kzv_uploader *u = gt_gl_create(0, 0, KZV_GL_PATH_RGB);
    if (!u)
        return;
    kzv_frame *f = gt_frame_new(16, 16, KZV_PIXFMT_RGBA, NULL);
    for (int i = 0; i < 100; i++) {
        kzv_texture t = 0;
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t), KZV_OK);
        KT_CHECK_EQ_INT(kzv_uploader_release(u, t), KZV_OK);
    }
    kzv_gl_stats st = stats(u);
    KT_CHECK_EQ_INT(st.textures_created, 100);
    KT_CHECK_EQ_INT(st.textures_deleted, 100);
    KT_CHECK_EQ_INT(st.gl_textures, 0);
    KT_CHECK_EQ_INT(st.pool_free, 0);
    gt_frame_free(f);
    kzv_uploader_destroy(&u);
}

/* Several uploaders at once (each with its own context on one display),
 * created and destroyed in any order; make_current switches between them. */
static void test_many(void)
{
    kzv_uploader *a = gt_gl_create(3, 8, KZV_GL_PATH_YUV);
    kzv_uploader *b = gt_gl_create(0, 8, KZV_GL_PATH_RGB);
    if (!a || !b)
        goto out;
    kzv_frame *f = gt_frame_new(8, 8, KZV_PIXFMT_RGB24, NULL);
    gt_fill_pattern(f, 8);
    kzv_texture ta = 0, tb = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(a, f, &ta), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_upload(b, f, &tb), KZV_OK);
    KT_CHECK_EQ_INT(kzv_gl_make_current(a), KZV_OK);
    uint8_t *pa = gt_read_rgba(a, ta, 8, 8), *pb = gt_read_rgba(b, tb, 8, 8);
    KT_CHECK(pa && pb && memcmp(pa, pb, 8 * 8 * 4) == 0, "same pixels from two contexts");
    KT_CHECK(pa && pa[3 * 4] == f->data[0][3 * 3], "pixel value");
    free(pa);
    free(pb);
    /* a texture of one uploader is foreign to the other */
    KT_CHECK_EQ_INT(kzv_gl_texture_name(b, ta), ta == tb ? kzv_gl_texture_name(b, tb) : 0);
    KT_CHECK_EQ_INT(kzv_gl_finish(a), KZV_OK);
    kzv_uploader_release(a, ta);
    kzv_uploader_release(b, tb);
    kzv_uploader_destroy(&a);
    /* b still works after a's destroy (the shared display stays up) */
    KT_CHECK_EQ_INT(kzv_uploader_upload(b, f, &tb), KZV_OK);
    pb = tb ? gt_read_rgba(b, tb, 8, 8) : NULL;
    KT_CHECK(pb && pb[0] == f->data[0][0], "b after a's destroy");
    free(pb);
    kzv_uploader_release(b, tb);
    gt_frame_free(f);
out:
    kzv_uploader_destroy(&a);
    kzv_uploader_destroy(&b);
    /* and a fresh one after all are gone (display terminated, re-initialised) */
    kzv_uploader *c = gt_gl_create(3, 8, KZV_GL_PATH_RGB);
    kzv_uploader_destroy(&c);
}

/* Hand an uploader from one thread to another. */
typedef struct handoff {
    kzv_uploader *u;
    kzv_frame *f;
    int err_before, err_upload;
    uint8_t px[4];
} handoff;

static void *handoff_thread(void *arg)
{
    handoff *h = arg;
    /* the main thread still holds the context: refused, not undefined */
    h->err_before = kzv_gl_make_current(h->u);
    return NULL;
}

static void *handoff_thread2(void *arg)
{
    handoff *h = arg;
    kzv_texture t = 0;
    h->err_upload = kzv_uploader_upload(h->u, h->f, &t);
    if (t) {
        kzv_gl_read_texture(h->u, t, h->px, 4);
        kzv_uploader_release(h->u, t);
    }
    kzv_gl_release_current(h->u);
    return NULL;
}

static void test_threads(void)
{
    handoff h = { 0 };
    h.u = gt_gl_create(3, 8, KZV_GL_PATH_YUV);
    if (!h.u)
        return;
    h.f = gt_frame_new(1, 1, KZV_PIXFMT_RGBA, NULL);
    memcpy(h.f->data[0], (uint8_t[4]){ 10, 20, 30, 40 }, 4);
    kzv_texture t = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(h.u, h.f, &t), KZV_OK);
    kzv_uploader_release(h.u, t);
    pthread_t th;
    pthread_create(&th, NULL, handoff_thread, &h);
    pthread_join(th, NULL);
    KT_CHECK_EQ_INT(h.err_before, KZV_EGPU);
    KT_CHECK_EQ_INT(kzv_gl_release_current(h.u), KZV_OK);
    pthread_create(&th, NULL, handoff_thread2, &h);
    pthread_join(th, NULL);
    KT_CHECK_EQ_INT(h.err_upload, KZV_OK);
    KT_CHECK(h.px[0] == 10 && h.px[1] == 20 && h.px[2] == 30 && h.px[3] == 40, "pixel from thread 2");
    /* back on the main thread: destroy takes the context again */
    gt_frame_free(h.f);
    kzv_uploader_destroy(&h.u);
}

int main(void)
{
    test_threads();
    test_basic(0, KZV_GL_PATH_RGB, KZV_PIXFMT_RGB24);
    test_basic(3, KZV_GL_PATH_RGB, KZV_PIXFMT_RGBA);
    test_basic(0, KZV_GL_PATH_YUV, KZV_PIXFMT_YUV420P);
    test_basic(2, KZV_GL_PATH_YUV, KZV_PIXFMT_YUV422P);
    test_no_pool();
    test_many();
    return kt_finish();
}
