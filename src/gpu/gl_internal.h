/* Internal side of the gl uploader (src/gpu/gl*.c): the backend's state and
 * the helpers its files share. gl.c holds the backend table, creation and
 * the kzv_gl_* entry points; gl_egl.c the EGL context; gl_state.c what a call
 * does to a shared context (save/restore, pixel store, GL errors);
 * gl_upload.c output textures, their pool and plane upload; gl_yuv.c the
 * YUV path (plane textures, shader, draw). Only meaningful when the build has
 * EGL + GLES (KZV_HAVE_GL); gl.c alone is compiled into something without it. */
#ifndef KZV_SRC_GPU_GL_INTERNAL_H
#define KZV_SRC_GPU_GL_INTERNAL_H

#ifdef KZV_HAVE_GL

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES3/gl3.h>

#include "kzv/gl.h"
#include "kzv/uploader.h"
#include "gpu/texmap.h"

/* ---- context (gl_egl.c) ------------------------------------------------- */

typedef struct kzv_gl_ctx {
    bool own;              /* made by us: destroyed by kzv_gl_ctx_destroy() */
    EGLDisplay dpy;        /* EGL_NO_DISPLAY for a foreign non-EGL context */
    EGLContext ctx;        /* EGL_NO_CONTEXT for a foreign non-EGL context */
    EGLSurface surf;       /* pbuffer fallback only, else EGL_NO_SURFACE */
    bool dpy_ref;          /* we hold a reference in the display table */
    const char *platform;  /* "surfaceless", "default+pbuffer", "caller" */
} kzv_gl_ctx;

/* Make a headless ES 3 context (own = true). KZV_EGPU with a logged reason. */
int kzv_gl_ctx_create(kzv_gl_ctx *c);
/* Adopt the context current on this thread (own = false). */
int kzv_gl_ctx_adopt(kzv_gl_ctx *c);
/* Make (own) or check (adopted) the context current on this thread. */
int kzv_gl_ctx_make_current(kzv_gl_ctx *c);
/* Un-bind an own context from this thread if it is current here. */
int kzv_gl_ctx_release(kzv_gl_ctx *c);
/* Destroy what kzv_gl_ctx_create() made (nothing for an adopted context). */
void kzv_gl_ctx_destroy(kzv_gl_ctx *c);

/* ---- YUV → RGB shader (gl_yuv.c) ---------------------------------------- */

typedef struct kzv_gl_yuv_prog {
    GLuint prog;
    GLuint vao;
    GLint loc_m, loc_off, loc_cscale, loc_coff, loc_cmax, loc_semi, loc_shift;
} kzv_gl_yuv_prog;

/* Compile and link the program; KZV_EGPU with the compiler's log on failure. */
int kzv_gl_yuv_prog_init(kzv_gl_yuv_prog *p);
void kzv_gl_yuv_prog_free(kzv_gl_yuv_prog *p);

/* Coefficients for rgb = m * (y, u, v) + off with y, u, v the code values of
 * `depth`-bit samples (0..2^depth - 1, as stored, unnormalised) and rgb in
 * 0..1. `m` is column-major (GLSL mat3). Returns the matrix code actually used
 * (unspecified → the untagged rule). */
int kzv_gl_yuv_coeffs(int matrix, int range, int height, int depth, float m[9], float off[3]);

/* ---- the backend's state (gl.c) ------------------------------------------ */

#define KZV_GL_MAX_PBO_RING 16

typedef struct kzv_gl_tex {
    GLuint name;
    int w, h;
    GLenum ifmt;   /* GL_RGB8 or GL_RGBA8 */
} kzv_gl_tex;

typedef struct kzv_gl_priv {
    kzv_gl_settings s;
    kzv_gl_ctx ctx;
    GLint max_tex_size;

    GLuint pbo[KZV_GL_MAX_PBO_RING];
    GLsizeiptr pbo_cap[KZV_GL_MAX_PBO_RING];
    GLsync pbo_fence[KZV_GL_MAX_PBO_RING]; /* signalled when the GPU is done reading the buffer */
    int pbo_next;

    kzv_gl_yuv_prog yuv;      /* prog == 0 unless path == YUV */
    GLuint plane[3];          /* integer textures of the last YUV frame's shape */
    int plane_w[3], plane_h[3];
    GLenum plane_ifmt[3];     /* GL_R8UI, GL_R16UI, GL_RG8UI or GL_RG16UI */
    GLuint fbo_draw, fbo_read;

    kzv_texmap live;          /* id → kzv_gl_tex* */
    kzv_texture next_id;
    kzv_gl_tex **pool;        /* free textures, oldest first */
    int pool_n, pool_cap;

    uint8_t *scratch;         /* readback rows when the stride is not a multiple of 4 */
    size_t scratch_cap;

    kzv_gl_stats st;
} kzv_gl_priv;

/* ---- GL state around a call (gl_state.c) --------------------------------- */

/* What we touch, saved and restored when the context is the caller's. */
typedef struct kzv_gl_state {
    GLint active_tex, tex2d[3], sampler[3];
    GLint unpack_buf, pack_buf;
    GLint unpack[5], pack[4];   /* ALIGNMENT, ROW_LENGTH, SKIP_ROWS, SKIP_PIXELS, (IMAGE_HEIGHT) */
    GLint draw_fbo, read_fbo, program, vao, viewport[4];
    GLboolean caps[7];
    GLboolean color_mask[4];
} kzv_gl_state;

/* Save (caller's context) what our calls touch; nothing for an own context. */
void kzv_gl_state_save(const kzv_gl_priv *p, kzv_gl_state *st);
void kzv_gl_state_restore(const kzv_gl_priv *p, const kzv_gl_state *st);
/* Pixel-store state of every upload/readback: nothing left from the caller. */
void kzv_gl_pixel_store_defaults(void);
/* Disable every capability kzv_gl_state_save() covers (blend, scissor, depth
 * …), so a draw of ours sees none of the caller's. */
void kzv_gl_disable_caps(void);
/* Drop stale error codes (ours or the caller's) before our own work. */
void kzv_gl_clear_errors(void);
/* KZV_OK, or the pending GL error logged with `what`: KZV_ENOMEM or KZV_EGPU. */
int kzv_gl_check(const char *what);

/* ---- textures, pool and plane upload (gl_upload.c) ------------------------ */

/* A new immutable texture (counted in p->st.gl_textures); 0 on failure. */
GLuint kzv_gl_make_texture(kzv_gl_priv *p, int w, int h, GLenum ifmt, GLint filter);
void kzv_gl_delete_texture(kzv_gl_priv *p, GLuint *name);
void kzv_gl_free_tex(kzv_gl_priv *p, kzv_gl_tex *t);
/* An output texture of this shape: pooled (newest first) or new; NULL on failure. */
kzv_gl_tex *kzv_gl_acquire_texture(kzv_gl_priv *p, int w, int h, GLenum ifmt);
/* Delete the oldest pooled textures beyond pool_size (context current). */
void kzv_gl_pool_trim(kzv_gl_priv *p);
/* Put a texture in the pool (even over capacity: trimming needs the context). */
bool kzv_gl_pool_put(kzv_gl_priv *p, kzv_gl_tex *t);

typedef struct kzv_gl_plane_src {
    GLuint tex;
    int w, h, bpp;            /* bpp: bytes per texel (1..4) */
    GLenum fmt;               /* GL_RGB, GL_RGBA, GL_RED_INTEGER, GL_RG_INTEGER */
    GLenum type;              /* GL_UNSIGNED_BYTE, or GL_UNSIGNED_SHORT (16-bit samples) */
    const uint8_t *data;
    int stride;
} kzv_gl_plane_src;

/* Copy `n` planes into their textures: through the PBO ring when there is
 * one, else straight from the frame's memory. */
int kzv_gl_upload_planes(kzv_gl_priv *p, const kzv_gl_plane_src *pl, int n);

/* ---- the YUV path (gl_yuv.c) ---------------------------------------------- */

/* How a YUV frame's planes are stored and read. */
typedef struct kzv_gl_yuv_layout {
    int sub_x, sub_y;         /* log2 chroma subsampling */
    int depth;                /* significant bits: 8 or 10 */
    int bytes;                /* bytes per sample: 1 or 2 */
    bool semi;                /* plane 1 holds U,V interleaved (NV12, P010) */
    unsigned shift;           /* value sits this many bits up in its word (P010: 6) */
} kzv_gl_yuv_layout;

/* The layout of a YUV format the shader takes (8 or 10 bits); false otherwise. */
bool kzv_gl_yuv_layout_of(kzv_pixfmt fmt, kzv_gl_yuv_layout *l);
/* Upload f's planes into the plane textures and draw them converted into
 * `out` (context current, state saved by the caller). */
int kzv_gl_yuv_upload(kzv_gl_priv *p, const kzv_frame *f, kzv_gl_tex *out, const kzv_gl_yuv_layout *l);

#endif /* KZV_HAVE_GL */
#endif
