/* The texture map (texmap.h): open addressing, linear probing, backward-shift
 * deletion. */
#include <stdlib.h>

#include "gpu/texmap.h"

/* Fibonacci hashing: backends hand out small consecutive ids, and a plain
 * mask of those would fill one run of slots. */
static size_t texmap_slot(const kzv_texmap *m, kzv_texture key)
{
    return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (m->cap - 1);
}

static int texmap_grow(kzv_texmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    kzv_texmap n = { .cap = cap };
    n.keys = calloc(cap, sizeof(*n.keys));
    n.vals = calloc(cap, sizeof(*n.vals));
    if (!n.keys || !n.vals) {
        free(n.keys);
        free(n.vals);
        return KZV_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = texmap_slot(&n, m->keys[i]);
        while (n.keys[j])
            j = (j + 1) & (cap - 1);
        n.keys[j] = m->keys[i];
        n.vals[j] = m->vals[i];
        n.count++;
    }
    kzv_texmap_free(m);
    *m = n;
    return KZV_OK;
}

/* Index of `key`, or of the empty slot ending its probe run (m->cap > 0). */
static size_t texmap_probe(const kzv_texmap *m, kzv_texture key)
{
    size_t i = texmap_slot(m, key);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int kzv_texmap_insert(kzv_texmap *m, kzv_texture key, void *val)
{
    if (key == KZV_NO_TEXTURE || kzv_texmap_find(m, key, NULL))
        return KZV_EINVAL;
    /* Keep the load at most 1/2 so probe runs stay short. */
    if (2 * (m->count + 1) > m->cap) {
        int err = texmap_grow(m);
        if (err < 0)
            return err;
    }
    size_t i = texmap_probe(m, key);
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
    return KZV_OK;
}

bool kzv_texmap_find(const kzv_texmap *m, kzv_texture key, void **val)
{
    if (!m->cap || key == KZV_NO_TEXTURE)
        return false;
    size_t i = texmap_probe(m, key);
    if (!m->keys[i])
        return false;
    if (val)
        *val = m->vals[i];
    return true;
}

bool kzv_texmap_remove(kzv_texmap *m, kzv_texture key, void **val)
{
    if (!m->cap || key == KZV_NO_TEXTURE)
        return false;
    size_t mask = m->cap - 1;
    size_t i = texmap_probe(m, key);
    if (!m->keys[i])
        return false;
    if (val)
        *val = m->vals[i];
    /* Backward-shift deletion: pull later members of the probe run into the
     * hole when the hole lies between their home slot and where they sit. */
    for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        size_t home = texmap_slot(m, m->keys[j]);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            i = j;
        }
    }
    m->keys[i] = KZV_NO_TEXTURE;
    m->vals[i] = NULL;
    m->count--;
    return true;
}

void kzv_texmap_free(kzv_texmap *m)
{
    free(m->keys);
    free(m->vals);
    *m = (kzv_texmap){ 0 };
}
