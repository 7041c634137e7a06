/* The last few frames a decoder returned, kept (by reference) so that an
 * exact access that goes back a little — a sliding window of frames, a step
 * back, a batch asked for again — is answered without seeking back to a
 * keyframe and decoding the group of pictures again. Frames are immutable
 * (frame.h), so a kept reference is the very frame sequential decoding gave.
 *
 * Thread-safety: none; a cache belongs to one decoder, used by one thread at
 * a time like the decoder itself. */
#ifndef KZV_SRC_DECODE_FRAME_CACHE_H
#define KZV_SRC_DECODE_FRAME_CACHE_H

#include <stdint.h>

#include "kzv/frame.h"

/* At most this many frames, and no more than KZV_FCACHE_BYTES of pixels
 * (at least 2 frames): 15 of 1080p RGB24, 3 of 2160p. */
#define KZV_FCACHE_MAX 16
#define KZV_FCACHE_BYTES ((size_t)96 << 20)

typedef struct kzv_fcache {
    kzv_frame *f[KZV_FCACHE_MAX];   /* owned references; NULL = empty slot */
    unsigned next;                  /* slot the next insertion replaces (oldest) */
} kzv_fcache;

/* Keep a reference to `f` (the caller keeps its own), replacing the oldest
 * frame when the cache is full; a frame with the same index replaces that one. */
void kzv_fcache_put(kzv_fcache *c, kzv_frame *f);

/* A new reference to the kept frame with display index `index`, or NULL. */
kzv_frame *kzv_fcache_get(const kzv_fcache *c, int64_t index);

/* Drop every kept frame. */
void kzv_fcache_clear(kzv_fcache *c);

#endif
