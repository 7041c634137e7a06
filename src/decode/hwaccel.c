/* Hardware decoding setup and surface download. */
#include <string.h>

#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>

#include "kzv/hwaccel.h"
#include "decode/hwaccel.h"

/* The pixel format the codec offers for `type` through a device context, or
 * AV_PIX_FMT_NONE when this codec cannot use that device type. */
static enum AVPixelFormat hw_format_for(const AVCodec *codec, enum AVHWDeviceType type)
{
    for (int i = 0;; i++) {
        const AVCodecHWConfig *cfg = avcodec_get_hw_config(codec, i);
        if (!cfg)
            return AV_PIX_FMT_NONE;
        if ((cfg->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) && cfg->device_type == type)
            return cfg->pix_fmt;
    }
}

/* get_format: take the device's surfaces when offered, else the first
 * software format (the codec then decodes in software for this stream). */
static enum AVPixelFormat pick_format(AVCodecContext *dec, const enum AVPixelFormat *fmts)
{
    const kzv_hw *hw = dec->opaque;
    for (const enum AVPixelFormat *p = fmts; *p != AV_PIX_FMT_NONE; p++)
        if (*p == hw->hw_format)
            return *p;
    for (const enum AVPixelFormat *p = fmts; *p != AV_PIX_FMT_NONE; p++) {
        const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(*p);
        if (d && !(d->flags & AV_PIX_FMT_FLAG_HWACCEL))
            return *p;
    }
    return AV_PIX_FMT_NONE;
}

static int try_device(kzv_hw *hw, AVCodecContext *dec, const AVCodec *codec, enum AVHWDeviceType type,
                      const kzv_logger *log)
{
    const char *name = av_hwdevice_get_type_name(type);
    enum AVPixelFormat fmt = hw_format_for(codec, type);
    if (fmt == AV_PIX_FMT_NONE) {
        kzv_log(log, KZV_LOG_DEBUG, "hwaccel %s: the %s decoder cannot use it", name, codec->name);
        return -1;
    }
    AVBufferRef *dev = NULL;
    int ret = av_hwdevice_ctx_create(&dev, type, NULL, NULL, 0);
    if (ret < 0) {
        char why[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(ret, why, sizeof(why));
        kzv_log(log, KZV_LOG_INFO, "hwaccel %s: no device (%s)", name, why);
        return -1;
    }
    hw->device = dev;
    hw->hw_format = fmt;
    snprintf(hw->name, sizeof(hw->name), "%s", name);
    dec->hw_device_ctx = av_buffer_ref(dev);
    if (!dec->hw_device_ctx)
        return -2;
    dec->opaque = hw;
    dec->get_format = pick_format;
    return 0;
}

int kzv_hw_setup(kzv_hw *hw, AVCodecContext *dec, const AVCodec *codec, const char *request,
                 const kzv_logger *log)
{
    memset(hw, 0, sizeof(*hw));
    hw->hw_format = AV_PIX_FMT_NONE;
    snprintf(hw->name, sizeof(hw->name), "none");
    if (!request || !*request || !strcmp(request, "none"))
        return KZV_OK;

    int r = -1;
    if (!strcmp(request, "auto")) {
        for (enum AVHWDeviceType t = av_hwdevice_iterate_types(AV_HWDEVICE_TYPE_NONE);
             t != AV_HWDEVICE_TYPE_NONE && r == -1; t = av_hwdevice_iterate_types(t))
            r = try_device(hw, dec, codec, t, log);
    } else {
        enum AVHWDeviceType t = av_hwdevice_find_type_by_name(request);
        if (t == AV_HWDEVICE_TYPE_NONE)
            return KZV_EINVAL;
        r = try_device(hw, dec, codec, t, log);
    }
    if (r == -2)
        return KZV_ENOMEM;
    /* A device asked for by name that is not used is a warning (the user
     * expected it; the default logger shows warnings); "auto" finding
     * nothing is the expected case on most machines. */
    if (r < 0)
        kzv_log(log, strcmp(request, "auto") ? KZV_LOG_WARNING : KZV_LOG_INFO,
                "hwaccel '%s' not available for %s: decoding in software", request, codec->name);
    else
        kzv_log(log, KZV_LOG_INFO, "hwaccel: decoding %s with %s", codec->name, hw->name);
    return KZV_OK;
}

int kzv_hw_download(kzv_hw *hw, AVFrame *f)
{
    if (!hw->device || f->format != hw->hw_format)
        return KZV_OK;
    if (!hw->sw && !(hw->sw = av_frame_alloc()))
        return KZV_ENOMEM;
    int ret = av_hwframe_transfer_data(hw->sw, f, 0);
    if (ret >= 0)
        ret = av_frame_copy_props(hw->sw, f);
    if (ret < 0) {
        av_frame_unref(hw->sw);
        return ret == AVERROR(ENOMEM) ? KZV_ENOMEM : KZV_EGPU;
    }
    av_frame_unref(f);
    av_frame_move_ref(f, hw->sw);
    return KZV_OK;
}

void kzv_hw_uninit(kzv_hw *hw)
{
    av_frame_free(&hw->sw);
    av_buffer_unref(&hw->device);
}

/* ---- public: what this FFmpeg build offers ------------------------------ */

const char *kzv_hwaccel_type_name(int i)
{
    kzv_log_install_ffmpeg_bridge();
    int n = 0;
    for (enum AVHWDeviceType t = av_hwdevice_iterate_types(AV_HWDEVICE_TYPE_NONE);
         t != AV_HWDEVICE_TYPE_NONE; t = av_hwdevice_iterate_types(t))
        if (n++ == i)
            return av_hwdevice_get_type_name(t);
    return NULL;
}

int kzv_hwaccel_probe(const char *name, char *why, size_t why_size)
{
    kzv_log_install_ffmpeg_bridge();
    if (why && why_size)
        why[0] = '\0';
    enum AVHWDeviceType t = name ? av_hwdevice_find_type_by_name(name) : AV_HWDEVICE_TYPE_NONE;
    if (t == AV_HWDEVICE_TYPE_NONE)
        return KZV_EINVAL;
    AVBufferRef *dev = NULL;
    int ret = av_hwdevice_ctx_create(&dev, t, NULL, NULL, 0);
    av_buffer_unref(&dev);
    if (ret < 0) {
        if (why && why_size)
            av_strerror(ret, why, why_size);
        return KZV_EUNSUPPORTED;
    }
    return KZV_OK;
}
