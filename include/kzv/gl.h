/*
 * kzv — the `gl` uploader backend: frames to OpenGL ES 3 textures via EGL.
 *
 *     kzv_gl_settings s;
 *     kzv_gl_default_settings(&s);
 *     s.path = KZV_GL_PATH_YUV;            // decode to YUV, convert on the GPU
 *     kzv_uploader *u = NULL;
 *     if (kzv_uploader_create_gl(&u, &s) < 0) … // KZV_EGPU: no usable EGL display
 *     kzv_texture t;
 *     kzv_uploader_upload(u, frame, &t);   // the usual uploader calls (uploader.h)
 *     GLuint name = kzv_gl_texture_name(u, t);   // draw with it …
 *     kzv_uploader_release(u, t);          // … then give it back (to the pool)
 *     kzv_uploader_destroy(&u);            // GL objects and the context go
 *
 * Contexts. By default the backend makes its own headless OpenGL ES 3.0
 * context: EGL's surfaceless platform (EGL_MESA_platform_surfaceless) when the
 * driver offers it, else the default display with a 1x1 pbuffer. With
 * `use_current_context` it uses the context current on the calling thread at
 * creation instead (OpenGL ES >= 3.0, or desktop OpenGL >= 4.3), creates
 * nothing of EGL's and destroys nothing of it; every call must then be made
 * with that context current, and the GL state the backend touches (bindings,
 * pixel-store parameters, viewport, capabilities it disables) is saved and
 * restored around each call. The backend clears pending glGetError() codes
 * before its own work.
 *
 * Textures. Every texture handed out is an immutable 2D texture whose row 0
 * is the top row of the picture (the frame's first row), sampled with
 * GL_LINEAR and GL_CLAMP_TO_EDGE:
 *   RGB24 → GL_RGB8 (alpha reads as 1), RGBA → GL_RGBA8, and with
 *   KZV_GL_PATH_YUV a YUV frame of any kzv layout (YUV420P/422P/444P, their
 *   10-bit forms YUV420P10/422P10/444P10, NV12, P010) → GL_RGBA8 (A = 1).
 * RGB48, and YUV frames with KZV_GL_PATH_RGB, are refused with KZV_EUNSUPPORTED
 * (decode to RGB24 for that path). Released textures return to a pool keyed
 * by (width, height, internal format) and are reused by later uploads of the
 * same shape, so a steady stream makes no GL texture objects per frame.
 * A texture is complete in the uploader's context when the upload returns;
 * to read it from another context sharing objects with it, call
 * kzv_gl_finish() (or use your own fence) first.
 *
 * YUV path. The planes are uploaded as they are, as unsigned-integer
 * textures (GL_R8UI, or GL_R16UI for 16-bit samples; NV12/P010's interleaved
 * U,V plane as GL_RG8UI/GL_RG16UI), and a fragment shader reads the code
 * values and draws the RGBA8 texture, with the frame's own matrix
 * (color.matrix: BT.601 (5, 6), BT.709 (1), BT.2020 (9; 10 is converted with
 * the non-constant-luminance matrix, as libswscale and kzv's CPU converter
 * do), FCC (4), SMPTE 240M (7); an unspecified matrix gets the decoder's
 * rule: BT.709 above 576 lines, else BT.601) and range (color.range; limited
 * when unspecified) at the frame's bit depth (limited range at depth n:
 * Y' = (Y - 16·2^(n-8)) / (219·2^(n-8)), C' = (C - 128·2^(n-8)) /
 * (224·2^(n-8)); full range: / (2^n - 1), chroma centred on 2^(n-1)); P010's
 * values are taken from the high 10 bits of each word. 10-bit samples reach
 * the matrix with all their bits (no 8-bit intermediate); the one rounding
 * is the RGBA8 output's. No colour conversion happens on the CPU. Luma is
 * fetched exactly; chroma is upsampled bilinearly at the true sample
 * positions, which are the ones kzv's CPU converter uses:
 *   horizontally (4:2:0, 4:2:2) chroma sample i sits at luma x = 2i ("left"
 *   siting, H.264/HEVC/AV1's default): x = 2i takes C[i], x = 2i+1 takes
 *   (C[i] + C[i+1]) / 2;
 *   vertically (4:2:0, NV12, P010) chroma row k sits half-way between luma rows 2k and
 *   2k+1: y = 2k takes (C[k-1] + 3 C[k]) / 4, y = 2k+1 (3 C[k] + C[k+1]) / 4;
 *   samples beyond the edges repeat the edge sample.
 * The interpolation is done in the shader from texelFetch'd neighbours in
 * 32-bit float rather than by GL_LINEAR sampling, whose precision is the
 * driver's (Mesa's llvmpipe keeps filtered 8-bit texels at about 8 bits,
 * measured up to 3 levels off); the result is rounded once when written to
 * the RGBA8 target. Measured on llvmpipe, every layout: flat areas exact
 * (0 levels off the exact conversion), detailed content and real video
 * within 1 level (mean about 0.2), 10-bit ramps on the nearest 8-bit level
 * of the exact conversion.
 *
 * Thread-safety: a gl uploader is bound to its GL context, which can be
 * current on one thread at a time: call it (the uploader.h functions and
 * those below) from one thread at a time. With its own context the backend
 * makes that context current on the calling thread whenever it is not
 * current there, and leaves it current. To move the uploader to another
 * thread, the old thread must first let go of the context
 * (kzv_gl_release_current()); the next call on the new thread (or
 * kzv_gl_make_current()) takes it.
 * Several gl uploaders may exist at once, each with its own context.
 * kzv_gl_default_settings() may be called from any thread.
 */
#ifndef KZV_GL_H
#define KZV_GL_H

#include <stdbool.h>
#include <stdint.h>

#include "kzv/common.h"
#include "kzv/uploader.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How YUV frames are handled. RGB24/RGBA frames are uploaded as is on both. */
typedef enum kzv_gl_path {
    KZV_GL_PATH_RGB = 0, /**< RGB frames only (decode to RGB24 / RGBA on the CPU) */
    KZV_GL_PATH_YUV = 1, /**< also every YUV layout (8/10-bit planar, NV12,
                              P010): planes → shader → RGBA8 */
} kzv_gl_path;

/** Settings of kzv_uploader_create_gl(); plain data, copied at creation.
 *  Fixed size (see "Room to grow" in common.h): start from
 *  kzv_gl_default_settings(). */
typedef struct kzv_gl_settings {
    bool use_current_context; /**< use the caller's current context (see above)
                                   instead of making a headless one (default false) */
    int pbo_ring;             /**< pixel buffer objects used in turn for asynchronous
                                   uploads (default 3); 0 = upload from the frame's
                                   memory directly (synchronous) */
    int pool_size;            /**< released textures kept for reuse (default 8); 0 = none */
    kzv_gl_path path;         /**< default KZV_GL_PATH_RGB */
    uint8_t reserved[64];     /**< zero (kzv_gl_default_settings() does it): fields added
                                   later take their bytes from here and mean the old
                                   behaviour when 0; non-zero is refused with KZV_EINVAL */
} kzv_gl_settings;

/** Fill *s with the defaults documented above. */
KZV_API void kzv_gl_default_settings(kzv_gl_settings *s);

/**
 * Create a gl uploader.
 * @param out receives the uploader (the caller owns it; destroy it with
 *            kzv_uploader_destroy(), which frees every GL object and the
 *            context the backend made); NULL on failure.
 * @param s   NULL for defaults; copied, not retained.
 * @return KZV_OK; KZV_EINVAL (bad settings; use_current_context without a
 *         current context); KZV_EGPU (no EGL display or context could be made,
 *         shader compilation failed — the log says why); KZV_EUNSUPPORTED (the
 *         library was built without EGL/GLES, or the context is older than
 *         OpenGL ES 3.0); KZV_ENOMEM.
 */
KZV_API int kzv_uploader_create_gl(kzv_uploader **out, const kzv_gl_settings *s);

/**
 * The GL texture name (a GLuint) behind a live texture of a gl uploader, for
 * the caller's own rendering in the uploader's context (or one sharing with
 * it). The name belongs to the uploader: do not delete it or change its
 * storage, and stop using it when the texture is released (the pool may hand
 * the same name out again for a later frame).
 * @return the name, or 0 when `u` is not a gl uploader or `tex` is not live.
 */
KZV_API unsigned kzv_gl_texture_name(kzv_uploader *u, kzv_texture tex);

/**
 * Read a live texture back as RGBA8 (for verification and screenshots):
 * row 0 of `rgba` is the top row of the picture, alpha is 255 for RGB24 and
 * YUV sources.
 * @param rgba   caller-owned memory of at least stride × (height - 1) +
 *               4 × width bytes, written, not retained.
 * @param stride bytes per row of `rgba`, >= 4 × width.
 * @return KZV_OK; KZV_EINVAL (not a gl uploader, texture not live, bad
 *         buffer); KZV_EGPU (GL failure); KZV_EUNSUPPORTED (built without GL).
 */
KZV_API int kzv_gl_read_texture(kzv_uploader *u, kzv_texture tex, uint8_t *rgba, int stride);

/**
 * Make the uploader's own context current on the calling thread (uploads do
 * this on their own; call it before your own GL calls on that context). With
 * use_current_context it only checks that the caller's context is current.
 * @return KZV_OK, KZV_EINVAL (not a gl uploader), KZV_EGPU (eglMakeCurrent
 *         failed: the context is current on another thread that has not
 *         released it), KZV_EUNSUPPORTED (built without GL).
 */
KZV_API int kzv_gl_make_current(kzv_uploader *u);

/**
 * Release the uploader's own context from the calling thread (so another
 * thread can take it); nothing for use_current_context.
 * @return KZV_OK, KZV_EINVAL (not a gl uploader), KZV_EGPU, KZV_EUNSUPPORTED.
 */
KZV_API int kzv_gl_release_current(kzv_uploader *u);

/** Wait until the GPU has finished all work the uploader queued (glFinish). */
KZV_API int kzv_gl_finish(kzv_uploader *u);

/** Counters of a gl uploader (kzv_gl_get_stats()); fixed size (see "Room to
 *  grow" in common.h). */
typedef struct kzv_gl_stats {
    int64_t uploads;          /**< successful uploads */
    int64_t bytes_uploaded;   /**< pixel bytes handed to GL (rows without padding) */
    int64_t pbo_uploads;      /**< uploads that went through the PBO ring */
    int64_t textures_created; /**< output textures made (pool misses) */
    int64_t textures_deleted; /**< output textures deleted (pool overflow, destroy) */
    int64_t pool_hits;        /**< uploads that reused a pooled texture */
    int live_textures;        /**< handed out and not released */
    int pool_free;            /**< released, waiting in the pool */
    int gl_textures;          /**< GL texture objects alive now (output + YUV planes) */
    int gl_buffers;           /**< GL buffer objects alive now (the PBO ring) */
    int gl_framebuffers;      /**< GL framebuffer objects alive now */
    int gl_programs;          /**< GL programs alive now (the YUV shader) */
    uint8_t reserved[64];     /**< zero; counters added later take their bytes from here */
} kzv_gl_stats;

/**
 * Fill *st with the uploader's counters.
 * @return KZV_OK, KZV_EINVAL (not a gl uploader), KZV_EUNSUPPORTED (built without GL).
 */
KZV_API int kzv_gl_get_stats(kzv_uploader *u, kzv_gl_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* KZV_GL_H */
