/*
 * kzv — the KizunaSR video core. Umbrella header: include this one.
 *
 * Components (one header each):
 *   frame.h      kzv_frame: refcounted decoded picture + exact timing
 *   decoder.h    kzv_decoder: file → frames in display order
 *   queue.h      kzv_queue: bounded thread-safe frame buffer
 *   uploader.h   kzv_uploader: function-table interface to GPU backends
 *   processor.h  kzv_processor: decode thread → queue → upload → callback
 *   gl.h         the OpenGL ES 3 / EGL uploader backend (RGB and YUV-shader paths)
 *   hwaccel.h    hardware decoding device types
 *   encoder.h    kzv_encoder: frames → an encoded, muxed file
 *   transcode.h  kzv_transcode: decode → process → encode, other streams kept
 *   join.h       kzv_join: encoded segments → one file
 *   scale.h      kzv_scaler: the built-in lanczos upscaler
 *   common.h     status codes, logging; version.h: library version
 */
#ifndef KZV_KZV_H
#define KZV_KZV_H

#include "kzv/common.h"
#include "kzv/version.h"
#include "kzv/frame.h"
#include "kzv/decoder.h"
#include "kzv/queue.h"
#include "kzv/uploader.h"
#include "kzv/processor.h"
#include "kzv/gl.h"
#include "kzv/hwaccel.h"
#include "kzv/encoder.h"
#include "kzv/join.h"
#include "kzv/transcode.h"
#include "kzv/scale.h"

#endif /* KZV_KZV_H */
