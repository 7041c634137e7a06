/*
 * The `gl` uploader backend (OpenGL ES 3 via EGL). See include/kzv/gl.h for
 * what it promises; this comment says how.
 *
 * Uploads, the texture pool and the PBO ring: gl_upload.c; the YUV path:
 * gl_yuv.c; state on a shared context: gl_state.c (see gl_internal.h).
 *
 * Handles. A kzv_texture is a 64-bit id that increases from 1 and is never
 * reused, mapped to its GL texture; so a stale handle can never reach a
 * texture the pool has handed out again (the GL name may repeat, the id not).
 *
 * Finding the backend from a kzv_uploader: the kzv_gl_* entry points ask the
 * wrapper for its priv with kzv_uploader_priv(u, &gl_impl), which answers
 * NULL for an uploader of another backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kzv/gl.h"
#include "core/log.h"

void kzv_gl_default_settings(kzv_gl_settings *s)
{
    if (!s)
        return;
    *s = (kzv_gl_settings){
        .use_current_context = false,
        .pbo_ring = 3,
        .pool_size = 8,
        .path = KZV_GL_PATH_RGB,
    };
}

#ifndef KZV_HAVE_GL

/* ---- built without EGL/GLES ---------------------------------------------- */

static int no_gl(const char *fn)
{
    kzv_log(NULL, KZV_LOG_ERROR, "%s: kzv was built without EGL/OpenGL ES "
            "(install libegl-dev libgles-dev and rebuild): the gl uploader is not available", fn);
    return KZV_EUNSUPPORTED;
}

int kzv_uploader_create_gl(kzv_uploader **out, const kzv_gl_settings *s)
{
    (void)s;
    if (out)
        *out = NULL;
    return no_gl("kzv_uploader_create_gl");
}

unsigned kzv_gl_texture_name(kzv_uploader *u, kzv_texture tex)
{
    (void)u;
    (void)tex;
    no_gl("kzv_gl_texture_name");
    return 0;
}

int kzv_gl_read_texture(kzv_uploader *u, kzv_texture tex, uint8_t *rgba, int stride)
{
    (void)u;
    (void)tex;
    (void)rgba;
    (void)stride;
    return no_gl("kzv_gl_read_texture");
}

int kzv_gl_make_current(kzv_uploader *u)
{
    (void)u;
    return no_gl("kzv_gl_make_current");
}

int kzv_gl_release_current(kzv_uploader *u)
{
    (void)u;
    return no_gl("kzv_gl_release_current");
}

int kzv_gl_finish(kzv_uploader *u)
{
    (void)u;
    return no_gl("kzv_gl_finish");
}

int kzv_gl_get_stats(kzv_uploader *u, kzv_gl_stats *st)
{
    (void)u;
    if (st)
        memset(st, 0, sizeof(*st));
    return no_gl("kzv_gl_get_stats");
}

#else /* KZV_HAVE_GL */

#include "core/abi.h"
#include "gpu/gl_internal.h"
#include "gpu/uploader_internal.h"

#define MAX_POOL 1024

/* ---- backend functions -------------------------------------------------------- */

static int gl_upload(void *opaque, const kzv_frame *f, kzv_texture *out)
{
    kzv_gl_priv *p = opaque;
    bool yuv = false;
    kzv_gl_yuv_layout lay = { 0 };
    GLenum ifmt = GL_RGBA8;
    switch (f->format) {
    case KZV_PIXFMT_RGB24: ifmt = GL_RGB8; break;
    case KZV_PIXFMT_RGBA:  ifmt = GL_RGBA8; break;
    default:
        yuv = kzv_gl_yuv_layout_of(f->format, &lay);
        if (!yuv) {
            kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: %s frames are not supported "
                    "(decode to rgb24, rgba or yuv)", kzv_pixfmt_name(f->format));
            return KZV_EUNSUPPORTED;
        }
        break;
    }
    if (yuv && p->s.path != KZV_GL_PATH_YUV) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: %s frame on the RGB path; decode to rgb24 "
                "or create the uploader with path KZV_GL_PATH_YUV", kzv_pixfmt_name(f->format));
        return KZV_EUNSUPPORTED;
    }
    if (f->width > p->max_tex_size || f->height > p->max_tex_size) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: %dx%d is larger than GL_MAX_TEXTURE_SIZE %d",
                f->width, f->height, p->max_tex_size);
        return KZV_EUNSUPPORTED;
    }
    int err = kzv_gl_ctx_make_current(&p->ctx);
    if (err < 0)
        return err;

    kzv_gl_state saved;
    kzv_gl_state_save(p, &saved);
    kzv_gl_clear_errors();
    kzv_gl_pool_trim(p);
    kzv_gl_pixel_store_defaults();
    glActiveTexture(GL_TEXTURE0);

    kzv_gl_tex *t = kzv_gl_acquire_texture(p, f->width, f->height, ifmt);
    if (!t) {
        err = KZV_EGPU;
        goto done;
    }
    if (!yuv) {
        kzv_gl_plane_src pl = {
            .tex = t->name, .w = f->width, .h = f->height,
            .bpp = f->format == KZV_PIXFMT_RGB24 ? 3 : 4,
            .fmt = f->format == KZV_PIXFMT_RGB24 ? GL_RGB : GL_RGBA,
            .type = GL_UNSIGNED_BYTE,
            .data = f->data[0], .stride = f->stride[0],
        };
        err = kzv_gl_upload_planes(p, &pl, 1);
    } else {
        err = kzv_gl_yuv_upload(p, f, t, &lay);
    }
    if (err == KZV_OK) {
        kzv_texture id = p->next_id;
        err = kzv_texmap_insert(&p->live, id, t);
        if (err == KZV_OK) {
            p->next_id++;
            *out = id;
            p->st.uploads++;
            p->st.live_textures++;
        }
    }
    if (err < 0) {
        /* The texture's contents are undefined now; the pool can still use it
         * (the next upload overwrites every pixel). */
        if (!kzv_gl_pool_put(p, t))
            kzv_gl_free_tex(p, t);
    }
done:
    glBindTexture(GL_TEXTURE_2D, 0);
    kzv_gl_state_restore(p, &saved);
    return err;
}

static void gl_release(void *opaque, kzv_texture tex)
{
    kzv_gl_priv *p = opaque;
    void *val = NULL;
    if (!kzv_texmap_remove(&p->live, tex, &val))
        return; /* the wrapper only passes live textures */
    kzv_gl_tex *t = val;
    p->st.live_textures--;
    bool current = kzv_gl_ctx_make_current(&p->ctx) == KZV_OK;
    if (!kzv_gl_pool_put(p, t)) {
        if (current)
            kzv_gl_free_tex(p, t);
        else
            free(t); /* cannot delete the GL object without its context: it leaks */
        return;
    }
    if (current)
        kzv_gl_pool_trim(p);
}

static int gl_size(void *opaque, kzv_texture tex, int *w, int *h)
{
    kzv_gl_priv *p = opaque;
    void *val = NULL;
    if (!kzv_texmap_find(&p->live, tex, &val))
        return KZV_EINVAL;
    const kzv_gl_tex *t = val;
    *w = t->w;
    *h = t->h;
    return KZV_OK;
}

static void gl_destroy(void *opaque)
{
    kzv_gl_priv *p = opaque;
    bool current = kzv_gl_ctx_make_current(&p->ctx) == KZV_OK;
    if (!current && !p->ctx.own)
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: destroyed without its context current: "
                "its GL objects leak");
    if (current) {
        kzv_gl_clear_errors();
        for (size_t i = 0; i < p->live.cap; i++)
            if (p->live.vals[i])
                kzv_gl_free_tex(p, p->live.vals[i]);
        for (int i = 0; i < p->pool_n; i++)
            kzv_gl_free_tex(p, p->pool[i]);
        for (int i = 0; i < 3; i++)
            kzv_gl_delete_texture(p, &p->plane[i]);
        for (int i = 0; i < KZV_GL_MAX_PBO_RING; i++)
            if (p->pbo_fence[i])
                glDeleteSync(p->pbo_fence[i]);
        if (p->s.pbo_ring > 0) {
            glDeleteBuffers(p->s.pbo_ring, p->pbo);
            p->st.gl_buffers = 0;
        }
        GLuint fbos[2] = { p->fbo_draw, p->fbo_read };
        glDeleteFramebuffers(2, fbos);
        p->st.gl_framebuffers = 0;
        kzv_gl_yuv_prog_free(&p->yuv);
        glFinish();
        kzv_gl_clear_errors();
    } else {
        for (size_t i = 0; i < p->live.cap; i++)
            free(p->live.vals[i]);
        for (int i = 0; i < p->pool_n; i++)
            free(p->pool[i]);
    }
    kzv_gl_ctx_destroy(&p->ctx);
    kzv_texmap_free(&p->live);
    free(p->pool);
    free(p->scratch);
    free(p);
}

static const kzv_uploader_impl gl_impl = {
    .version = KZV_UPLOADER_IMPL_VERSION,
    .name = "gl",
    .upload_frame = gl_upload,
    .release_texture = gl_release,
    .get_texture_size = gl_size,
    .destroy = gl_destroy,
};

/* ---- creation ------------------------------------------------------------------ */

/* OpenGL ES >= 3.0, or desktop OpenGL >= 4.3 (ES 3 compatibility). */
static int check_version(void)
{
    const char *v = (const char *)glGetString(GL_VERSION);
    if (!v) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: glGetString(GL_VERSION) failed");
        return KZV_EGPU;
    }
    int major = 0, minor = 0;
    bool es = strncmp(v, "OpenGL ES ", 10) == 0;
    const char *num = es ? v + 10 : v;
    while (*num && (*num < '0' || *num > '9'))
        num++;
    if (sscanf(num, "%d.%d", &major, &minor) < 1 ||
        (es ? major < 3 : (major < 4 || (major == 4 && minor < 3)))) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: needs OpenGL ES 3.0 (or OpenGL 4.3); "
                "the context is \"%s\"", v);
        return KZV_EUNSUPPORTED;
    }
    kzv_log(NULL, KZV_LOG_INFO, "gl uploader: %s, %s", v, (const char *)glGetString(GL_RENDERER));
    return KZV_OK;
}

static int gl_init_objects(kzv_gl_priv *p)
{
    int err = check_version();
    if (err < 0)
        return err;
    kzv_gl_clear_errors();
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &p->max_tex_size);
    if (p->s.pbo_ring > 0) {
        glGenBuffers(p->s.pbo_ring, p->pbo);
        p->st.gl_buffers = p->s.pbo_ring;
    }
    GLuint fbos[2] = { 0, 0 };
    glGenFramebuffers(2, fbos);
    p->fbo_draw = fbos[0];
    p->fbo_read = fbos[1];
    p->st.gl_framebuffers = 2;
    err = kzv_gl_check("creating buffers");
    if (err == KZV_OK && p->s.path == KZV_GL_PATH_YUV)
        err = kzv_gl_yuv_prog_init(&p->yuv);
    return err;
}

int kzv_uploader_create_gl(kzv_uploader **out, const kzv_gl_settings *s)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    kzv_gl_settings def;
    if (!s) {
        kzv_gl_default_settings(&def);
        s = &def;
    }
    if (!KZV_RESERVED_OK(s)) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: %s", KZV_RESERVED_WHY("kzv_gl_settings"));
        return KZV_EINVAL;
    }
    if (s->pbo_ring < 0 || s->pbo_ring > KZV_GL_MAX_PBO_RING || s->pool_size < 0 ||
        s->pool_size > MAX_POOL || (s->path != KZV_GL_PATH_RGB && s->path != KZV_GL_PATH_YUV)) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: bad settings (pbo_ring 0..%d, pool_size "
                "0..%d, path RGB or YUV)", KZV_GL_MAX_PBO_RING, MAX_POOL);
        return KZV_EINVAL;
    }
    kzv_gl_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return KZV_ENOMEM;
    p->s = *s;
    p->next_id = 1;
    int err = s->use_current_context ? kzv_gl_ctx_adopt(&p->ctx) : kzv_gl_ctx_create(&p->ctx);
    if (err < 0) {
        free(p);
        return err;
    }
    kzv_gl_state saved;
    kzv_gl_state_save(p, &saved);
    err = gl_init_objects(p);
    kzv_gl_state_restore(p, &saved);
    if (err == KZV_OK)
        err = kzv_uploader_create(out, &gl_impl, p);
    if (err < 0) {
        gl_destroy(p);
        return err;
    }
    kzv_log(NULL, KZV_LOG_INFO, "gl uploader: context %s, %s path, PBO ring %d, pool %d",
            p->ctx.platform, s->path == KZV_GL_PATH_YUV ? "YUV" : "RGB", s->pbo_ring, s->pool_size);
    return KZV_OK;
}

/* ---- public helpers ---------------------------------------------------------- */

/* The backend and the GL texture of a live texture of `u`, or NULL. */
static kzv_gl_priv *find_live(kzv_uploader *u, kzv_texture tex, kzv_gl_tex **t)
{
    kzv_gl_priv *p = kzv_uploader_priv(u, &gl_impl);
    if (!p)
        return NULL;
    void *val = NULL;
    if (!kzv_texmap_find(&p->live, tex, &val))
        return NULL;
    *t = val;
    return p;
}

unsigned kzv_gl_texture_name(kzv_uploader *u, kzv_texture tex)
{
    kzv_gl_tex *t = NULL;
    return find_live(u, tex, &t) ? t->name : 0;
}

int kzv_gl_read_texture(kzv_uploader *u, kzv_texture tex, uint8_t *rgba, int stride)
{
    kzv_gl_tex *t = NULL;
    kzv_gl_priv *p = find_live(u, tex, &t);
    if (!p) {
        kzv_log(NULL, KZV_LOG_ERROR, "kzv_gl_read_texture: not a gl uploader or texture not live");
        return KZV_EINVAL;
    }
    if (!rgba || stride < 4 * t->w)
        return KZV_EINVAL;
    int err = kzv_gl_ctx_make_current(&p->ctx);
    if (err < 0)
        return err;

    uint8_t *dst = rgba;
    int row_len = stride / 4;
    if (stride % 4) {
        size_t need = (size_t)t->w * 4 * (size_t)t->h;
        if (p->scratch_cap < need) {
            uint8_t *n = realloc(p->scratch, need);
            if (!n)
                return KZV_ENOMEM;
            p->scratch = n;
            p->scratch_cap = need;
        }
        dst = p->scratch;
        row_len = t->w;
    }

    kzv_gl_state saved;
    kzv_gl_state_save(p, &saved);
    kzv_gl_clear_errors();
    kzv_gl_pixel_store_defaults();
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, p->fbo_read);
    glFramebufferTexture2D(GL_READ_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, t->name, 0);
    GLenum status = glCheckFramebufferStatus(GL_READ_FRAMEBUFFER);
    if (status == GL_FRAMEBUFFER_COMPLETE) {
        glPixelStorei(GL_PACK_ROW_LENGTH, row_len);
        glReadPixels(0, 0, t->w, t->h, GL_RGBA, GL_UNSIGNED_BYTE, dst);
        glPixelStorei(GL_PACK_ROW_LENGTH, 0);
        err = kzv_gl_check("reading a texture back");
    } else {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: cannot read a %s texture back (framebuffer "
                "status 0x%04x)", t->ifmt == GL_RGB8 ? "RGB8" : "RGBA8", status);
        err = KZV_EGPU;
    }
    glFramebufferTexture2D(GL_READ_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, 0, 0);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    kzv_gl_state_restore(p, &saved);

    if (err == KZV_OK && dst != rgba) {
        for (int y = 0; y < t->h; y++)
            memcpy(rgba + (size_t)stride * (size_t)y, dst + (size_t)t->w * 4 * (size_t)y,
                   (size_t)t->w * 4);
    }
    return err;
}

int kzv_gl_make_current(kzv_uploader *u)
{
    kzv_gl_priv *p = kzv_uploader_priv(u, &gl_impl);
    if (!p)
        return KZV_EINVAL;
    return kzv_gl_ctx_make_current(&p->ctx);
}

int kzv_gl_release_current(kzv_uploader *u)
{
    kzv_gl_priv *p = kzv_uploader_priv(u, &gl_impl);
    if (!p)
        return KZV_EINVAL;
    return kzv_gl_ctx_release(&p->ctx);
}

int kzv_gl_finish(kzv_uploader *u)
{
    kzv_gl_priv *p = kzv_uploader_priv(u, &gl_impl);
    if (!p)
        return KZV_EINVAL;
    int err = kzv_gl_ctx_make_current(&p->ctx);
    if (err < 0)
        return err;
    glFinish();
    return KZV_OK;
}

int kzv_gl_get_stats(kzv_uploader *u, kzv_gl_stats *st)
{
    if (!st)
        return KZV_EINVAL;
    memset(st, 0, sizeof(*st));
    kzv_gl_priv *p = kzv_uploader_priv(u, &gl_impl);
    if (!p)
        return KZV_EINVAL;
    *st = p->st;
    st->pool_free = p->pool_n;
    st->gl_programs = p->yuv.prog ? 1 : 0;
    return KZV_OK;
}

#endif /* KZV_HAVE_GL */
