/*
 * The RGB → YUV kernels of rgb2yuv.c, written once and included twice: with
 * KZV_R2Y_SUF _c (baseline x86-64 / any CPU), _avx2 and _avx512 (under a target
 * pragma, so the compiler vectorises the same loops for AVX2). Integer
 * arithmetic only, so every build gives identical bytes. See rgb2yuv.h.
 */
#define KZV_R2Y_CAT_(a, b) a##b
#define KZV_R2Y_CAT(a, b) KZV_R2Y_CAT_(a, b)
#define FN(name) KZV_R2Y_CAT(name, KZV_R2Y_SUF)

/* One input row: its luma (written, clamped, shifted for P010) and R, G, B
 * added to (add) or stored in (!add) the vertical sums. */
#define KZV_R2Y_ROW(NAME, TIN, STEP, TOUT, TACC, KY, YADD, YS)                                        \
static void FN(NAME)(const kzv_rgb2yuv *restrict c, const uint8_t *restrict s8,     \
                     TOUT *restrict y, int32_t *restrict sr, int32_t *restrict sg,  \
                     int32_t *restrict sb, int w, bool add)                          \
{                                                                                    \
    const TIN *restrict s = (const TIN *)(const void *)s8;                           \
    const TACC k0 = c->KY[0], k1 = c->KY[1], k2 = c->KY[2], ya = c->YADD;           \
    const int ys = c->YS, mx = c->maxcode, osh = c->out_shift;                       \
    if (add) {                                                                       \
        for (int x = 0; x < w; x++) {                                                \
            int32_t r = s[STEP * x], g = s[STEP * x + 1], b = s[STEP * x + 2];       \
            int32_t v = (int32_t)((k0 * r + k1 * g + k2 * b + ya) >> ys);            \
            v = v > mx ? mx : v;                                                     \
            y[x] = (TOUT)(v << osh);                                                 \
            sr[x] += r; sg[x] += g; sb[x] += b;                                      \
        }                                                                            \
    } else {                                                                         \
        for (int x = 0; x < w; x++) {                                                \
            int32_t r = s[STEP * x], g = s[STEP * x + 1], b = s[STEP * x + 2];       \
            int32_t v = (int32_t)((k0 * r + k1 * g + k2 * b + ya) >> ys);            \
            v = v > mx ? mx : v;                                                     \
            y[x] = (TOUT)(v << osh);                                                 \
            sr[x] = r; sg[x] = g; sb[x] = b;                                         \
        }                                                                            \
    }                                                                                \
}

/* 8-bit input: 32-bit sums; 16-bit input: 64-bit sums (see rgb2yuv.h). */
KZV_R2Y_ROW(row_rgb24_8, uint8_t, 3, uint8_t, int32_t, ky, yadd, ys)
KZV_R2Y_ROW(row_rgba_8, uint8_t, 4, uint8_t, int32_t, ky, yadd, ys)
KZV_R2Y_ROW(row_rgb48_8, uint16_t, 3, uint8_t, int64_t, ky64, yadd64, ys64)
KZV_R2Y_ROW(row_rgb24_16, uint8_t, 3, uint16_t, int32_t, ky, yadd, ys)
KZV_R2Y_ROW(row_rgba_16, uint8_t, 4, uint16_t, int32_t, ky, yadd, ys)
KZV_R2Y_ROW(row_rgb48_16, uint16_t, 3, uint16_t, int64_t, ky64, yadd64, ys64)

static inline int32_t FN(cmat)(const int64_t k[3], int64_t add, int32_t r, int32_t g, int32_t b, int mx)
{
    int64_t v = (k[0] * r + k[1] * g + k[2] * b + add) >> 32;
    return (int32_t)(v < 0 ? 0 : v > mx ? mx : v);
}

/* The horizontal filter of the vertical sums and the chroma matrix: U and V
 * of chroma columns [0, cw). */
static void FN(chroma_row)(const kzv_rgb2yuv *restrict c, const int32_t *restrict sr,
                           const int32_t *restrict sg, const int32_t *restrict sb,
                           int32_t *restrict u, int32_t *restrict v, int w)
{
    const int64_t ku[3] = { c->ku[0], c->ku[1], c->ku[2] };
    const int64_t kv[3] = { c->kv[0], c->kv[1], c->kv[2] };
    const int64_t add = c->cadd;
    const int mx = c->maxcode, cw = c->cw;
    if (!c->log2_cw) {
        for (int i = 0; i < cw; i++) {
            u[i] = FN(cmat)(ku, add, sr[i], sg[i], sb[i], mx);
            v[i] = FN(cmat)(kv, add, sr[i], sg[i], sb[i], mx);
        }
        return;
    }
    /* Columns 2i-1, 2i, 2i+1 clamped to [0, w-1]; unclamped for i in [1, hi). */
    int hi = (w - 1) / 2;       /* last i with 2i+1 <= w-1 is (w-2)/2 */
    if (hi > cw)
        hi = cw;
    for (int i = 1; i < hi; i++) {
        int32_t r = sr[2 * i - 1] + 2 * sr[2 * i] + sr[2 * i + 1];
        int32_t g = sg[2 * i - 1] + 2 * sg[2 * i] + sg[2 * i + 1];
        int32_t b = sb[2 * i - 1] + 2 * sb[2 * i] + sb[2 * i + 1];
        u[i] = FN(cmat)(ku, add, r, g, b, mx);
        v[i] = FN(cmat)(kv, add, r, g, b, mx);
    }
    for (int i = 0; i < cw; i++) {
        if (i >= 1 && i < hi)
            continue;
        int xl = 2 * i - 1 < 0 ? 0 : 2 * i - 1;
        int xc = 2 * i;
        int xr = 2 * i + 1 > w - 1 ? w - 1 : 2 * i + 1;
        int32_t r = sr[xl] + 2 * sr[xc] + sr[xr];
        int32_t g = sg[xl] + 2 * sg[xc] + sg[xr];
        int32_t b = sb[xl] + 2 * sb[xc] + sb[xr];
        u[i] = FN(cmat)(ku, add, r, g, b, mx);
        v[i] = FN(cmat)(kv, add, r, g, b, mx);
    }
}

/* Rows of one band; scratch: 3 * w + 2 * cw int32. */
static void FN(band)(const kzv_rgb2yuv *c, const uint8_t *src, ptrdiff_t src_stride,
                     uint8_t *const dst[3], const ptrdiff_t dst_stride[3], int c0, int c1,
                     int32_t *scratch)
{
    const int w = c->p.width, h = c->p.height, cw = c->cw;
    int32_t *sr = scratch, *sg = sr + w, *sb = sg + w, *u = sb + w, *v = u + cw;
    const bool hi = c->depth > 8;
    const int osh = c->out_shift;
    for (int k = c0; k < c1; k++) {
        int r0 = k << c->log2_ch;
        int nrows = c->log2_ch ? 2 : 1;
        for (int j = 0; j < nrows; j++) {
            int yrow = r0 + j;
            if (yrow >= h) {            /* odd height: the last row counts twice */
                for (int x = 0; x < w; x++) {
                    sr[x] *= 2; sg[x] *= 2; sb[x] *= 2;
                }
                break;
            }
            const uint8_t *s = src + yrow * src_stride;
            uint8_t *y = dst[0] + yrow * dst_stride[0];
            bool add = j > 0;
            switch (c->p.in) {
            case KZV_PIXFMT_RGB24:
                if (hi) FN(row_rgb24_16)(c, s, (uint16_t *)(void *)y, sr, sg, sb, w, add);
                else    FN(row_rgb24_8)(c, s, y, sr, sg, sb, w, add);
                break;
            case KZV_PIXFMT_RGBA:
                if (hi) FN(row_rgba_16)(c, s, (uint16_t *)(void *)y, sr, sg, sb, w, add);
                else    FN(row_rgba_8)(c, s, y, sr, sg, sb, w, add);
                break;
            default:
                if (hi) FN(row_rgb48_16)(c, s, (uint16_t *)(void *)y, sr, sg, sb, w, add);
                else    FN(row_rgb48_8)(c, s, y, sr, sg, sb, w, add);
                break;
            }
        }
        FN(chroma_row)(c, sr, sg, sb, u, v, w);
        uint8_t *pu = dst[1] + k * dst_stride[1];
        if (c->semi) {
            if (hi) {
                uint16_t *q = (uint16_t *)(void *)pu;
                for (int i = 0; i < cw; i++) {
                    q[2 * i] = (uint16_t)(u[i] << osh);
                    q[2 * i + 1] = (uint16_t)(v[i] << osh);
                }
            } else {
                for (int i = 0; i < cw; i++) {
                    pu[2 * i] = (uint8_t)u[i];
                    pu[2 * i + 1] = (uint8_t)v[i];
                }
            }
        } else {
            uint8_t *pv = dst[2] + k * dst_stride[2];
            if (hi) {
                uint16_t *qu = (uint16_t *)(void *)pu, *qv = (uint16_t *)(void *)pv;
                for (int i = 0; i < cw; i++) {
                    qu[i] = (uint16_t)u[i];
                    qv[i] = (uint16_t)v[i];
                }
            } else {
                for (int i = 0; i < cw; i++) {
                    pu[i] = (uint8_t)u[i];
                    pv[i] = (uint8_t)v[i];
                }
            }
        }
    }
}

#undef FN
#undef KZV_R2Y_ROW
