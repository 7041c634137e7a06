/* kzv validate --seeks: proof of exact access. After the sequential pass has
 * recorded every frame (pts and a pixel digest), random exact seeks must
 * give the very same frames. */
#ifndef KZV_TOOLS_VALIDATE_SEEKS_H
#define KZV_TOOLS_VALIDATE_SEEKS_H

#include <stddef.h>
#include <stdint.h>

#include <kzv/kzv.h>

typedef struct kzv_seen_frame {
    double pts;
    uint64_t digest;
} kzv_seen_frame;

/* FNV-1a over the visible bytes of plane 0 of a packed frame (rgb24), with
 * the size mixed in. */
uint64_t kzv_frame_digest(const kzv_frame *f);

/* `seeks` exact seeks to random frames of the n in seen[] (display order),
 * chosen by a generator seeded with `seed`: by index and by time, one after
 * the other, each followed by one kzv_decoder_next(). A mismatch is another
 * frame_index, pts or digest, or an error. Writes a summary (the first
 * mismatch when there is one) to detail; returns the number of mismatches. */
int64_t kzv_validate_seeks(kzv_decoder *d, const kzv_seen_frame *seen, int64_t n,
                           int64_t seeks, uint64_t seed, char *detail, size_t len);

#endif
