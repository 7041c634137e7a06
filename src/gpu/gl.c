/*
 * The `gl` uploader backend (OpenGL ES 3 via EGL). See include/kzv/gl.h for
 * what it promises; this comment says how.
 *
 * Uploads. Every upload copies the frame's planes into GL with
 * GL_UNPACK_ALIGNMENT 1 and every other unpack parameter set explicitly:
 *   - with the PBO ring (pbo_ring > 0): the next buffer of the ring is mapped
 *     unsynchronised after waiting on the fence set when it was last used
 *     (pbo_ring uploads ago, so normally signalled already), the planes are
 *     copied in with tight rows (any source stride), and glTexSubImage2D
 *     reads from the buffer, so the copy into the texture runs
 *     asynchronously in the driver;
 *   - without (pbo_ring 0): glTexSubImage2D reads the frame's memory directly,
 *     with GL_UNPACK_ROW_LENGTH = stride / bytes-per-pixel when the stride is
 *     a multiple of it, else one call per row.
 * Output textures are immutable (glTexStorage2D) and come from a pool keyed by
 * (width, height, internal format); a released texture goes back to the pool
 * (newest first out, so a steady stream cycles through few names) and the
 * oldest pooled ones are deleted beyond pool_size.
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

#include "gpu/gl_internal.h"
#include "gpu/texmap.h"
#include "gpu/uploader_internal.h"

#define MAX_PBO_RING 16
#define MAX_POOL 1024

typedef struct gl_tex {
    GLuint name;
    int w, h;
    GLenum ifmt;   /* GL_RGB8 or GL_RGBA8 */
} gl_tex;

typedef struct gl_priv {
    kzv_gl_settings s;
    kzv_gl_ctx ctx;
    GLint max_tex_size;

    GLuint pbo[MAX_PBO_RING];
    GLsizeiptr pbo_cap[MAX_PBO_RING];
    GLsync pbo_fence[MAX_PBO_RING]; /* signalled when the GPU is done reading the buffer */
    int pbo_next;

    kzv_gl_yuv_prog yuv;      /* prog == 0 unless path == YUV */
    GLuint plane[3];          /* integer textures of the last YUV frame's shape */
    int plane_w[3], plane_h[3];
    GLenum plane_ifmt[3];     /* GL_R8UI, GL_R16UI, GL_RG8UI or GL_RG16UI */
    GLuint fbo_draw, fbo_read;

    kzv_texmap live;          /* id → gl_tex* */
    kzv_texture next_id;
    gl_tex **pool;            /* free textures, oldest first */
    int pool_n, pool_cap;

    uint8_t *scratch;         /* readback rows when the stride is not a multiple of 4 */
    size_t scratch_cap;

    kzv_gl_stats st;
} gl_priv;

/* ---- GL state around a call ----------------------------------------------- */

/* What we touch, saved and restored when the context is the caller's. */
typedef struct gl_state {
    GLint active_tex, tex2d[3], sampler[3];
    GLint unpack_buf, pack_buf;
    GLint unpack[5], pack[4];   /* ALIGNMENT, ROW_LENGTH, SKIP_ROWS, SKIP_PIXELS, (IMAGE_HEIGHT) */
    GLint draw_fbo, read_fbo, program, vao, viewport[4];
    GLboolean caps[7];
    GLboolean color_mask[4];
} gl_state;

static const GLenum unpack_params[5] = {
    GL_UNPACK_ALIGNMENT, GL_UNPACK_ROW_LENGTH, GL_UNPACK_SKIP_ROWS, GL_UNPACK_SKIP_PIXELS,
    GL_UNPACK_IMAGE_HEIGHT,
};
static const GLenum pack_params[4] = {
    GL_PACK_ALIGNMENT, GL_PACK_ROW_LENGTH, GL_PACK_SKIP_ROWS, GL_PACK_SKIP_PIXELS,
};
static const GLenum caps[7] = {
    GL_BLEND, GL_SCISSOR_TEST, GL_DEPTH_TEST, GL_STENCIL_TEST, GL_CULL_FACE,
    GL_RASTERIZER_DISCARD, GL_POLYGON_OFFSET_FILL,
};

static void state_save(const gl_priv *p, gl_state *st)
{
    if (p->ctx.own)
        return;
    glGetIntegerv(GL_ACTIVE_TEXTURE, &st->active_tex);
    for (int i = 0; i < 3; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &st->tex2d[i]);
        glGetIntegerv(GL_SAMPLER_BINDING, &st->sampler[i]);
    }
    glGetIntegerv(GL_PIXEL_UNPACK_BUFFER_BINDING, &st->unpack_buf);
    glGetIntegerv(GL_PIXEL_PACK_BUFFER_BINDING, &st->pack_buf);
    for (int i = 0; i < 5; i++)
        glGetIntegerv(unpack_params[i], &st->unpack[i]);
    for (int i = 0; i < 4; i++)
        glGetIntegerv(pack_params[i], &st->pack[i]);
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &st->draw_fbo);
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &st->read_fbo);
    glGetIntegerv(GL_CURRENT_PROGRAM, &st->program);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &st->vao);
    glGetIntegerv(GL_VIEWPORT, st->viewport);
    for (int i = 0; i < 7; i++)
        st->caps[i] = glIsEnabled(caps[i]);
    glGetBooleanv(GL_COLOR_WRITEMASK, st->color_mask);
}

static void state_restore(const gl_priv *p, const gl_state *st)
{
    if (p->ctx.own)
        return;
    for (int i = 0; i < 3; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        glBindTexture(GL_TEXTURE_2D, (GLuint)st->tex2d[i]);
        glBindSampler((GLuint)i, (GLuint)st->sampler[i]);
    }
    glActiveTexture((GLenum)st->active_tex);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, (GLuint)st->unpack_buf);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, (GLuint)st->pack_buf);
    for (int i = 0; i < 5; i++)
        glPixelStorei(unpack_params[i], st->unpack[i]);
    for (int i = 0; i < 4; i++)
        glPixelStorei(pack_params[i], st->pack[i]);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, (GLuint)st->draw_fbo);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, (GLuint)st->read_fbo);
    glUseProgram((GLuint)st->program);
    glBindVertexArray((GLuint)st->vao);
    glViewport(st->viewport[0], st->viewport[1], st->viewport[2], st->viewport[3]);
    for (int i = 0; i < 7; i++) {
        if (st->caps[i])
            glEnable(caps[i]);
        else
            glDisable(caps[i]);
    }
    glColorMask(st->color_mask[0], st->color_mask[1], st->color_mask[2], st->color_mask[3]);
}

/* Pixel-store state of every upload/readback: nothing left from the caller. */
static void pixel_store_defaults(void)
{
    for (int i = 0; i < 5; i++)
        glPixelStorei(unpack_params[i], i == 0 ? 1 : 0);
    for (int i = 0; i < 4; i++)
        glPixelStorei(pack_params[i], i == 0 ? 1 : 0);
}

static const char *gl_err_name(GLenum e)
{
    switch (e) {
    case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
    default: return "unknown GL error";
    }
}

/* Drop stale error codes (ours or the caller's) before our own work. */
static void gl_clear_errors(void)
{
    for (int i = 0; i < 16 && glGetError() != GL_NO_ERROR; i++)
        ;
}

static int gl_check(const char *what)
{
    GLenum e = glGetError();
    if (e == GL_NO_ERROR)
        return KZV_OK;
    gl_clear_errors();
    kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: %s failed: %s (0x%04x)", what, gl_err_name(e), e);
    return e == GL_OUT_OF_MEMORY ? KZV_ENOMEM : KZV_EGPU;
}

/* ---- textures and pool -------------------------------------------------- */

static GLuint make_texture(gl_priv *p, int w, int h, GLenum ifmt, GLint filter)
{
    GLuint name = 0;
    glGenTextures(1, &name);
    if (!name)
        return 0;
    p->st.gl_textures++;
    glBindTexture(GL_TEXTURE_2D, name);
    glTexStorage2D(GL_TEXTURE_2D, 1, ifmt, w, h);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    return name;
}

static void delete_texture(gl_priv *p, GLuint *name)
{
    if (*name) {
        glDeleteTextures(1, name);
        p->st.gl_textures--;
        *name = 0;
    }
}

static void free_gl_tex(gl_priv *p, gl_tex *t)
{
    delete_texture(p, &t->name);
    p->st.textures_deleted++;
    free(t);
}

/* An output texture of this shape: pooled (newest first) or new. */
static gl_tex *acquire_texture(gl_priv *p, int w, int h, GLenum ifmt)
{
    for (int i = p->pool_n - 1; i >= 0; i--) {
        gl_tex *t = p->pool[i];
        if (t->w == w && t->h == h && t->ifmt == ifmt) {
            memmove(&p->pool[i], &p->pool[i + 1], (size_t)(p->pool_n - 1 - i) * sizeof(*p->pool));
            p->pool_n--;
            p->st.pool_hits++;
            return t;
        }
    }
    gl_tex *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->w = w;
    t->h = h;
    t->ifmt = ifmt;
    t->name = make_texture(p, w, h, ifmt, GL_LINEAR);
    if (!t->name || gl_check("creating a texture") < 0) {
        delete_texture(p, &t->name);
        free(t);
        return NULL;
    }
    p->st.textures_created++;
    return t;
}

/* Delete the oldest pooled textures beyond pool_size (context current). */
static void pool_trim(gl_priv *p)
{
    int extra = p->pool_n - p->s.pool_size;
    if (extra <= 0)
        return;
    for (int i = 0; i < extra; i++)
        free_gl_tex(p, p->pool[i]);
    memmove(&p->pool[0], &p->pool[extra], (size_t)(p->pool_n - extra) * sizeof(*p->pool));
    p->pool_n -= extra;
}

/* Put a texture in the pool (even over capacity: trimming needs the context). */
static bool pool_put(gl_priv *p, gl_tex *t)
{
    if (p->pool_n == p->pool_cap) {
        int cap = p->pool_cap ? p->pool_cap * 2 : 16;
        gl_tex **n = realloc(p->pool, (size_t)cap * sizeof(*n));
        if (!n)
            return false;
        p->pool = n;
        p->pool_cap = cap;
    }
    p->pool[p->pool_n++] = t;
    return true;
}

/* ---- plane upload ---------------------------------------------------------- */

typedef struct plane_src {
    GLuint tex;
    int w, h, bpp;            /* bpp: bytes per texel (1..4) */
    GLenum fmt;               /* GL_RGB, GL_RGBA, GL_RED_INTEGER, GL_RG_INTEGER */
    GLenum type;              /* GL_UNSIGNED_BYTE, or GL_UNSIGNED_SHORT (16-bit samples) */
    const uint8_t *data;
    int stride;
} plane_src;

#define PBO_ALIGN 64

static int upload_planes(gl_priv *p, const plane_src *pl, int n)
{
    int64_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += (int64_t)pl[i].w * pl[i].bpp * pl[i].h;

    if (p->s.pbo_ring > 0) {
        size_t off[3], total = 0;
        for (int i = 0; i < n; i++) {
            off[i] = total;
            total += ((size_t)pl[i].w * (size_t)pl[i].bpp * (size_t)pl[i].h + PBO_ALIGN - 1) &
                     ~(size_t)(PBO_ALIGN - 1);
        }
        int k = p->pbo_next;
        p->pbo_next = (k + 1) % p->s.pbo_ring;
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, p->pbo[k]);
        if (p->pbo_cap[k] < (GLsizeiptr)total) {
            glBufferData(GL_PIXEL_UNPACK_BUFFER, (GLsizeiptr)total, NULL, GL_STREAM_DRAW);
            int err = gl_check("allocating a pixel buffer");
            if (err < 0) {
                p->pbo_cap[k] = 0;
                glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
                return err;
            }
            p->pbo_cap[k] = (GLsizeiptr)total;
        }
        /* The slot was last read `pbo_ring` uploads ago: wait for that copy
         * (normally long finished) and map without further synchronisation.
         * No orphaning (GL_MAP_INVALIDATE_BUFFER_BIT): a driver may then hand
         * out fresh memory every frame, whose first touch (page faults) can
         * cost as much as the copy itself. */
        if (p->pbo_fence[k]) {
            glClientWaitSync(p->pbo_fence[k], GL_SYNC_FLUSH_COMMANDS_BIT, UINT64_C(5000000000));
            glDeleteSync(p->pbo_fence[k]);
            p->pbo_fence[k] = NULL;
        }
        uint8_t *map = glMapBufferRange(GL_PIXEL_UNPACK_BUFFER, 0, (GLsizeiptr)total,
                                        GL_MAP_WRITE_BIT | GL_MAP_UNSYNCHRONIZED_BIT);
        if (!map) {
            int err = gl_check("mapping a pixel buffer");
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
            return err < 0 ? err : KZV_EGPU;
        }
        for (int i = 0; i < n; i++) {
            size_t row = (size_t)pl[i].w * (size_t)pl[i].bpp;
            uint8_t *d = map + off[i];
            if ((size_t)pl[i].stride == row) {
                memcpy(d, pl[i].data, row * (size_t)pl[i].h);
            } else {
                for (int y = 0; y < pl[i].h; y++)
                    memcpy(d + row * (size_t)y, pl[i].data + (size_t)pl[i].stride * (size_t)y, row);
            }
        }
        if (!glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER)) {
            /* The store was lost (rare: display mode change); nothing was read. */
            gl_clear_errors();
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
            kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: pixel buffer contents were lost");
            return KZV_EGPU;
        }
        for (int i = 0; i < n; i++) {
            glBindTexture(GL_TEXTURE_2D, pl[i].tex);
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, pl[i].w, pl[i].h, pl[i].fmt, pl[i].type,
                            (const void *)(uintptr_t)off[i]);
        }
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        p->pbo_fence[k] = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
        p->st.pbo_uploads++;
    } else {
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        for (int i = 0; i < n; i++) {
            glBindTexture(GL_TEXTURE_2D, pl[i].tex);
            if (pl[i].stride % pl[i].bpp == 0) {
                glPixelStorei(GL_UNPACK_ROW_LENGTH, pl[i].stride / pl[i].bpp);
                glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, pl[i].w, pl[i].h, pl[i].fmt,
                                pl[i].type, pl[i].data);
                glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
            } else {
                /* GL counts row length in pixels: a stride that is not a whole
                 * number of pixels (RGB24, or P010's 4-byte U,V pairs on a
                 * stride that is only even) can only be walked one row at a
                 * time. Rows of 16-bit samples still start 2-byte aligned:
                 * the uploader refuses odd strides for them. */
                for (int y = 0; y < pl[i].h; y++)
                    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, y, pl[i].w, 1, pl[i].fmt, pl[i].type,
                                    pl[i].data + (size_t)pl[i].stride * (size_t)y);
            }
        }
    }
    int err = gl_check("uploading pixels");
    if (err == KZV_OK)
        p->st.bytes_uploaded += bytes;
    return err;
}

/* ---- the YUV path ------------------------------------------------------------ */

static int ensure_planes(gl_priv *p, int n, const int w[3], const int h[3], const GLenum ifmt[3])
{
    for (int i = 0; i < n; i++) {
        if (p->plane[i] && p->plane_w[i] == w[i] && p->plane_h[i] == h[i] &&
            p->plane_ifmt[i] == ifmt[i])
            continue;
        delete_texture(p, &p->plane[i]);
        /* Every plane is read with texelFetch (see gl_yuv.c); integer
         * textures must not be filtered (GL_LINEAR would make them incomplete). */
        p->plane[i] = make_texture(p, w[i], h[i], ifmt[i], GL_NEAREST);
        p->plane_w[i] = w[i];
        p->plane_h[i] = h[i];
        p->plane_ifmt[i] = ifmt[i];
        int err = p->plane[i] ? gl_check("creating a plane texture") : KZV_EGPU;
        if (err < 0) {
            delete_texture(p, &p->plane[i]);
            return err;
        }
    }
    return KZV_OK;
}

/* How a YUV frame's planes are stored and read. */
typedef struct yuv_layout {
    int sub_x, sub_y;         /* log2 chroma subsampling */
    int depth;                /* significant bits: 8 or 10 */
    int bytes;                /* bytes per sample: 1 or 2 */
    bool semi;                /* plane 1 holds U,V interleaved (NV12, P010) */
    unsigned shift;           /* value sits this many bits up in its word (P010: 6) */
} yuv_layout;

static bool yuv_layout_of(kzv_pixfmt fmt, yuv_layout *l)
{
    if (!kzv_pixfmt_chroma_shift(fmt, &l->sub_x, &l->sub_y))
        return false;
    l->depth = kzv_pixfmt_depth(fmt);
    l->bytes = kzv_pixfmt_sample_bytes(fmt);
    l->semi = kzv_pixfmt_planes(fmt) == 2;
    /* P010 stores value << 6 in each 16-bit word; the planar 10-bit formats
     * keep it in the low bits. */
    l->shift = fmt == KZV_PIXFMT_P010 ? 16u - (unsigned)l->depth : 0u;
    return l->depth == 8 || l->depth == 10;
}

static int draw_yuv(gl_priv *p, const kzv_frame *f, gl_tex *out, const yuv_layout *l, int cw, int ch)
{
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, p->fbo_draw);
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, out->name, 0);
    GLenum status = glCheckFramebufferStatus(GL_DRAW_FRAMEBUFFER);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
        glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, 0, 0);
        glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: RGBA8 render target incomplete (0x%04x)", status);
        return KZV_EGPU;
    }
    float m[9], off[3];
    kzv_gl_yuv_coeffs(f->color.matrix, f->color.range, f->height, l->depth, m, off);

    glViewport(0, 0, f->width, f->height);
    for (int i = 0; i < 7; i++)
        glDisable(caps[i]);
    glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    glUseProgram(p->yuv.prog);
    glUniformMatrix3fv(p->yuv.loc_m, 1, GL_FALSE, m);
    glUniform3fv(p->yuv.loc_off, 1, off);
    glUniform2f(p->yuv.loc_cscale, l->sub_x ? 0.5f : 1.0f, l->sub_y ? 0.5f : 1.0f);
    glUniform2f(p->yuv.loc_coff, 0.0f, l->sub_y ? -0.25f : 0.0f);
    glUniform2i(p->yuv.loc_cmax, cw - 1, ch - 1);
    glUniform1i(p->yuv.loc_semi, l->semi ? 1 : 0);
    glUniform1ui(p->yuv.loc_shift, l->shift);
    for (int i = 0; i < 3; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        /* Semi-planar: u_v is never read, but give it the (integer) U,V
         * plane so no unit holds a texture of the wrong sampler type. */
        glBindTexture(GL_TEXTURE_2D, p->plane[l->semi && i == 2 ? 1 : i]);
        glBindSampler((GLuint)i, 0);
    }
    glActiveTexture(GL_TEXTURE0);
    glBindVertexArray(p->yuv.vao);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glBindVertexArray(0);
    glUseProgram(0);
    /* Detach: a texture deleted while attached to an unbound FBO would live on. */
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, 0, 0);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    return gl_check("drawing the YUV conversion");
}

/* ---- backend functions -------------------------------------------------------- */

static int gl_upload(void *opaque, const kzv_frame *f, kzv_texture *out)
{
    gl_priv *p = opaque;
    bool yuv = false;
    yuv_layout lay = { 0 };
    GLenum ifmt = GL_RGBA8;
    switch (f->format) {
    case KZV_PIXFMT_RGB24: ifmt = GL_RGB8; break;
    case KZV_PIXFMT_RGBA:  ifmt = GL_RGBA8; break;
    default:
        yuv = yuv_layout_of(f->format, &lay);
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

    gl_state saved;
    state_save(p, &saved);
    gl_clear_errors();
    pool_trim(p);
    pixel_store_defaults();
    glActiveTexture(GL_TEXTURE0);

    gl_tex *t = acquire_texture(p, f->width, f->height, ifmt);
    if (!t) {
        err = KZV_EGPU;
        goto done;
    }
    if (!yuv) {
        plane_src pl = {
            .tex = t->name, .w = f->width, .h = f->height,
            .bpp = f->format == KZV_PIXFMT_RGB24 ? 3 : 4,
            .fmt = f->format == KZV_PIXFMT_RGB24 ? GL_RGB : GL_RGBA,
            .type = GL_UNSIGNED_BYTE,
            .data = f->data[0], .stride = f->stride[0],
        };
        err = upload_planes(p, &pl, 1);
    } else {
        int cw = 0, ch = 0;
        kzv_pixfmt_plane_size(f->format, f->width, f->height, 1, &cw, &ch, NULL);
        int n = lay.semi ? 2 : 3;
        int pw[3] = { f->width, cw, cw }, ph[3] = { f->height, ch, ch };
        bool wide = lay.bytes == 2;
        GLenum one = wide ? GL_R16UI : GL_R8UI, two = wide ? GL_RG16UI : GL_RG8UI;
        GLenum pifmt[3] = { one, lay.semi ? two : one, one };
        err = ensure_planes(p, n, pw, ph, pifmt);
        if (err == KZV_OK) {
            plane_src pl[3];
            for (int i = 0; i < n; i++) {
                int comps = lay.semi && i == 1 ? 2 : 1;
                pl[i] = (plane_src){ .tex = p->plane[i], .w = pw[i], .h = ph[i],
                                     .bpp = comps * lay.bytes,
                                     .fmt = comps == 2 ? GL_RG_INTEGER : GL_RED_INTEGER,
                                     .type = wide ? GL_UNSIGNED_SHORT : GL_UNSIGNED_BYTE,
                                     .data = f->data[i], .stride = f->stride[i] };
            }
            err = upload_planes(p, pl, n);
        }
        if (err == KZV_OK)
            err = draw_yuv(p, f, t, &lay, cw, ch);
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
        if (!pool_put(p, t))
            free_gl_tex(p, t);
    }
done:
    glBindTexture(GL_TEXTURE_2D, 0);
    state_restore(p, &saved);
    return err;
}

static void gl_release(void *opaque, kzv_texture tex)
{
    gl_priv *p = opaque;
    void *val = NULL;
    if (!kzv_texmap_remove(&p->live, tex, &val))
        return; /* the wrapper only passes live textures */
    gl_tex *t = val;
    p->st.live_textures--;
    bool current = kzv_gl_ctx_make_current(&p->ctx) == KZV_OK;
    if (!pool_put(p, t)) {
        if (current)
            free_gl_tex(p, t);
        else
            free(t); /* cannot delete the GL object without its context: it leaks */
        return;
    }
    if (current)
        pool_trim(p);
}

static int gl_size(void *opaque, kzv_texture tex, int *w, int *h)
{
    gl_priv *p = opaque;
    void *val = NULL;
    if (!kzv_texmap_find(&p->live, tex, &val))
        return KZV_EINVAL;
    const gl_tex *t = val;
    *w = t->w;
    *h = t->h;
    return KZV_OK;
}

static void gl_destroy(void *opaque)
{
    gl_priv *p = opaque;
    bool current = kzv_gl_ctx_make_current(&p->ctx) == KZV_OK;
    if (!current && !p->ctx.own)
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: destroyed without its context current: "
                "its GL objects leak");
    if (current) {
        gl_clear_errors();
        for (size_t i = 0; i < p->live.cap; i++)
            if (p->live.vals[i])
                free_gl_tex(p, p->live.vals[i]);
        for (int i = 0; i < p->pool_n; i++)
            free_gl_tex(p, p->pool[i]);
        for (int i = 0; i < 3; i++)
            delete_texture(p, &p->plane[i]);
        for (int i = 0; i < MAX_PBO_RING; i++)
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
        gl_clear_errors();
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

static int gl_init_objects(gl_priv *p)
{
    int err = check_version();
    if (err < 0)
        return err;
    gl_clear_errors();
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
    err = gl_check("creating buffers");
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
    if (s->pbo_ring < 0 || s->pbo_ring > MAX_PBO_RING || s->pool_size < 0 ||
        s->pool_size > MAX_POOL || (s->path != KZV_GL_PATH_RGB && s->path != KZV_GL_PATH_YUV)) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: bad settings (pbo_ring 0..%d, pool_size "
                "0..%d, path RGB or YUV)", MAX_PBO_RING, MAX_POOL);
        return KZV_EINVAL;
    }
    gl_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return KZV_ENOMEM;
    p->s = *s;
    p->next_id = 1;
    int err = s->use_current_context ? kzv_gl_ctx_adopt(&p->ctx) : kzv_gl_ctx_create(&p->ctx);
    if (err < 0) {
        free(p);
        return err;
    }
    gl_state saved;
    state_save(p, &saved);
    err = gl_init_objects(p);
    state_restore(p, &saved);
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
static gl_priv *find_live(kzv_uploader *u, kzv_texture tex, gl_tex **t)
{
    gl_priv *p = kzv_uploader_priv(u, &gl_impl);
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
    gl_tex *t = NULL;
    return find_live(u, tex, &t) ? t->name : 0;
}

int kzv_gl_read_texture(kzv_uploader *u, kzv_texture tex, uint8_t *rgba, int stride)
{
    gl_tex *t = NULL;
    gl_priv *p = find_live(u, tex, &t);
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

    gl_state saved;
    state_save(p, &saved);
    gl_clear_errors();
    pixel_store_defaults();
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, p->fbo_read);
    glFramebufferTexture2D(GL_READ_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, t->name, 0);
    GLenum status = glCheckFramebufferStatus(GL_READ_FRAMEBUFFER);
    if (status == GL_FRAMEBUFFER_COMPLETE) {
        glPixelStorei(GL_PACK_ROW_LENGTH, row_len);
        glReadPixels(0, 0, t->w, t->h, GL_RGBA, GL_UNSIGNED_BYTE, dst);
        glPixelStorei(GL_PACK_ROW_LENGTH, 0);
        err = gl_check("reading a texture back");
    } else {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: cannot read a %s texture back (framebuffer "
                "status 0x%04x)", t->ifmt == GL_RGB8 ? "RGB8" : "RGBA8", status);
        err = KZV_EGPU;
    }
    glFramebufferTexture2D(GL_READ_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, 0, 0);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    state_restore(p, &saved);

    if (err == KZV_OK && dst != rgba) {
        for (int y = 0; y < t->h; y++)
            memcpy(rgba + (size_t)stride * (size_t)y, dst + (size_t)t->w * 4 * (size_t)y,
                   (size_t)t->w * 4);
    }
    return err;
}

int kzv_gl_make_current(kzv_uploader *u)
{
    gl_priv *p = kzv_uploader_priv(u, &gl_impl);
    if (!p)
        return KZV_EINVAL;
    return kzv_gl_ctx_make_current(&p->ctx);
}

int kzv_gl_release_current(kzv_uploader *u)
{
    gl_priv *p = kzv_uploader_priv(u, &gl_impl);
    if (!p)
        return KZV_EINVAL;
    return kzv_gl_ctx_release(&p->ctx);
}

int kzv_gl_finish(kzv_uploader *u)
{
    gl_priv *p = kzv_uploader_priv(u, &gl_impl);
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
    gl_priv *p = kzv_uploader_priv(u, &gl_impl);
    if (!p)
        return KZV_EINVAL;
    *st = p->st;
    st->pool_free = p->pool_n;
    st->gl_programs = p->yuv.prog ? 1 : 0;
    return KZV_OK;
}

#endif /* KZV_HAVE_GL */
