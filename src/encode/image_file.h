/* One picture through one of FFmpeg's still-image encoders into a file, for
 * png.c and image.c. Internal to the library. */
#ifndef KZV_ENCODE_IMAGE_FILE_H
#define KZV_ENCODE_IMAGE_FILE_H

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

/* Encode `in` (format, size and colour range set; the caller keeps it) with
 * the encoder for `id` and write the one packet to `path`. qscale > 0 asks
 * for that fixed quantiser (JPEG); 0 leaves the encoder's default.
 *
 * The file appears whole or not at all: the bytes go to "PATH.PID.partial",
 * renamed over `path` once written and closed (as the video encoder does), and
 * removed on any failure, so a full disk never leaves a truncated image with
 * the finished name (a device such as /dev/null is written directly:
 * staging.h).
 * @return KZV_OK, KZV_EUNSUPPORTED (no such encoder, or it refused the picture),
 *         KZV_EIO, KZV_ENOMEM. */
int kzv_image_file_encode(enum AVCodecID id, AVFrame *in, int qscale, const char *path);

#endif
