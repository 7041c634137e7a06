/* Splitting a video into exact half-open frame ranges for parallel work. */
#ifndef KZV_SRC_DECODE_SEGMENTS_H
#define KZV_SRC_DECODE_SEGMENTS_H

#include "kzv/decoder.h"
#include "decode/index.h"

/* Plan segments over `idx` (display order; time base tb) as
 * kzv_decoder_plan_segments() documents. out may be NULL (count only). */
int kzv_segments_plan(const kzv_index *idx, kzv_rational tb, const kzv_segment_settings *s,
                      kzv_segment *out, int64_t capacity, int64_t *count);

#endif
