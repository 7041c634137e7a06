/*
 * kzv_uploader: the checked wrapper around a backend's function table.
 *
 * The wrapper is where the texture contract is enforced, so that no backend
 * has to get it right on its own: it keeps the set of live textures, refuses
 * (and logs) a release of anything not in it before the backend sees it, and
 * on destroy releases whatever the user leaked, so the backend's destroy
 * always runs on an empty backend.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kzv/uploader.h"
#include "core/frame_internal.h"
#include "core/log.h"
#include "core/thread.h"
#include "gpu/texmap.h"
#include "gpu/uploader_internal.h"

struct kzv_uploader {
    const kzv_uploader_impl *impl;
    void *priv;
    pthread_mutex_t lock;    /* guards `live` and the counters */
    kzv_texmap live;
    int64_t uploaded;
    int64_t released;
};

/* ---- frames a backend can read ------------------------------------------ */

/* A frame a backend can read: known format, positive size, every plane there
 * with a stride that holds a row. */
static bool frame_valid(const kzv_frame *f)
{
    int planes = kzv_pixfmt_planes(f->format);
    int sb = kzv_pixfmt_sample_bytes(f->format);
    if (planes <= 0 || f->width <= 0 || f->height <= 0)
        return false;
    for (int p = 0; p < planes; p++) {
        size_t row;
        if (kzv_pixfmt_plane_size(f->format, f->width, f->height, p, NULL, NULL, &row) < 0 ||
            !f->data[p] || f->stride[p] <= 0 || (size_t)f->stride[p] < row)
            return false;
        /* 16-bit samples are read as uint16_t words (GL's GL_UNSIGNED_SHORT
         * unpacking, kzv's converter): every row must start 2-byte aligned. */
        if (sb == 2 && (((uintptr_t)f->data[p] | (uintptr_t)f->stride[p]) & 1))
            return false;
    }
    return true;
}

/* ---- the wrapper --------------------------------------------------------- */

int kzv_uploader_create(kzv_uploader **out, const kzv_uploader_impl *impl, void *priv)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    if (impl && (impl->version < 1 || impl->version > KZV_UPLOADER_IMPL_VERSION)) {
        kzv_log(NULL, KZV_LOG_ERROR, "uploader: function table version %d is not one this "
                "kzv knows (1..%d): set .version = KZV_UPLOADER_IMPL_VERSION, and use a kzv "
                "at least as new as the header the backend was built with", impl->version,
                KZV_UPLOADER_IMPL_VERSION);
        return KZV_EINVAL;
    }
    if (!impl || !impl->upload_frame || !impl->release_texture || !impl->get_texture_size) {
        kzv_log(NULL, KZV_LOG_ERROR, "uploader '%s': upload_frame, release_texture and "
                "get_texture_size are required", impl && impl->name ? impl->name : "?");
        return KZV_EINVAL;
    }
    kzv_uploader *u = calloc(1, sizeof(*u));
    if (!u)
        return KZV_ENOMEM;
    int err = kzv_mutex_init(&u->lock);
    if (err < 0) {
        free(u);
        return err;
    }
    u->impl = impl;
    u->priv = priv;
    *out = u;
    return KZV_OK;
}

const char *kzv_uploader_name(const kzv_uploader *u)
{
    return u && u->impl->name ? u->impl->name : "";
}

int kzv_uploader_upload(kzv_uploader *u, const kzv_frame *f, kzv_texture *tex)
{
    if (tex)
        *tex = KZV_NO_TEXTURE;
    if (!u || !f || !tex)
        return KZV_EINVAL;
    if (!frame_valid(f)) {
        kzv_log(NULL, KZV_LOG_ERROR, "uploader '%s': invalid frame (%dx%d %s)",
                kzv_uploader_name(u), f->width, f->height, kzv_pixfmt_name(f->format));
        return KZV_EINVAL;
    }

    kzv_texture t = KZV_NO_TEXTURE;
    int err = u->impl->upload_frame(u->priv, f, &t);
    if (err != KZV_OK) {
        /* A positive return is a backend bug; never let it pass as success. */
        return err < 0 ? err : KZV_EGPU;
    }
    if (t == KZV_NO_TEXTURE) {
        kzv_log(NULL, KZV_LOG_ERROR, "uploader '%s': backend reported success "
                "without a texture", kzv_uploader_name(u));
        return KZV_EGPU;
    }

    kzv_mutex_lock(&u->lock);
    err = kzv_texmap_insert(&u->live, t, NULL);
    if (err == KZV_OK)
        u->uploaded++;
    kzv_mutex_unlock(&u->lock);

    if (err == KZV_EINVAL) {
        /* The backend handed out an id that is still live. Releasing it would
         * free the older texture under its user, so leave the backend alone. */
        kzv_log(NULL, KZV_LOG_ERROR, "uploader '%s': backend returned texture %" PRIu64
                " which is already live", kzv_uploader_name(u), t);
        return KZV_EGPU;
    }
    if (err < 0) {
        /* We cannot track it, so nobody could release it: undo the upload. */
        u->impl->release_texture(u->priv, t);
        return err;
    }
    *tex = t;
    return KZV_OK;
}

int kzv_uploader_release(kzv_uploader *u, kzv_texture tex)
{
    if (!u)
        return KZV_EINVAL;
    kzv_mutex_lock(&u->lock);
    bool live = kzv_texmap_remove(&u->live, tex, NULL);
    if (live)
        u->released++;
    kzv_mutex_unlock(&u->lock);

    if (!live) {
        kzv_log(NULL, KZV_LOG_ERROR, "uploader '%s': release of texture %" PRIu64
                " which is not live (released twice, or not from this uploader)",
                kzv_uploader_name(u), tex);
        return KZV_EINVAL;
    }
    u->impl->release_texture(u->priv, tex);
    return KZV_OK;
}

static bool uploader_is_live(kzv_uploader *u, kzv_texture tex)
{
    kzv_mutex_lock(&u->lock);
    bool live = kzv_texmap_find(&u->live, tex, NULL);
    kzv_mutex_unlock(&u->lock);
    return live;
}

int kzv_uploader_texture_size(kzv_uploader *u, kzv_texture tex, int *w, int *h)
{
    int dw, dh;
    if (!w)
        w = &dw;
    if (!h)
        h = &dh;
    *w = *h = 0;
    if (!u || !uploader_is_live(u, tex))
        return KZV_EINVAL;
    int err = u->impl->get_texture_size(u->priv, tex, w, h);
    if (err != KZV_OK) {
        *w = *h = 0;
        return err < 0 ? err : KZV_EGPU;
    }
    return KZV_OK;
}

int64_t kzv_uploader_live_textures(const kzv_uploader *cu)
{
    if (!cu)
        return 0;
    kzv_uploader *u = (kzv_uploader *)cu; /* locking is not a logical change */
    kzv_mutex_lock(&u->lock);
    int64_t n = (int64_t)u->live.count;
    kzv_mutex_unlock(&u->lock);
    return n;
}

void *kzv_uploader_priv(const kzv_uploader *u, const kzv_uploader_impl *expect)
{
    return u && expect && u->impl == expect ? u->priv : NULL;
}

void kzv_uploader_destroy(kzv_uploader **pu)
{
    if (!pu || !*pu)
        return;
    kzv_uploader *u = *pu;
    *pu = NULL;

    /* No other call may race with destroy, so the lock is not needed here;
     * the backend is called in a plain loop. */
    if (u->live.count) {
        kzv_log(NULL, KZV_LOG_WARNING, "uploader '%s': %zu texture(s) still live at "
                "destroy (leaked by the user); releasing them",
                kzv_uploader_name(u), u->live.count);
        for (size_t i = 0; i < u->live.cap; i++) {
            if (u->live.keys[i]) {
                u->impl->release_texture(u->priv, u->live.keys[i]);
                u->released++;
            }
        }
    }
    if (u->impl->destroy)
        u->impl->destroy(u->priv);
    kzv_texmap_free(&u->live);
    kzv_mutex_destroy(&u->lock);
    free(u);
}
