/* Internal side of kzv_uploader, for the built-in backends (src/gpu/memory.c,
 * src/gpu/gl.c): how a backend's own entry points (kzv_uploader_memory_read(),
 * kzv_gl_*) get back from a kzv_uploader to their private data. The wrapper
 * (uploader.c) knows no backend; backends know the wrapper only through this. */
#ifndef KZV_SRC_GPU_UPLOADER_INTERNAL_H
#define KZV_SRC_GPU_UPLOADER_INTERNAL_H

#include "kzv/uploader.h"

/* The `priv` given to kzv_uploader_create() when `u` wraps the backend table
 * `expect`; NULL when u is NULL or wraps another backend. Both are fixed at
 * creation, so this needs no lock and may be called from any thread. */
void *kzv_uploader_priv(const kzv_uploader *u, const kzv_uploader_impl *expect);

#endif
