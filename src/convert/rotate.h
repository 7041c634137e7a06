/* Turning decoded frames for display (kzv_decoder_settings.autorotate). */
#ifndef KZV_SRC_CONVERT_ROTATE_H
#define KZV_SRC_CONVERT_ROTATE_H

#include <stdbool.h>

#include "kzv/frame.h"

/* Whether frames of `fmt` can be turned by `cw` degrees clockwise (0, 90,
 * 180, 270): every format can be turned by 180; by 90 or 270 every one
 * whose chroma is subsampled the same both ways (not 4:2:2, which would
 * become 4:4:0). */
bool kzv_rotate_supported(kzv_pixfmt fmt, int cw);

/* A new frame holding `src` turned `cw` degrees clockwise (90 or 270 swap
 * width and height); pixels only: the caller copies the other fields.
 * KZV_OK, KZV_EUNSUPPORTED, KZV_ENOMEM. */
int kzv_rotate_frame(const kzv_frame *src, int cw, kzv_frame **out);

#endif
