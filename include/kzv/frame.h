/*
 * kzv — decoded frames.
 *
 * A kzv_frame is a picture plus its exact timing. Frames are reference
 * counted with an atomic counter: kzv_frame_ref() adds a reference,
 * kzv_frame_unref() drops one and frees the frame when the last goes. Pixel
 * memory comes from a pool owned by the decoder that produced the frame, so a
 * decoder in its steady state allocates no pixel memory per frame; a frame may
 * outlive its decoder (the pool lives until its last buffer is returned).
 * Passthrough YUV frames (see decoder.h) hold the codec's own picture buffers
 * the same way: their strides are the codec's, they are returned to the
 * codec's pool with the frame's last reference.
 *
 * Frames produced by kzv are immutable: never write to a frame that someone
 * else may hold. A frame made with kzv_frame_alloc() is writable by its creator
 * as long as it alone holds it (before it shares a reference).
 *
 * Thread-safety: kzv_frame_ref()/kzv_frame_unref() may be called from any
 * thread on the same frame concurrently. Reading a frame's fields and pixels
 * from several threads is safe; writing is only allowed as described above.
 */
#ifndef KZV_FRAME_H
#define KZV_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Pixel formats kzv hands out. Packed formats use plane 0 only. */
typedef enum kzv_pixfmt {
    KZV_PIXFMT_NONE    = -1, /**< as a decoder's output format: timing only, no
                                  pixels (data[] NULL, stride[] 0): for frame
                                  tables, counting, validation */
    KZV_PIXFMT_RGB24   =  0, /**< packed R,G,B, 8 bits each (default) */
    KZV_PIXFMT_RGBA    =  1, /**< packed R,G,B,A, 8 bits each, A = 255 */
    KZV_PIXFMT_RGB48   =  2, /**< packed R,G,B, 16 bits each, host endian, full 0..65535 */
    KZV_PIXFMT_YUV420P =  3, /**< planar 8-bit Y, U, V; chroma halved both ways */
    KZV_PIXFMT_YUV422P =  4, /**< planar 8-bit Y, U, V; chroma halved horizontally */
    KZV_PIXFMT_YUV444P =  5, /**< planar 8-bit Y, U, V; full chroma */
    KZV_PIXFMT_YUV420P10 = 6, /**< planar Y, U, V; 16-bit host-endian samples
                                   holding 10-bit values (0..1023) in the low
                                   bits (FFmpeg's yuv420p10); chroma halved both ways */
    KZV_PIXFMT_YUV422P10 = 7, /**< as YUV420P10, chroma halved horizontally */
    KZV_PIXFMT_YUV444P10 = 8, /**< as YUV420P10, full chroma */
    KZV_PIXFMT_NV12    =  9, /**< 8-bit Y plane + one interleaved U,V plane,
                                  chroma halved both ways (2 planes) */
    KZV_PIXFMT_P010    = 10, /**< as NV12 with 16-bit host-endian samples holding
                                  10-bit values in the HIGH bits (value << 6) */
    KZV_PIXFMT_YUV_AUTO = 11, /**< as a decoder's output format only: the YUV
                                   layout above that matches what the codec
                                   decodes (8 or 10 bit, 4:2:0/4:2:2/4:4:4, NV12
                                   or P010 from hardware), passed through without
                                   colour conversion; frames carry the concrete
                                   format. Sources of other depths or layouts
                                   get the nearest one: 9 to 16 bits → 10 bits,
                                   8 and fewer → 8; chroma never subsampled more
                                   than the source's (4:1:1 → 4:2:2, 4:4:0 →
                                   4:4:4); gray → 4:2:0 (neutral chroma); RGB →
                                   4:4:4 (matrix as for an untagged source). */
} kzv_pixfmt;

/** Short lowercase name ("rgb24", "yuv420p", …); "none" for unknown values. */
KZV_API const char *kzv_pixfmt_name(kzv_pixfmt fmt);
/** Parse a name from kzv_pixfmt_name(); KZV_PIXFMT_NONE if unknown. */
KZV_API kzv_pixfmt kzv_pixfmt_from_name(const char *name);
/** Number of planes (1 for packed formats, 3 for planar YUV, 2 for NV12/P010,
 *  0 for NONE and YUV_AUTO). */
KZV_API int kzv_pixfmt_planes(kzv_pixfmt fmt);
/** Significant bits per component: 8, 10 (the *10 formats and P010) or 16
 *  (RGB48); 0 for NONE and YUV_AUTO. */
KZV_API int kzv_pixfmt_depth(kzv_pixfmt fmt);
/** Bytes per stored component sample: 1, or 2 for RGB48, the *10 formats and P010. */
KZV_API int kzv_pixfmt_sample_bytes(kzv_pixfmt fmt);
/** Chroma subsampling as log2 factors (0 = full, 1 = halved) for YUV
 *  formats; both 0 for RGB. @return true for a YUV format. */
KZV_API bool kzv_pixfmt_chroma_shift(kzv_pixfmt fmt, int *log2_w, int *log2_h);

/**
 * Geometry of one plane of a width × height picture in `fmt`, without any
 * row padding: the one place that says how big a plane is, so that code
 * copying, comparing or uploading planes need not repeat the arithmetic.
 *
 * - `plane_width`: sample positions per row: the width for packed formats and
 *   for Y; the chroma width for U and V, and for NV12/P010's plane 1, whose
 *   every position holds a U,V pair.
 * - `plane_height`: rows.
 * - `row_bytes`: the bytes of one row's samples (what copying a row moves; a
 *   frame's stride[plane] is at least this).
 *
 * Chroma sizes round up: a 5×3 4:2:0 picture has 3×2 chroma samples.
 * Example: YUV420P10, 1920×1080, plane 1 → 960, 540, 1920 bytes.
 * Any output pointer may be NULL.
 * @return KZV_OK, or KZV_EINVAL (all outputs 0) when the plane does not exist
 *         (plane < 0 or >= kzv_pixfmt_planes(fmt); NONE and YUV_AUTO have no
 *         planes) or width or height is < 1.
 */
KZV_API int kzv_pixfmt_plane_size(kzv_pixfmt fmt, int width, int height, int plane,
                                  int *plane_width, int *plane_height, size_t *row_bytes);

/*
 * Colour description. The numeric values are the code points of ITU-T H.273
 * (the same numbers as in H.264/HEVC/AV1 VUI and FFmpeg), so values kzv has
 * no name for still carry their meaning.
 */
typedef enum kzv_color_matrix {
    KZV_MATRIX_RGB         = 0,
    KZV_MATRIX_BT709       = 1,
    KZV_MATRIX_UNSPECIFIED = 2,
    KZV_MATRIX_FCC         = 4,
    KZV_MATRIX_BT470BG     = 5,  /**< BT.601 625-line */
    KZV_MATRIX_SMPTE170M   = 6,  /**< BT.601 525-line (same matrix as 5) */
    KZV_MATRIX_SMPTE240M   = 7,
    KZV_MATRIX_YCGCO       = 8,
    KZV_MATRIX_BT2020_NCL  = 9,
    KZV_MATRIX_BT2020_CL   = 10,
} kzv_color_matrix;

typedef enum kzv_color_range {
    KZV_RANGE_UNSPECIFIED = 0,
    KZV_RANGE_LIMITED     = 1, /**< "tv", "mpeg": Y 16..235, C 16..240 at 8 bits */
    KZV_RANGE_FULL        = 2, /**< "pc", "jpeg": 0..255 at 8 bits */
} kzv_color_range;

/** Where chroma samples sit relative to luma (FFmpeg's AVChromaLocation
 *  values, which are H.273's chroma_sample_loc_type + 1). */
typedef enum kzv_chroma_location {
    KZV_CHROMA_UNSPECIFIED = 0, /**< not tagged (y4m writers call 4:2:0 of this kind "jpeg") */
    KZV_CHROMA_LEFT        = 1, /**< MPEG-2/4, H.264/HEVC default: co-sited left ("mpeg2") */
    KZV_CHROMA_CENTER      = 2, /**< MPEG-1, JPEG: between the luma samples */
    KZV_CHROMA_TOPLEFT     = 3, /**< DV, BT.2020 4:2:0 ("paldv") */
    KZV_CHROMA_TOP         = 4,
    KZV_CHROMA_BOTTOMLEFT  = 5,
    KZV_CHROMA_BOTTOM      = 6,
} kzv_chroma_location;

/** A colour description; fixed size (it is embedded in kzv_frame and
 *  kzv_video_info; see "Room to grow" in common.h). */
typedef struct kzv_color {
    int matrix;      /**< kzv_color_matrix used to convert to RGB (never UNSPECIFIED
                          for a YUV source: the untagged rule has been applied) */
    int range;       /**< kzv_color_range used (never UNSPECIFIED) */
    int primaries;   /**< H.273 colour primaries as tagged (2 = unspecified) */
    int transfer;    /**< H.273 transfer characteristics as tagged (2 = unspecified) */
    bool matrix_tagged; /**< false: the stream did not say, `matrix` is the
                             documented default (BT.709 when height > 576, else BT.601) */
    bool range_tagged;  /**< false: the stream did not say, limited range assumed */
    uint8_t chroma_location; /**< kzv_chroma_location of the source as tagged
                                  (0 = unspecified); YUV output keeps the source's
                                  siting, so it describes the frame's chroma too */
    uint8_t reserved[13]; /**< zero; properties added later take their bytes from here */
} kzv_color;

/** Name of a matrix code point ("bt709", "bt601", "bt2020nc", …). */
KZV_API const char *kzv_color_matrix_name(int matrix);
/** "limited", "full" or "unspecified". */
KZV_API const char *kzv_color_range_name(int range);

/**
 * A picture and its timing. Frames from kzv (decoders, kzv_frame_alloc())
 * are allocated by the library. A caller may also fill a kzv_frame of its own
 * to hand its pixels to an uploader: zero it first (`= { 0 }`), `reserved`
 * included. Fixed size (see "Room to grow" in common.h).
 */
typedef struct kzv_frame {
    uint8_t *data[4];      /**< plane pointers; packed formats use data[0] */
    int stride[4];         /**< bytes per row of each plane, >= width * bytes per pixel
                                (packed RGB frames from kzv are tight: == width * bpp) */
    int width, height;     /**< this frame's own size (may change mid-stream) */
    kzv_pixfmt format;

    double pts;            /**< presentation time in seconds = pts_ts * time_base */
    double duration;       /**< seconds until the next frame; 0 when unknown */
    int64_t pts_ts;        /**< raw timestamp in time_base units (INT64_MIN if none) */
    kzv_rational time_base;
    int64_t frame_index;   /**< 0-based position in display order */
    bool keyframe;         /**< decodable on its own (a random-access point) */
    kzv_color color;       /**< the source's colour description */
    bool interlaced;       /**< the picture holds two fields (coded interlaced) */
    bool top_field_first;  /**< with `interlaced`: the top field is displayed first */
    uint8_t repeat_pict;   /**< fields to repeat when displaying (soft telecine: 1 =
                                show a field again, as FFmpeg's repeat_pict); 0 mostly */
    uint8_t reserved[29];  /**< zero; fields added later take their bytes from here
                                and mean "unknown / the old behaviour" when 0 */
} kzv_frame;

/**
 * Allocate a frame with its own pixel buffers, laid out as converted decoded
 * frames are: packed formats tight (stride = width × bytes per pixel, the
 * picture is one contiguous block), planar rows padded to 64 bytes
 * (passthrough YUV frames have the codec's strides instead). Pixels are zeroed,
 * timing fields are unknown (pts_ts INT64_MIN), color is BT.709 limited. The caller owns the returned reference and may write every field and
 * pixel until it shares the frame.
 * @return KZV_OK, KZV_EINVAL (bad size or format) or KZV_ENOMEM.
 */
KZV_API int kzv_frame_alloc(kzv_frame **out, int width, int height, kzv_pixfmt format);

/** Called once when the last reference to a frame made by kzv_frame_wrap()
 *  is dropped, from whichever thread drops it. */
typedef void (*kzv_frame_free_fn)(void *opaque);

/**
 * Wrap pixels the caller owns (a numpy array, a torch tensor, a filter's
 * buffer) as a refcounted kzv_frame, without copying them.
 * @param desc    the picture: data[], stride[] (> 0, at least a row's bytes),
 *                width, height, format (not NONE or YUV_AUTO), and the timing
 *                and colour fields to carry (pts_ts, time_base, pts, duration,
 *                frame_index, keyframe, color, interlaced, top_field_first,
 *                repeat_pict; all copied). Borrowed for the
 *                call only.
 * @param free_fn called with `opaque` when the frame's last reference goes
 *                (the memory must stay valid and unchanged until then); may be NULL.
 * @return KZV_OK (the frame owns the wrap: free_fn will be called exactly
 *         once), KZV_EINVAL (bad description) or KZV_ENOMEM; on failure
 *         free_fn is not called and the caller keeps its memory.
 */
KZV_API int kzv_frame_wrap(kzv_frame **out, const kzv_frame *desc, kzv_frame_free_fn free_fn, void *opaque);

/** Add a reference. @return f (NULL when f is NULL). */
KZV_API kzv_frame *kzv_frame_ref(kzv_frame *f);

/**
 * Drop the reference in *f, free the frame if it was the last, and set *f to
 * NULL. NULL or a pointer to NULL is accepted and does nothing.
 */
KZV_API void kzv_frame_unref(kzv_frame **f);

/**
 * Write a frame to `path` as a PNG (8-bit RGB or RGBA; 16-bit for RGB48;
 * YUV frames are refused with KZV_EUNSUPPORTED). The caller keeps the frame.
 * The file appears whole or not at all: it is written as "PATH.PID.partial"
 * and renamed when complete (a full disk leaves no truncated PATH).
 * @return KZV_OK, KZV_EIO (cannot write), KZV_EUNSUPPORTED, KZV_ENOMEM.
 */
KZV_API int kzv_frame_write_png(const kzv_frame *f, const char *path);

/** Image file formats kzv_frame_write_image() writes. */
typedef enum kzv_image_format {
    KZV_IMAGE_PNG  = 0,  /**< .png: lossless; 16-bit for RGB48 */
    KZV_IMAGE_JPEG = 1,  /**< .jpg / .jpeg: baseline JFIF, 4:4:4, high quality (qscale 2) */
} kzv_image_format;

/** The image format a file name asks for, by its extension (case ignored):
 *  a kzv_image_format, or KZV_EUNSUPPORTED for other names. */
KZV_API int kzv_image_format_from_name(const char *path);

/**
 * Write a frame to `path` in the format its extension names (.png as
 * kzv_frame_write_png(); .jpg/.jpeg as JPEG from an RGB24/RGBA/RGB48 frame,
 * alpha dropped). The caller keeps the frame.
 * @return KZV_OK, KZV_EUNSUPPORTED (another extension, a YUV frame), KZV_EIO,
 *         KZV_ENOMEM, KZV_EINVAL.
 */
KZV_API int kzv_frame_write_image(const kzv_frame *f, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* KZV_FRAME_H */
