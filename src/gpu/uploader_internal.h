/* Internal side of kzv_uploader: shared by the checked wrapper (uploader.c)
 * and the built-in backends (the files under gpu/). */
#ifndef KZV_SRC_GPU_UPLOADER_INTERNAL_H
#define KZV_SRC_GPU_UPLOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/uploader.h"

/*
 * A small open-addressing hash map from texture id to a pointer, used by the
 * wrapper (the live set; value unused) and by the memory backend (id → copy).
 * Key 0 marks an empty slot, which is free because 0 is never a texture.
 * Linear probing with backward-shift deletion: no tombstones, so a long run
 * of upload/release pairs never degrades lookups. Not thread-safe by itself.
 */
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

/* The memory backend's table, so the wrapper can tell that backend apart. */
extern const kzv_uploader_impl kzv_memory_uploader_impl;

/* The memory backend's host copy behind `tex`: a new reference, or KZV_EINVAL. */
int kzv_memory_uploader_get(void *priv, kzv_texture tex, kzv_frame **out);

#endif
