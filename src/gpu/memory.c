/*
 * The `memory` uploader backend: a "texture" is a private host copy of the
 * frame. It needs no GPU, so it is the reference every other backend is
 * tested against and what tests use to see exactly what was uploaded.
 *
 * The copy is a fresh kzv_frame (tight packed rows, padded planar rows)
 * whatever the source stride was, carrying the source's timing and colour
 * fields, so a reader can compare it with the source field by field.
 */
#include <stdlib.h>
#include <string.h>

#include "core/frame_internal.h"
#include "kzv/uploader.h"
#include "core/thread.h"
#include "gpu/texmap.h"
#include "gpu/uploader_internal.h"

typedef struct memory_priv {
    /* The wrapper does not serialize backend calls, and kzv_uploader_memory_read()
     * may come from another thread than the uploads: guard the map. */
    pthread_mutex_t lock;
    kzv_texmap textures;   /* id → kzv_frame* (the copy, one reference owned here) */
    kzv_texture next_id;   /* ids increase from 1 and are never reused */
} memory_priv;

static int copy_frame(const kzv_frame *src, kzv_frame **out)
{
    kzv_frame *dst;
    int err = kzv_frame_alloc(&dst, src->width, src->height, src->format);
    if (err < 0)
        return err;
    for (int p = 0; p < kzv_pixfmt_planes(src->format); p++) {
        size_t row;
        int rows;
        if (kzv_pixfmt_plane_size(src->format, src->width, src->height, p, NULL, &rows, &row) < 0) {
            kzv_frame_unref(&dst);
            return KZV_EINVAL;
        }
        const uint8_t *s = src->data[p];
        uint8_t *d = dst->data[p];
        for (int y = 0; y < rows; y++)
            memcpy(d + (size_t)y * (size_t)dst->stride[p], s + (size_t)y * (size_t)src->stride[p], row);
    }
    kzv_frame_copy_props(dst, src);
    *out = dst;
    return KZV_OK;
}

static int memory_upload(void *opaque, const kzv_frame *f, kzv_texture *out)
{
    memory_priv *priv = opaque;
    kzv_frame *copy;
    int err = copy_frame(f, &copy);
    if (err < 0)
        return err;

    kzv_mutex_lock(&priv->lock);
    kzv_texture id = priv->next_id++;
    err = kzv_texmap_insert(&priv->textures, id, copy);
    kzv_mutex_unlock(&priv->lock);
    if (err < 0) {
        kzv_frame_unref(&copy);
        return err;
    }
    *out = id;
    return KZV_OK;
}

static void memory_release(void *opaque, kzv_texture tex)
{
    memory_priv *priv = opaque;
    void *val = NULL;
    kzv_mutex_lock(&priv->lock);
    kzv_texmap_remove(&priv->textures, tex, &val);
    kzv_mutex_unlock(&priv->lock);
    kzv_frame *copy = val;
    kzv_frame_unref(&copy);
}

static int memory_size(void *opaque, kzv_texture tex, int *w, int *h)
{
    memory_priv *priv = opaque;
    void *val = NULL;
    kzv_mutex_lock(&priv->lock);
    bool found = kzv_texmap_find(&priv->textures, tex, &val);
    if (found) {
        const kzv_frame *copy = val;
        *w = copy->width;
        *h = copy->height;
    }
    kzv_mutex_unlock(&priv->lock);
    return found ? KZV_OK : KZV_EINVAL;
}

static void memory_destroy(void *opaque)
{
    memory_priv *priv = opaque;
    /* The wrapper released every live texture before calling us; anything left
     * would be a wrapper bug, but free it rather than leak. */
    for (size_t i = 0; i < priv->textures.cap; i++) {
        kzv_frame *copy = priv->textures.vals[i];
        kzv_frame_unref(&copy);
    }
    kzv_texmap_free(&priv->textures);
    kzv_mutex_destroy(&priv->lock);
    free(priv);
}

static const kzv_uploader_impl memory_impl = {
    .version = KZV_UPLOADER_IMPL_VERSION,
    .name = "memory",
    .upload_frame = memory_upload,
    .release_texture = memory_release,
    .get_texture_size = memory_size,
    .destroy = memory_destroy,
};

int kzv_uploader_memory_read(kzv_uploader *u, kzv_texture tex, kzv_frame **out)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    memory_priv *priv = kzv_uploader_priv(u, &memory_impl);
    if (!priv)
        return KZV_EINVAL;   /* NULL, or not a memory uploader */
    void *val = NULL;
    kzv_mutex_lock(&priv->lock);
    /* Take the reference under the lock: a concurrent release must not free
     * the copy between lookup and ref. */
    if (kzv_texmap_find(&priv->textures, tex, &val))
        *out = kzv_frame_ref(val);
    kzv_mutex_unlock(&priv->lock);
    return *out ? KZV_OK : KZV_EINVAL;
}

int kzv_uploader_create_memory(kzv_uploader **out)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    memory_priv *priv = calloc(1, sizeof(*priv));
    if (!priv)
        return KZV_ENOMEM;
    int err = kzv_mutex_init(&priv->lock);
    if (err < 0) {
        free(priv);
        return err;
    }
    priv->next_id = 1;
    err = kzv_uploader_create(out, &memory_impl, priv);
    if (err < 0)
        memory_destroy(priv);
    return err;
}
