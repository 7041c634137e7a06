/* The decoder's cache of recently returned frames; see frame_cache.h. */
#include <stddef.h>

#include "decode/frame_cache.h"
#include "core/frame_internal.h"

/* How many frames like `f` the byte budget allows (2..KZV_FCACHE_MAX). */
static unsigned capacity(const kzv_frame *f)
{
    int stride[4];
    size_t offset[4];
    size_t bytes = f->format == KZV_PIXFMT_NONE ? 0 : kzv_frame_layout(f->width, f->height, f->format, stride, offset);
    if (!bytes)
        return KZV_FCACHE_MAX;
    size_t n = KZV_FCACHE_BYTES / bytes;
    return n < 2 ? 2 : n > KZV_FCACHE_MAX ? KZV_FCACHE_MAX : (unsigned)n;
}

void kzv_fcache_put(kzv_fcache *c, kzv_frame *f)
{
    for (unsigned i = 0; i < KZV_FCACHE_MAX; i++) {
        if (c->f[i] && c->f[i]->frame_index == f->frame_index) {
            kzv_frame_unref(&c->f[i]);
            c->f[i] = kzv_frame_ref(f);
            return;
        }
    }
    unsigned cap = capacity(f);
    if (c->next >= cap)
        c->next = 0;
    /* Slots beyond the capacity (a smaller picture came earlier) are emptied. */
    for (unsigned i = cap; i < KZV_FCACHE_MAX; i++)
        kzv_frame_unref(&c->f[i]);
    kzv_frame_unref(&c->f[c->next]);
    c->f[c->next] = kzv_frame_ref(f);
    c->next = (c->next + 1) % cap;
}

kzv_frame *kzv_fcache_get(const kzv_fcache *c, int64_t index)
{
    for (unsigned i = 0; i < KZV_FCACHE_MAX; i++)
        if (c->f[i] && c->f[i]->frame_index == index)
            return kzv_frame_ref(c->f[i]);
    return NULL;
}

void kzv_fcache_clear(kzv_fcache *c)
{
    for (unsigned i = 0; i < KZV_FCACHE_MAX; i++)
        kzv_frame_unref(&c->f[i]);
    c->next = 0;
}
