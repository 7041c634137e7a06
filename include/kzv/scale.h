/*
 * kzv — scale: the built-in upscaler (libswscale's lanczos) on kzv frames.
 *
 *     kzv_scaler *s = NULL;
 *     if (kzv_scaler_open(&s, 2) < 0) …
 *     kzv_frame *big = NULL;
 *     int err = kzv_scaler_run(s, frame, &big);   // 2× the size, same format
 *     …
 *     kzv_frame_unref(&big);
 *     kzv_scaler_close(&s);
 *
 * It is the scaler kzv_transcode_settings.scale uses, so a job that scales
 * frame by frame elsewhere (a segment on a Dask worker, a Python loop) gives
 * the pixels a kzv_transcode() of the same source gives: lanczos with
 * accurate rounding and full chroma interpolation, on the frame's own layout
 * (a YUV frame is scaled plane by plane in YUV, never through RGB).
 *
 * Thread-safety: a kzv_scaler is used by one thread at a time; separate
 * scalers are independent. Output frames are ordinary kzv_frames (they may
 * outlive the scaler and travel to any thread).
 */
#ifndef KZV_SCALE_H
#define KZV_SCALE_H

#include "kzv/common.h"
#include "kzv/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A scaler by one integer factor (opaque). */
typedef struct kzv_scaler kzv_scaler;

/**
 * Make a scaler that multiplies width and height by `factor`.
 * @param out    receives the scaler (owned by the caller: kzv_scaler_close());
 *               NULL on failure.
 * @param factor 2 … 16.
 * @return KZV_OK, KZV_EINVAL (out NULL, factor out of range) or KZV_ENOMEM.
 */
KZV_API int kzv_scaler_open(kzv_scaler **out, int factor);

/**
 * Scale one frame. The frame may change size or format from call to call
 * (the scaler follows it).
 * @param in   borrowed for the call.
 * @param out  receives a new reference (owned by the caller): `in` scaled,
 *             same format, with in's timing, colour and field fields; NULL
 *             on failure.
 * @return KZV_OK, KZV_EINVAL (NULL arguments, or a result too large),
 *         KZV_EUNSUPPORTED (a format libswscale cannot scale), KZV_ENOMEM.
 */
KZV_API int kzv_scaler_run(kzv_scaler *s, const kzv_frame *in, kzv_frame **out);

/** The factor the scaler was opened with; 0 for NULL. */
KZV_API int kzv_scaler_factor(const kzv_scaler *s);

/** Free the scaler (frames it made stay valid) and set *s to NULL; NULL or a
 *  pointer to NULL does nothing. */
KZV_API void kzv_scaler_close(kzv_scaler **s);

#ifdef __cplusplus
}
#endif

#endif /* KZV_SCALE_H */
