/* Colour accuracy on flat patches: kzv's RGB24 against the exact conversion.
 *
 * Each flat_* fixture is one colour (0xC04080 before encoding). The expected
 * RGB is computed here, in double precision, from the decoded Y, U, V samples
 * (ffmpeg -pix_fmt <source format>, no conversion) with the matrix and range
 * the fixture was made with (not what kzv reports): Kr/Kb BT.601 0.299/0.114,
 * BT.709 0.2126/0.0722, BT.2020 0.2627/0.0593; limited range
 * Y' = (Y - 16·2^(n-8)) / (219·2^(n-8)), C' = (C - 128·2^(n-8)) / (224·2^(n-8));
 * full range Y' = Y / (2^n - 1), C' = (C - 2^(n-1)) / (2^n - 1); rounded to
 * 8 bits. Every channel of every pixel in the central 64x64 block of every
 * frame must be within MAX_ERR. The test also prints how far a BT.601
 * limited-range conversion (what the seed's PyAV stack does whatever the
 * tags say) lands from the truth, to show the check can fail.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_util.h"
#include "ktest.h"

#define MAX_ERR 2
#define BLOCK 64

typedef struct flat_case {
    const char *name;
    double kr, kb;
    bool full;
    int depth;
    int matrix;      /* what kzv must report in info.color.matrix (one of) */
    int matrix_alt;
    bool tagged;
} flat_case;

static const flat_case cases[] = {
    { "flat_bt601.mp4",       0.299,  0.114,  false, 8,  KZV_MATRIX_SMPTE170M, KZV_MATRIX_BT470BG, true },
    { "flat_bt709.mp4",       0.2126, 0.0722, false, 8,  KZV_MATRIX_BT709, KZV_MATRIX_BT709, true },
    { "flat_full.mp4",        0.2126, 0.0722, true,  8,  KZV_MATRIX_BT709, KZV_MATRIX_BT709, true },
    { "flat_bt2020_10.mkv",   0.2627, 0.0593, false, 10, KZV_MATRIX_BT2020_NCL, KZV_MATRIX_BT2020_NCL, true },
    { "flat_untagged_hd.mp4", 0.2126, 0.0722, false, 8,  KZV_MATRIX_BT709, KZV_MATRIX_BT709, false },
    { "flat_untagged_sd.mp4", 0.299,  0.114,  false, 8,  KZV_MATRIX_SMPTE170M, KZV_MATRIX_BT470BG, false },
};

static void to_rgb(double Y, double U, double V, int depth, bool full, double kr, double kb, int out[3])
{
    double s = (double)(1 << (depth - 8)), mx = (double)((1 << depth) - 1);
    double y, pb, pr;
    if (full) {
        y = Y / mx;
        pb = (U - (double)(1 << (depth - 1))) / mx;
        pr = (V - (double)(1 << (depth - 1))) / mx;
    } else {
        y = (Y - 16 * s) / (219 * s);
        pb = (U - 128 * s) / (224 * s);
        pr = (V - 128 * s) / (224 * s);
    }
    double r = y + 2 * (1 - kr) * pr, b = y + 2 * (1 - kb) * pb, g = (y - kr * r - kb * b) / (1 - kr - kb);
    double c[3] = { r, g, b };
    for (int i = 0; i < 3; i++) {
        double v = floor(c[i] * 255 + 0.5);
        out[i] = v < 0 ? 0 : v > 255 ? 255 : (int)v;
    }
}

static double get(const uint8_t *p, int bps, size_t idx)
{
    return bps == 1 ? p[idx] : (double)(p[2 * idx] | p[2 * idx + 1] << 8);
}

int main(void)
{
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const flat_case *fc = &cases[c];
        const char *path = kt_fixture(fc->name);
        cu_decoded dd;
        int err = cu_decode_all(path, NULL, 0, &dd);
        KT_CHECK(err == KZV_OK, "%s: open failed: %s", fc->name, kzv_strerror(err));
        if (err != KZV_OK)
            continue;
        KT_CHECK(dd.info.color.matrix == fc->matrix || dd.info.color.matrix == fc->matrix_alt,
                 "%s: info.color.matrix %d (%s)", fc->name, dd.info.color.matrix,
                 kzv_color_matrix_name(dd.info.color.matrix));
        KT_CHECK(dd.info.color.range == (fc->full ? KZV_RANGE_FULL : KZV_RANGE_LIMITED), "%s: range %d",
                 fc->name, dd.info.color.range);
        KT_CHECK(dd.info.color.matrix_tagged == fc->tagged, "%s: matrix_tagged %d", fc->name,
                 dd.info.color.matrix_tagged);
        KT_CHECK(dd.info.bit_depth == fc->depth, "%s: bit_depth %d", fc->name, dd.info.bit_depth);

        const char *pixfmt = fc->full ? "yuvj420p" : fc->depth == 10 ? "yuv420p10le" : "yuv420p";
        size_t len = 0;
        uint8_t *yuv = cu_ffmpeg_raw(path, NULL, NULL, pixfmt, &len);
        KT_CHECK(yuv != NULL, "%s: ffmpeg failed", fc->name);
        if (!yuv) {
            cu_decoded_free(&dd);
            continue;
        }
        int maxerr = 0, naive = 0, frames = 0;
        int want0[3] = { 0 }, got0[3] = { 0 }, naive0[3] = { 0 };
        double y0 = 0, u0 = 0, v0 = 0;
        int bps = fc->depth > 8 ? 2 : 1;
        size_t off = 0;
        for (int i = 0; i < dd.n; i++) {
            const kzv_frame *f = dd.frames[i];
            int w = f->width, h = f->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
            size_t fs = cu_yuv_frame_size(w, h, fc->depth, 1, 1);
            if (off + fs > len)
                break;
            const uint8_t *Yp = yuv + off, *Up = Yp + (size_t)bps * w * h, *Vp = Up + (size_t)bps * cw * ch;
            for (int y = (h - BLOCK) / 2; y < (h + BLOCK) / 2; y++) {
                for (int x = (w - BLOCK) / 2; x < (w + BLOCK) / 2; x++) {
                    double Y = get(Yp, bps, (size_t)y * w + x);
                    double U = get(Up, bps, (size_t)(y / 2) * cw + x / 2);
                    double V = get(Vp, bps, (size_t)(y / 2) * cw + x / 2);
                    int want[3], bad601[3];
                    to_rgb(Y, U, V, fc->depth, fc->full, fc->kr, fc->kb, want);
                    to_rgb(Y, U, V, fc->depth, false, 0.299, 0.114, bad601);
                    const uint8_t *px = f->data[0] + (size_t)y * f->stride[0] + (size_t)x * 3;
                    for (int k = 0; k < 3; k++) {
                        int e = abs(px[k] - want[k]);
                        if (e > maxerr)
                            maxerr = e;
                        if (abs(bad601[k] - want[k]) > naive)
                            naive = abs(bad601[k] - want[k]);
                    }
                    if (i == 0 && y == h / 2 && x == w / 2) {
                        memcpy(want0, want, sizeof(want0));
                        memcpy(naive0, bad601, sizeof(naive0));
                        for (int k = 0; k < 3; k++)
                            got0[k] = px[k];
                        y0 = Y; u0 = U; v0 = V;
                    }
                }
            }
            off += fs;
            frames++;
        }
        printf("%-22s YUV (%g,%g,%g) exact RGB (%d,%d,%d) kzv (%d,%d,%d): max error %d over %d frames; "
               "BT.601-limited assumption (%d,%d,%d): off by up to %d\n",
               fc->name, y0, u0, v0, want0[0], want0[1], want0[2], got0[0], got0[1], got0[2], maxerr, frames,
               naive0[0], naive0[1], naive0[2], naive);
        KT_CHECK(frames == dd.n && frames > 0, "%s: compared %d of %d frames", fc->name, frames, dd.n);
        KT_CHECK(maxerr <= MAX_ERR, "%s: kzv is %d levels off the exact conversion (allowed %d)", fc->name, maxerr,
                 MAX_ERR);
        free(yuv);
        cu_decoded_free(&dd);
    }
    return kt_finish();
}
