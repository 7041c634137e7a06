/*
 * kzv — hardware decoding: what the FFmpeg build offers and what works here.
 *
 * A decoder uses hardware when kzv_decoder_settings.hwaccel names a device
 * type ("auto", "cuda", "vaapi", "vulkan", "vdpau", "qsv", "drm", …). When
 * the device is missing or the codec cannot use it, the decoder logs it and
 * decodes in software; kzv_video_info.hwaccel says what is in use. Decoded
 * surfaces are brought back to system memory and converted like software
 * frames, so every output format and timing rule is the same.
 *
 * Thread-safety: these functions may be called from any thread.
 */
#ifndef KZV_HWACCEL_H
#define KZV_HWACCEL_H

#include <stddef.h>

#include "kzv/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Name of the i-th device type this FFmpeg build supports (0-based), or NULL
 *  past the last. The string is static. */
KZV_API const char *kzv_hwaccel_type_name(int i);

/**
 * Try to open a device of type `name` on this machine.
 * @param why if non-NULL, receives FFmpeg's reason when it fails.
 * @return KZV_OK (usable), KZV_EUNSUPPORTED (no such device here), KZV_EINVAL (unknown name).
 */
KZV_API int kzv_hwaccel_probe(const char *name, char *why, size_t why_size);

#ifdef __cplusplus
}
#endif
#endif /* KZV_HWACCEL_H */
