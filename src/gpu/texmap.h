/*
 * A small open-addressing hash map from texture id to a pointer, used by the
 * uploader wrapper (the live set; value unused) and by the backends (memory:
 * id → host copy; gl: id → GL texture).
 * Key 0 marks an empty slot, which is free because 0 is never a texture.
 * Linear probing with backward-shift deletion: no tombstones, so a long run
 * of upload/release pairs never degrades lookups. Not thread-safe by itself.
 */
#ifndef KZV_SRC_GPU_TEXMAP_H
#define KZV_SRC_GPU_TEXMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "kzv/uploader.h"

typedef struct kzv_texmap {
    kzv_texture *keys;
    void **vals;
    size_t cap;     /* power of two, or 0 before the first insert */
    size_t count;
} kzv_texmap;

/* @return KZV_OK, KZV_EINVAL (key 0 or already present), KZV_ENOMEM. */
int kzv_texmap_insert(kzv_texmap *m, kzv_texture key, void *val);
/* @return true and the value in *val (may be NULL) when `key` is present. */
bool kzv_texmap_find(const kzv_texmap *m, kzv_texture key, void **val);
/* Remove `key`; @return true and its value in *val (may be NULL) when it was present. */
bool kzv_texmap_remove(kzv_texmap *m, kzv_texture key, void **val);
void kzv_texmap_free(kzv_texmap *m);

#endif
