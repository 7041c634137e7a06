/* Helpers shared by the core tests: ground truth from the ffmpeg/ffprobe CLI
 * and "decode everything" with kzv.
 *
 * Fixtures are named either by a bare name ("h264.mp4" → $KZV_FIXTURES/…) or
 * by a path containing '/' (used as is, e.g. the committed sample clip).
 */
#ifndef KZV_TESTS_CORE_UTIL_H
#define KZV_TESTS_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/kzv.h"

/* Resolve a fixture argument (see above); exits with a failure if missing. */
const char *cu_fixture(const char *arg);

/* Basename of a path (pointer into it). */
const char *cu_base(const char *path);

/* ---- ffprobe ---- */

typedef struct cu_probe_frame {
    int64_t best_effort;   /* best_effort_timestamp, INT64_MIN when N/A */
    int width, height;
} cu_probe_frame;

typedef struct cu_probe {
    cu_probe_frame *frames;
    int n;
    kzv_rational time_base;      /* stream time_base */
    int64_t nb_frames;           /* header count, -1 when N/A */
    int64_t nb_read_frames;      /* -count_frames result, -1 when not asked / N/A */
    double start_time;           /* stream start_time, NAN when N/A */
    char color_space[32];        /* first frame's: "bt709", "unknown", … */
    char color_range[16];        /* first frame's: "tv", "pc", "unknown" */
    char pix_fmt[32];
    char chroma_location[16];    /* "left", "topleft", "unspecified", … */
    int rotation;                /* clockwise degrees (= -ffprobe's displaymatrix rotation) */
} cu_probe;

/* Run ffprobe on the first video stream: per-frame timestamps and sizes (all
 * frames decoded) and the stream fields above. count_frames adds
 * -count_frames (nb_read_frames). Returns 0 on success. */
int cu_probe_file(const char *path, bool count_frames, cu_probe *out);
void cu_probe_free(cu_probe *p);

/* ---- ffmpeg raw output ---- */

/* `ffmpeg -v error -i PATH [extra…] -fps_mode passthrough -autoscale 0 -f rawvideo
 * -pix_fmt PIXFMT -` ; returns malloc'd bytes (caller frees), *len the size,
 * NULL on failure. `vf` may be NULL (no -vf). */
uint8_t *cu_ffmpeg_raw(const char *path, const char *vf, const char *sws_flags,
                       const char *pix_fmt, size_t *len);

/* ---- kzv ---- */

typedef struct cu_decoded {
    kzv_frame **frames;   /* every frame in output order (owned references) */
    int n;
    int end_status;       /* what kzv_decoder_next() returned after the last frame */
    kzv_decoder_stats stats;
    kzv_video_info info;  /* copy (string fields point into static/decoder memory: do not use after close) */
} cu_decoded;

/* Open `path` with `settings` (NULL = defaults) and decode until kzv_decoder_next
 * stops returning KZV_OK (at most max_frames frames when > 0). Returns the open
 * status (frames are only collected when it is KZV_OK). */
int cu_decode_all(const char *path, const kzv_decoder_settings *settings, int max_frames,
                  cu_decoded *out);
void cu_decoded_free(cu_decoded *d);

/* ---- pixel comparison ---- */

typedef struct cu_diff {
    double mean;        /* mean absolute difference over all samples */
    double within3;     /* fraction of samples that differ by at most 3 */
    int max;            /* largest absolute difference */
    size_t samples;
} cu_diff;

/* Accumulate |a - b| over `n` bytes into *d (call cu_diff_init first). */
void cu_diff_init(cu_diff *d);
void cu_diff_add(cu_diff *d, const uint8_t *a, const uint8_t *b, size_t n);
void cu_diff_done(cu_diff *d);

/* ffmpeg's names for the matrix/range implied by ffprobe's tags and kzv's
 * documented untagged rule (BT.709 above 576 lines, else BT.601; limited). */
const char *cu_sws_matrix(const cu_probe *p, int height);
const char *cu_sws_range(const cu_probe *p);

#endif

/* ---- exact reference conversion ---- */

/* Kr, Kb of an ffmpeg matrix name from cu_sws_matrix() ("bt601", "bt709", "bt2020", …). */
void cu_matrix_k(const char *name, double *kr, double *kb);

/* Planar YUV layout of an ffmpeg pix_fmt name: 8..16 bits, chroma shifts.
 * Returns false for formats this helper does not know. */
bool cu_yuv_layout(const char *pix_fmt, int *depth, int *log2_cw, int *log2_ch);

/* Size in bytes of one planar frame in that layout. */
size_t cu_yuv_frame_size(int w, int h, int depth, int log2_cw, int log2_ch);

/* The exact double-precision YUV → RGB24 conversion kzv documents (yuv2rgb.h):
 * chroma co-sited with even luma columns (linear between), vertically half-way
 * between rows 2k and 2k+1 (weights 1/4, 3/4; chroma_top: co-sited with even
 * rows), edges clamped; H.273 limited or full range; round to nearest. */
void cu_exact_rgb24(const uint8_t *yuv, int w, int h, int depth, int log2_cw, int log2_ch, bool chroma_top,
                    double kr, double kb, bool full, uint8_t *out);
