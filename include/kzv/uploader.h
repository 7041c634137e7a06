/*
 * kzv — handing frames to a GPU (or anything that makes "textures").
 *
 * A backend is a const table of functions (like libplacebo's pl_gpu_fns or
 * mpv's vo_driver) plus a private pointer. kzv_uploader wraps it and checks
 * every call: arguments are validated, live textures are counted, and a
 * release of a texture that is not live (a double release or one the backend
 * never returned) is refused with KZV_EINVAL and logged, never passed on to
 * the backend. kzv_uploader_destroy() releases every texture still live
 * (logging that they leaked) before destroying the backend.
 *
 * The contract for a texture: every texture returned by kzv_uploader_upload()
 * must be released exactly once with kzv_uploader_release(). kzv_processor
 * does this for you on every path.
 *
 * Thread-safety: the wrapper's bookkeeping (live-texture table, counters) is
 * protected by a mutex, so kzv_uploader_live_textures() may be called from any
 * thread. Calls into the backend are not serialized: a GPU backend is bound to
 * the thread that owns its context, so use one uploader from one thread at a
 * time (kzv_processor calls it only from the thread in kzv_processor_run()).
 */
#ifndef KZV_UPLOADER_H
#define KZV_UPLOADER_H

#include <stdint.h>

#include "kzv/common.h"
#include "kzv/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A backend's texture handle; 0 is never a valid texture. */
typedef uint64_t kzv_texture;
#define KZV_NO_TEXTURE ((kzv_texture)0)

/** The version of kzv_uploader_impl this header describes: set `version` to it. */
#define KZV_UPLOADER_IMPL_VERSION 1

/**
 * A backend. All function pointers except `destroy` are required.
 * `priv` is the pointer given to kzv_uploader_create().
 *
 * Room to grow: later kzv versions may append members (optional functions)
 * and raise KZV_UPLOADER_IMPL_VERSION; the library reads only the members
 * the table's `version` has, so a table written against this header keeps
 * working. kzv_uploader_create() refuses a version it does not know
 * (0, forgotten, or one newer than the library) with KZV_EINVAL.
 */
typedef struct kzv_uploader_impl {
    int version;      /**< KZV_UPLOADER_IMPL_VERSION (1) */
    const char *name;
    /** Make a texture holding `f`; on success *out is non-zero. Return KZV_OK or
     *  a negative code (KZV_EGPU, KZV_ENOMEM, KZV_EUNSUPPORTED). The frame is
     *  only borrowed for the call. */
    int  (*upload_frame)(void *priv, const kzv_frame *f, kzv_texture *out);
    /** Free a texture returned by upload_frame. Called exactly once per texture. */
    void (*release_texture)(void *priv, kzv_texture tex);
    /** Size of a live texture. */
    int  (*get_texture_size)(void *priv, kzv_texture tex, int *w, int *h);
    /** Free `priv` (optional). Called once, after all textures were released. */
    void (*destroy)(void *priv);
} kzv_uploader_impl;

typedef struct kzv_uploader kzv_uploader;

/**
 * Wrap a backend.
 * @param impl must stay valid (usually a static const table) until destroy.
 * @param priv handed to every callback; ownership passes to the uploader only
 *             in the sense that impl->destroy(priv) is called on destroy.
 * @return KZV_OK, KZV_EINVAL (unknown impl->version or a missing required
 *         function; logged), KZV_ENOMEM.
 */
KZV_API int kzv_uploader_create(kzv_uploader **out, const kzv_uploader_impl *impl, void *priv);

/** The `memory` backend: each texture is a host copy of the frame (the
 *  reference that every other backend is tested against). */
KZV_API int kzv_uploader_create_memory(kzv_uploader **out);

/** The backend's name ("memory", "gl", …). */
KZV_API const char *kzv_uploader_name(const kzv_uploader *u);

/** Upload a frame (borrowed). On KZV_OK *tex is a live texture the caller must release.
 *  KZV_EINVAL (logged) for a frame no backend can read: unknown format, a
 *  missing plane, a stride shorter than a row, or, for formats with 16-bit
 *  samples (the *10 formats, P010, RGB48), a plane pointer or stride that is
 *  odd (rows must start 2-byte aligned). */
KZV_API int kzv_uploader_upload(kzv_uploader *u, const kzv_frame *f, kzv_texture *tex);

/** Release a live texture. KZV_EINVAL (logged, nothing else happens) when
 *  `tex` is not live: released already, or never returned by this uploader. */
KZV_API int kzv_uploader_release(kzv_uploader *u, kzv_texture tex);

/** Size of a live texture; KZV_EINVAL when it is not live. */
KZV_API int kzv_uploader_texture_size(kzv_uploader *u, kzv_texture tex, int *w, int *h);

/** Textures uploaded and not yet released. */
KZV_API int64_t kzv_uploader_live_textures(const kzv_uploader *u);

/**
 * For the memory backend only: the host copy behind a live texture, as a
 * frame reference the caller owns (unref it). KZV_EINVAL for other backends or
 * a texture that is not live.
 */
KZV_API int kzv_uploader_memory_read(kzv_uploader *u, kzv_texture tex, kzv_frame **out);

/** Release what is still live (logged as leaks), destroy the backend, set *u = NULL. */
KZV_API void kzv_uploader_destroy(kzv_uploader **u);

#ifdef __cplusplus
}
#endif
#endif /* KZV_UPLOADER_H */
