/* gl uploader, RGB path: upload → read back → byte-exact against the memory
 * backend's copy, for many sizes and strides, with and without the PBO ring;
 * and on a caller's own context (state saved and restored). */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES3/gl3.h>
#include <stdlib.h>
#include <string.h>

#include "gl_test_util.h"
#include "ktest.h"

/* Upload `f` to gl and memory, compare every pixel of the readback. */
static void check_exact(kzv_uploader *gl, kzv_uploader *mem, const kzv_frame *f, const char *what)
{
    kzv_texture tg = 0, tm = 0;
    int err = kzv_uploader_upload(gl, f, &tg);
    KT_CHECK(err == KZV_OK, "%s: gl upload: %s", what, kzv_strerror(err));
    err = kzv_uploader_upload(mem, f, &tm);
    KT_CHECK(err == KZV_OK, "%s: memory upload: %s", what, kzv_strerror(err));
    if (!tg || !tm)
        goto out;
    int w = 0, h = 0;
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(gl, tg, &w, &h), KZV_OK);
    KT_CHECK(w == f->width && h == f->height, "%s: size %dx%d", what, w, h);
    KT_CHECK(kzv_gl_texture_name(gl, tg) != 0, "%s: GL name", what);

    kzv_frame *ref = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_memory_read(mem, tm, &ref), KZV_OK);
    uint8_t *rgba = gt_read_rgba(gl, tg, f->width, f->height);
    if (ref && rgba) {
        int bpp = f->format == KZV_PIXFMT_RGB24 ? 3 : 4;
        long bad = 0;
        int bx = -1, by = -1;
        for (int y = 0; y < f->height; y++) {
            const uint8_t *r = ref->data[0] + (size_t)y * (size_t)ref->stride[0];
            const uint8_t *g = rgba + (size_t)y * (size_t)f->width * 4;
            for (int x = 0; x < f->width; x++) {
                bool same = r[x * bpp] == g[x * 4] && r[x * bpp + 1] == g[x * 4 + 1] &&
                            r[x * bpp + 2] == g[x * 4 + 2] &&
                            (bpp == 4 ? r[x * 4 + 3] == g[x * 4 + 3] : g[x * 4 + 3] == 255);
                if (!same && bad++ == 0) {
                    bx = x;
                    by = y;
                }
            }
        }
        KT_CHECK(bad == 0, "%s: %ld pixels differ (first at %d,%d)", what, bad, bx, by);
    }
    free(rgba);
    kzv_frame_unref(&ref);
out:
    if (tg)
        KT_CHECK_EQ_INT(kzv_uploader_release(gl, tg), KZV_OK);
    if (tm)
        KT_CHECK_EQ_INT(kzv_uploader_release(mem, tm), KZV_OK);
}

static void test_sizes_strides(int pbo_ring)
{
    kzv_uploader *gl = gt_gl_create(pbo_ring, 8, KZV_GL_PATH_RGB);
    kzv_uploader *mem = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create_memory(&mem), KZV_OK);
    if (!gl || !mem)
        goto out;
    KT_CHECK(strcmp(kzv_uploader_name(gl), "gl") == 0, "name is gl");
    static const int sizes[][2] = { { 1, 1 }, { 3, 2 }, { 641, 361 }, { 1920, 1080 }, { 7, 5 } };
    static const kzv_pixfmt fmts[] = { KZV_PIXFMT_RGB24, KZV_PIXFMT_RGBA };
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        for (size_t fi = 0; fi < 2; fi++) {
            int w = sizes[si][0], h = sizes[si][1];
            int bpp = fmts[fi] == KZV_PIXFMT_RGB24 ? 3 : 4;
            /* tight; padded to 64; padded by one byte (not a whole pixel);
             * much larger than a row (2 rows + 3 pixels) */
            int strides[] = { w * bpp, (w * bpp + 63) / 64 * 64, w * bpp + 1, 2 * w * bpp + 3 * bpp };
            for (size_t k = 0; k < 4; k++) {
                int st[3] = { strides[k], 0, 0 };
                kzv_frame *f = gt_frame_new(w, h, fmts[fi], st);
                gt_fill_pattern(f, (uint32_t)(si * 31 + fi * 7 + k));
                char what[128];
                snprintf(what, sizeof(what), "%dx%d %s stride %d pbo %d", w, h,
                         kzv_pixfmt_name(fmts[fi]), strides[k], pbo_ring);
                check_exact(gl, mem, f, what);
                gt_frame_free(f);
            }
        }
    }
    /* A decoded-style frame from kzv_frame_alloc too. */
    kzv_frame *f = NULL;
    KT_CHECK_EQ_INT(kzv_frame_alloc(&f, 321, 77, KZV_PIXFMT_RGB24), KZV_OK);
    if (f) {
        for (int i = 0; i < 321 * 3 * 77; i++)
            f->data[0][i] = (uint8_t)(i * 7 + i / 321);
        check_exact(gl, mem, f, "kzv_frame_alloc 321x77");
        kzv_frame_unref(&f);
    }
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(gl), 0);
    kzv_gl_stats st;
    KT_CHECK_EQ_INT(kzv_gl_get_stats(gl, &st), KZV_OK);
    KT_CHECK_EQ_INT(st.pbo_uploads, pbo_ring > 0 ? st.uploads : 0);
out:
    kzv_uploader_destroy(&gl);
    kzv_uploader_destroy(&mem);
}

/* Formats the RGB path refuses. */
static void test_refusals(void)
{
    kzv_uploader *gl = gt_gl_create(3, 8, KZV_GL_PATH_RGB);
    if (!gl)
        return;
    kzv_texture t = 0;
    kzv_frame *f = gt_frame_new(16, 16, KZV_PIXFMT_YUV420P, NULL);
    KT_CHECK_EQ_INT(kzv_uploader_upload(gl, f, &t), KZV_EUNSUPPORTED);
    gt_frame_free(f);
    f = gt_frame_new(16, 16, KZV_PIXFMT_RGB48, (int[3]){ 96, 0, 0 });
    KT_CHECK_EQ_INT(kzv_uploader_upload(gl, f, &t), KZV_EUNSUPPORTED);
    gt_frame_free(f);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(gl), 0);
    /* Bad settings. */
    kzv_gl_settings s;
    kzv_gl_default_settings(&s);
    KT_CHECK_EQ_INT(s.pbo_ring, 3);
    KT_CHECK_EQ_INT(s.pool_size, 8);
    KT_CHECK(!s.use_current_context && s.path == KZV_GL_PATH_RGB, "defaults");
    kzv_uploader *u2 = (kzv_uploader *)&s;
    s.pbo_ring = -1;
    KT_CHECK_EQ_INT(kzv_uploader_create_gl(&u2, &s), KZV_EINVAL);
    KT_CHECK(u2 == NULL, "out cleared");
    KT_CHECK_EQ_INT(kzv_uploader_create_gl(NULL, NULL), KZV_EINVAL);
    /* gl helpers on a non-gl uploader */
    kzv_uploader *mem = NULL;
    kzv_uploader_create_memory(&mem);
    kzv_gl_stats st;
    KT_CHECK_EQ_INT(kzv_gl_get_stats(mem, &st), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_gl_make_current(mem), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_gl_texture_name(mem, 1), 0);
    uint8_t px[4];
    KT_CHECK_EQ_INT(kzv_gl_read_texture(mem, 1, px, 4), KZV_EINVAL);
    kzv_uploader_destroy(&mem);
    /* readback argument checks */
    f = gt_frame_new(4, 4, KZV_PIXFMT_RGBA, NULL);
    gt_fill_pattern(f, 1);
    if (kzv_uploader_upload(gl, f, &t) == KZV_OK) {
        uint8_t buf[4 * 4 * 4];
        KT_CHECK_EQ_INT(kzv_gl_read_texture(gl, t, NULL, 16), KZV_EINVAL);
        KT_CHECK_EQ_INT(kzv_gl_read_texture(gl, t, buf, 15), KZV_EINVAL);
        KT_CHECK_EQ_INT(kzv_gl_read_texture(gl, t + 1000, buf, 16), KZV_EINVAL);
        /* readback into a stride that is not a multiple of 4 */
        uint8_t odd[4 * 19];
        memset(odd, 0, sizeof(odd));
        KT_CHECK_EQ_INT(kzv_gl_read_texture(gl, t, odd, 19), KZV_OK);
        KT_CHECK(memcmp(odd + 19 * 2, f->data[0] + 32, 16) == 0, "odd readback stride");
        kzv_uploader_release(gl, t);
    }
    gt_frame_free(f);
    kzv_uploader_destroy(&gl);
}

/* The caller's own context: the uploader uses it, leaves its state alone. */
static void test_caller_context(void)
{
    PFNEGLGETPLATFORMDISPLAYEXTPROC gpd =
        (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
    if (!gpd) {
        kt_fail_at(__FILE__, __LINE__, "eglGetPlatformDisplayEXT missing");
        return;
    }
    EGLDisplay dpy = gpd(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
    EGLint ma, mi;
    if (!eglInitialize(dpy, &ma, &mi)) {
        kt_fail_at(__FILE__, __LINE__, "eglInitialize");
        return;
    }
    eglBindAPI(EGL_OPENGL_ES_API);
    const EGLint ca[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_ES3_BIT, EGL_SURFACE_TYPE, 0, EGL_NONE };
    EGLConfig cfg;
    EGLint n = 0;
    eglChooseConfig(dpy, ca, &cfg, 1, &n);
    const EGLint cx[] = { EGL_CONTEXT_CLIENT_VERSION, 3, EGL_NONE };
    EGLContext ctx = n ? eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, cx) : EGL_NO_CONTEXT;
    KT_CHECK(ctx != EGL_NO_CONTEXT, "own context");
    if (ctx == EGL_NO_CONTEXT || !eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
        kt_fail_at(__FILE__, __LINE__, "eglMakeCurrent");
        eglTerminate(dpy);
        return;
    }

    /* The caller's state, deliberately unusual. */
    GLuint mytex = 0, myfbo = 0, mybuf = 0, mysampler = 0;
    glGenTextures(1, &mytex);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, mytex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 4, 4, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
    glGenSamplers(1, &mysampler);
    glSamplerParameteri(mysampler, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glSamplerParameteri(mysampler, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glBindSampler(1, mysampler);
    glGenFramebuffers(1, &myfbo);
    glBindFramebuffer(GL_FRAMEBUFFER, myfbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, mytex, 0);
    glGenBuffers(1, &mybuf);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, mybuf);
    glBufferData(GL_PIXEL_UNPACK_BUFFER, 64, NULL, GL_STREAM_DRAW);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 8);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 3);
    glPixelStorei(GL_UNPACK_SKIP_ROWS, 1);
    glPixelStorei(GL_PACK_ALIGNMENT, 2);
    glViewport(1, 2, 3, 4);
    glEnable(GL_SCISSOR_TEST);
    glScissor(0, 0, 1, 1);
    glEnable(GL_BLEND);
    glColorMask(GL_TRUE, GL_FALSE, GL_TRUE, GL_FALSE);

    for (int path = 0; path < 2; path++) {
        kzv_gl_settings s;
        kzv_gl_default_settings(&s);
        s.use_current_context = true;
        s.path = path ? KZV_GL_PATH_YUV : KZV_GL_PATH_RGB;
        s.pbo_ring = path ? 2 : 0;
        kzv_uploader *u = NULL;
        int err = kzv_uploader_create_gl(&u, &s);
        KT_CHECK(err == KZV_OK, "create on the caller's context: %s", kzv_strerror(err));
        if (!u)
            continue;
        kzv_uploader *mem = NULL;
        kzv_uploader_create_memory(&mem);
        kzv_frame *f = gt_frame_new(37, 23, KZV_PIXFMT_RGB24, (int[3]){ 37 * 3 + 5, 0, 0 });
        gt_fill_pattern(f, 99);
        check_exact(u, mem, f, "caller context");
        gt_frame_free(f);
        if (path) {
            kzv_frame *y = gt_frame_new(16, 16, KZV_PIXFMT_YUV444P, NULL);
            memset(y->data[0], 128, 256);
            memset(y->data[1], 128, 256);
            memset(y->data[2], 128, 256);
            kzv_texture t = 0;
            KT_CHECK_EQ_INT(kzv_uploader_upload(u, y, &t), KZV_OK);
            uint8_t *px = t ? gt_read_rgba(u, t, 16, 16) : NULL;
            /* (128 - 16) / 219 * 255 = 130.4: grey 130, all pixels (no scissor, no mask) */
            if (px)
                KT_CHECK(px[0] == 130 && px[1] == 130 && px[2] == 130 && px[4 * 255] == 130,
                         "YUV draw on the caller's context ignores its scissor/mask: %d %d %d",
                         px[0], px[1], px[2]);
            free(px);
            if (t)
                kzv_uploader_release(u, t);
            gt_frame_free(y);
        }
        kzv_uploader_destroy(&u);
        kzv_uploader_destroy(&mem);
        KT_CHECK(eglGetCurrentContext() == ctx, "the caller's context stays current");

        GLint v = 0;
        glGetIntegerv(GL_ACTIVE_TEXTURE, &v);
        KT_CHECK_EQ_INT(v, GL_TEXTURE1);
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &v);
        KT_CHECK_EQ_INT(v, mytex);
        glGetIntegerv(GL_SAMPLER_BINDING, &v);
        KT_CHECK_EQ_INT(v, mysampler);
        glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &v);
        KT_CHECK_EQ_INT(v, myfbo);
        glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &v);
        KT_CHECK_EQ_INT(v, myfbo);
        glGetIntegerv(GL_PIXEL_UNPACK_BUFFER_BINDING, &v);
        KT_CHECK_EQ_INT(v, mybuf);
        glGetIntegerv(GL_UNPACK_ALIGNMENT, &v);
        KT_CHECK_EQ_INT(v, 8);
        glGetIntegerv(GL_UNPACK_ROW_LENGTH, &v);
        KT_CHECK_EQ_INT(v, 3);
        glGetIntegerv(GL_UNPACK_SKIP_ROWS, &v);
        KT_CHECK_EQ_INT(v, 1);
        glGetIntegerv(GL_PACK_ALIGNMENT, &v);
        KT_CHECK_EQ_INT(v, 2);
        GLint vp[4];
        glGetIntegerv(GL_VIEWPORT, vp);
        KT_CHECK(vp[0] == 1 && vp[1] == 2 && vp[2] == 3 && vp[3] == 4, "viewport restored");
        KT_CHECK(glIsEnabled(GL_SCISSOR_TEST) && glIsEnabled(GL_BLEND), "caps restored");
        GLboolean cm[4];
        glGetBooleanv(GL_COLOR_WRITEMASK, cm);
        KT_CHECK(cm[0] && !cm[1] && cm[2] && !cm[3], "color mask restored");
        KT_CHECK_EQ_INT(glGetError(), GL_NO_ERROR);
    }

    glDeleteBuffers(1, &mybuf);
    glDeleteFramebuffers(1, &myfbo);
    glDeleteSamplers(1, &mysampler);
    glDeleteTextures(1, &mytex);
    eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(dpy, ctx);

    /* use_current_context with nothing current: refused cleanly. */
    kzv_gl_settings s;
    kzv_gl_default_settings(&s);
    s.use_current_context = true;
    kzv_uploader *u = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create_gl(&u, &s), KZV_EINVAL);
    KT_CHECK(u == NULL, "nothing made");
    eglTerminate(dpy);
}

int main(void)
{
    test_sizes_strides(0);
    test_sizes_strides(3);
    test_refusals();
    test_caller_context();
    return kt_finish();
}
