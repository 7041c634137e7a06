/* Internal side of the gl uploader (src/gpu/gl*.c). Only meaningful when the
 * build has EGL + GLES (KZV_HAVE_GL); gl.c alone is compiled into something
 * without it. */
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

#endif /* KZV_HAVE_GL */
#endif
