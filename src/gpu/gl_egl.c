/*
 * The gl uploader's EGL side: a headless OpenGL ES 3.0 context.
 *
 * Order of attempts: EGL_MESA_platform_surfaceless (no window system, no
 * surface: we only render into FBOs), then the default display with a 1x1
 * pbuffer surface. Each failure is logged at info level with EGL's error
 * code; when both fail one error line says what was tried.
 *
 * eglTerminate() is per display, not per user: one process-wide table counts
 * how many uploaders use each display we initialised, and the last one out
 * terminates it. A display someone else had initialised already is never
 * terminated by us.
 */
#ifdef KZV_HAVE_GL

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gl_internal.h"
#include "core/log.h"
#include "core/thread.h"

/* ---- display reference table ------------------------------------------- */

typedef struct dpy_ref {
    EGLDisplay dpy;
    int refs;
    bool terminate;    /* we initialised it: terminate when refs drop to 0 */
} dpy_ref;

static pthread_mutex_t dpy_lock = PTHREAD_MUTEX_INITIALIZER;
static dpy_ref dpy_table[16];

/* Initialise `dpy` (once per process, counted). */
static bool dpy_acquire(EGLDisplay dpy, EGLint *err)
{
    bool ok = true;
    kzv_mutex_lock(&dpy_lock);
    dpy_ref *slot = NULL, *free_slot = NULL;
    for (size_t i = 0; i < sizeof(dpy_table) / sizeof(dpy_table[0]); i++) {
        if (dpy_table[i].refs && dpy_table[i].dpy == dpy)
            slot = &dpy_table[i];
        else if (!dpy_table[i].refs && !free_slot)
            free_slot = &dpy_table[i];
    }
    if (slot) {
        slot->refs++;
    } else if (!free_slot) {
        *err = EGL_BAD_ALLOC;
        ok = false;
    } else {
        /* Initialised already by someone else? Then it is not ours to end. */
        bool was_init = eglQueryString(dpy, EGL_VERSION) != NULL;
        if (!was_init)
            eglGetError(); /* clear EGL_NOT_INITIALIZED */
        EGLint major, minor;
        if (!eglInitialize(dpy, &major, &minor)) {
            *err = eglGetError();
            ok = false;
        } else {
            *free_slot = (dpy_ref){ .dpy = dpy, .refs = 1, .terminate = !was_init };
        }
    }
    kzv_mutex_unlock(&dpy_lock);
    return ok;
}

static void dpy_release(EGLDisplay dpy)
{
    kzv_mutex_lock(&dpy_lock);
    for (size_t i = 0; i < sizeof(dpy_table) / sizeof(dpy_table[0]); i++) {
        dpy_ref *r = &dpy_table[i];
        if (r->refs && r->dpy == dpy) {
            if (--r->refs == 0 && r->terminate)
                eglTerminate(dpy);
            break;
        }
    }
    kzv_mutex_unlock(&dpy_lock);
}

/* ---- helpers ------------------------------------------------------------- */

static bool has_ext(const char *list, const char *name)
{
    if (!list)
        return false;
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    }
    return false;
}

static const char *egl_err_name(EGLint e)
{
    switch (e) {
    case EGL_SUCCESS: return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_NATIVE_PIXMAP: return "EGL_BAD_NATIVE_PIXMAP";
    case EGL_BAD_NATIVE_WINDOW: return "EGL_BAD_NATIVE_WINDOW";
    case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
    case EGL_BAD_SURFACE: return "EGL_BAD_SURFACE";
    case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
    default: return "unknown EGL error";
    }
}

/* Try one display: initialise it, pick an ES3 config, make a context (and a
 * pbuffer when `pbuffer`), make it current. On failure everything made is
 * undone and a reason is written to `why`. */
static bool try_display(kzv_gl_ctx *c, EGLDisplay dpy, bool pbuffer, char *why, size_t why_n)
{
    EGLint err = EGL_SUCCESS;
    if (dpy == EGL_NO_DISPLAY) {
        snprintf(why, why_n, "no display (%s)", egl_err_name(eglGetError()));
        return false;
    }
    if (!dpy_acquire(dpy, &err)) {
        snprintf(why, why_n, "eglInitialize failed (%s)", egl_err_name(err));
        return false;
    }
    if (!pbuffer && !has_ext(eglQueryString(dpy, EGL_EXTENSIONS), "EGL_KHR_surfaceless_context")) {
        snprintf(why, why_n, "EGL_KHR_surfaceless_context missing");
        dpy_release(dpy);
        return false;
    }

    EGLenum old_api = eglQueryAPI();
    EGLContext ctx = EGL_NO_CONTEXT;
    EGLSurface surf = EGL_NO_SURFACE;
    EGLConfig cfg;
    EGLint n = 0;
    const EGLint cfg_attr[] = {
        EGL_RENDERABLE_TYPE, EGL_OPENGL_ES3_BIT,
        EGL_SURFACE_TYPE, pbuffer ? EGL_PBUFFER_BIT : 0,
        EGL_NONE,
    };
    if (!eglBindAPI(EGL_OPENGL_ES_API)) {
        snprintf(why, why_n, "eglBindAPI(EGL_OPENGL_ES_API) failed (%s)", egl_err_name(eglGetError()));
        goto fail;
    }
    if (!eglChooseConfig(dpy, cfg_attr, &cfg, 1, &n) || n < 1) {
        snprintf(why, why_n, "no OpenGL ES 3 config (%s)", egl_err_name(eglGetError()));
        goto fail;
    }
    const EGLint ctx_attr[] = { EGL_CONTEXT_CLIENT_VERSION, 3, EGL_NONE };
    ctx = eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, ctx_attr);
    if (ctx == EGL_NO_CONTEXT) {
        snprintf(why, why_n, "eglCreateContext(ES 3.0) failed (%s)", egl_err_name(eglGetError()));
        goto fail;
    }
    if (pbuffer) {
        const EGLint pb_attr[] = { EGL_WIDTH, 1, EGL_HEIGHT, 1, EGL_NONE };
        surf = eglCreatePbufferSurface(dpy, cfg, pb_attr);
        if (surf == EGL_NO_SURFACE) {
            snprintf(why, why_n, "eglCreatePbufferSurface failed (%s)", egl_err_name(eglGetError()));
            goto fail;
        }
    }
    if (!eglMakeCurrent(dpy, surf, surf, ctx)) {
        snprintf(why, why_n, "eglMakeCurrent failed (%s)", egl_err_name(eglGetError()));
        goto fail;
    }
    if (old_api != EGL_NONE)
        eglBindAPI(old_api);
    c->own = true;
    c->dpy = dpy;
    c->ctx = ctx;
    c->surf = surf;
    c->dpy_ref = true;
    return true;

fail:
    if (surf != EGL_NO_SURFACE)
        eglDestroySurface(dpy, surf);
    if (ctx != EGL_NO_CONTEXT)
        eglDestroyContext(dpy, ctx);
    if (old_api != EGL_NONE)
        eglBindAPI(old_api);
    dpy_release(dpy);
    return false;
}

int kzv_gl_ctx_create(kzv_gl_ctx *c)
{
    *c = (kzv_gl_ctx){ .dpy = EGL_NO_DISPLAY, .ctx = EGL_NO_CONTEXT, .surf = EGL_NO_SURFACE };
    char why_sl[160] = "EGL_MESA_platform_surfaceless not offered";
    char why_def[160] = "";

    const char *client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!client)
        eglGetError(); /* EGL < 1.5 without client extensions: fine */
    if (has_ext(client, "EGL_MESA_platform_surfaceless") && has_ext(client, "EGL_EXT_platform_base")) {
        PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display =
            (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
        if (!get_platform_display) {
            snprintf(why_sl, sizeof(why_sl), "eglGetPlatformDisplayEXT missing");
        } else {
            EGLDisplay dpy = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
            if (try_display(c, dpy, false, why_sl, sizeof(why_sl))) {
                c->platform = "surfaceless";
                return KZV_OK;
            }
        }
    }
    kzv_log(NULL, KZV_LOG_INFO, "gl uploader: surfaceless EGL: %s; trying the default display", why_sl);

    EGLDisplay dpy = eglGetDisplay(EGL_DEFAULT_DISPLAY);
    if (try_display(c, dpy, true, why_def, sizeof(why_def))) {
        c->platform = "default+pbuffer";
        return KZV_OK;
    }
    kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: no EGL display could be initialised "
            "(surfaceless platform: %s; default display + pbuffer: %s); is an EGL driver "
            "installed (Mesa: libegl-mesa0 libgl1-mesa-dri)?", why_sl, why_def);
    return KZV_EGPU;
}

int kzv_gl_ctx_adopt(kzv_gl_ctx *c)
{
    *c = (kzv_gl_ctx){ .dpy = EGL_NO_DISPLAY, .ctx = EGL_NO_CONTEXT, .surf = EGL_NO_SURFACE,
                       .platform = "caller" };
    c->ctx = eglGetCurrentContext();
    if (c->ctx != EGL_NO_CONTEXT)
        c->dpy = eglGetCurrentDisplay();
    /* Not an EGL context (GLX, WGL …)? GL calls still reach it through the
     * dispatch library; it only has to answer. */
    if (c->ctx == EGL_NO_CONTEXT && !glGetString(GL_VERSION)) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: use_current_context is set but no GL "
                "context is current on this thread");
        return KZV_EINVAL;
    }
    return KZV_OK;
}

int kzv_gl_ctx_make_current(kzv_gl_ctx *c)
{
    if (!c->own) {
        if (c->ctx != EGL_NO_CONTEXT && eglGetCurrentContext() != c->ctx) {
            kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: the caller's context (the one current "
                    "at creation) is not current on this thread");
            return KZV_EGPU;
        }
        return KZV_OK;
    }
    if (eglGetCurrentContext() == c->ctx)
        return KZV_OK;
    if (!eglMakeCurrent(c->dpy, c->surf, c->surf, c->ctx)) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: eglMakeCurrent failed (%s); is the "
                "context current on another thread?", egl_err_name(eglGetError()));
        return KZV_EGPU;
    }
    return KZV_OK;
}

int kzv_gl_ctx_release(kzv_gl_ctx *c)
{
    if (!c->own || eglGetCurrentContext() != c->ctx)
        return KZV_OK;
    /* Flush first: work queued on a context must not wait for its next user. */
    glFlush();
    if (!eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT)) {
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: releasing the context failed (%s)",
                egl_err_name(eglGetError()));
        return KZV_EGPU;
    }
    return KZV_OK;
}

void kzv_gl_ctx_destroy(kzv_gl_ctx *c)
{
    if (!c->own)
        return;
    if (eglGetCurrentContext() == c->ctx)
        eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (c->surf != EGL_NO_SURFACE)
        eglDestroySurface(c->dpy, c->surf);
    if (c->ctx != EGL_NO_CONTEXT)
        eglDestroyContext(c->dpy, c->ctx);
    if (c->dpy_ref)
        dpy_release(c->dpy);
    *c = (kzv_gl_ctx){ .dpy = EGL_NO_DISPLAY, .ctx = EGL_NO_CONTEXT, .surf = EGL_NO_SURFACE };
}

#else
typedef int kzv_gl_egl_unused; /* ISO C: a translation unit is not empty */
#endif /* KZV_HAVE_GL */
