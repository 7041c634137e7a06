/* Hardware decoding through FFmpeg's hwcontext: pick a device for a codec,
 * fall back to software (with a log line) when there is none, and bring
 * decoded surfaces back to system memory. */
#ifndef KZV_SRC_DECODE_HWACCEL_H
#define KZV_SRC_DECODE_HWACCEL_H

#include <libavcodec/avcodec.h>

#include "core/log.h"

typedef struct kzv_hw {
    AVBufferRef *device;            /* NULL: software decoding */
    enum AVPixelFormat hw_format;   /* surfaces the codec outputs with the device */
    char name[32];                  /* device type in use, "none" for software */
    AVFrame *sw;                    /* download target */
} kzv_hw;

/* Set up hardware decoding for `dec` (before avcodec_open2) as `request`
 * asks ("none"/NULL, "auto", or a device type name like "cuda", "vaapi").
 * Returns KZV_OK (hardware or a logged software fall-back), KZV_EINVAL for an
 * unknown name, KZV_ENOMEM. */
int kzv_hw_setup(kzv_hw *hw, AVCodecContext *dec, const AVCodec *codec, const char *request,
                 const kzv_logger *log);

/* If `f` is a hardware surface, replace it with a system-memory copy (same
 * properties). Returns KZV_OK, KZV_ENOMEM or KZV_EGPU. */
int kzv_hw_download(kzv_hw *hw, AVFrame *f);

void kzv_hw_uninit(kzv_hw *hw);

#endif
