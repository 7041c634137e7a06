#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gl_test_util.h"
#include "ktest.h"

/* Plane p's size in texels (chroma positions for plane 1 of NV12/P010, and
 * for p 2 there, whose V shares plane 1) and the bytes of one row. */
static void plane_dims(const kzv_frame *f, int p, int *w, int *h)
{
    kzv_pixfmt_plane_size(f->format, f->width, f->height, p > 0 ? 1 : 0, w, h, NULL);
}

static int row_bytes(const kzv_frame *f, int p)
{
    size_t row = 0;
    kzv_pixfmt_plane_size(f->format, f->width, f->height, p, NULL, NULL, &row);
    return (int)row;
}

kzv_frame *gt_frame_new(int w, int h, kzv_pixfmt fmt, const int stride[3])
{
    kzv_frame *f = kt_malloc(sizeof(*f));
    memset(f, 0, sizeof(*f));
    f->width = w;
    f->height = h;
    f->format = fmt;
    f->pts_ts = INT64_MIN;
    f->color.matrix = KZV_MATRIX_BT709;
    f->color.range = KZV_RANGE_LIMITED;
    f->color.primaries = 2;
    f->color.transfer = 2;
    for (int p = 0; p < kzv_pixfmt_planes(fmt); p++) {
        int ph;
        plane_dims(f, p, NULL, &ph);
        int s = stride && stride[p] ? stride[p] : row_bytes(f, p);
        f->stride[p] = s;
        f->data[p] = kt_malloc((size_t)s * (size_t)ph);
        memset(f->data[p], 0, (size_t)s * (size_t)ph);
    }
    return f;
}

void gt_frame_free(kzv_frame *f)
{
    if (!f)
        return;
    for (int p = 0; p < 4; p++)
        free(f->data[p]);
    free(f);
}

void gt_fill_pattern(kzv_frame *f, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 12345u;
    int depth = kzv_pixfmt_depth(f->format);
    bool wide = kzv_pixfmt_sample_bytes(f->format) == 2 && f->format != KZV_PIXFMT_RGB48;
    for (int p = 0; p < kzv_pixfmt_planes(f->format); p++) {
        int ph;
        plane_dims(f, p, NULL, &ph);
        for (size_t i = 0; i < (size_t)f->stride[p] * (size_t)ph; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            f->data[p][i] = (uint8_t)(x >> 24);
        }
        if (!wide)
            continue;
        /* 16-bit YUV words hold `depth`-bit values: keep them legal (low
         * bits for the planar formats, high bits for P010). */
        for (int y = 0; y < ph; y++) {
            uint16_t *row = (uint16_t *)(void *)(f->data[p] + (size_t)f->stride[p] * (size_t)y);
            int n = row_bytes(f, p) / 2;
            for (int i = 0; i < n; i++)
                row[i] = f->format == KZV_PIXFMT_P010
                             ? (uint16_t)(row[i] & ~((1u << (16 - depth)) - 1u))
                             : (uint16_t)(row[i] & ((1u << depth) - 1u));
        }
    }
}

int gt_sample(const kzv_frame *f, int plane, int comp, int x, int y)
{
    bool semi = kzv_pixfmt_planes(f->format) == 2;
    if (semi && plane == 2) {
        plane = 1;
        comp = 1;
    }
    const uint8_t *row = f->data[plane] + (size_t)f->stride[plane] * (size_t)y;
    size_t i = (size_t)x * (semi && plane == 1 ? 2 : 1) + (size_t)comp;
    if (kzv_pixfmt_sample_bytes(f->format) == 1)
        return row[i];
    uint16_t v;
    memcpy(&v, row + 2 * i, 2);
    return f->format == KZV_PIXFMT_P010 ? v >> (16 - kzv_pixfmt_depth(f->format)) : v;
}

void gt_put(kzv_frame *f, int plane, int x, int y, int value)
{
    int comp = 0;
    if (kzv_pixfmt_planes(f->format) == 2 && plane == 2) {
        plane = 1;
        comp = 1;
    }
    bool semi = kzv_pixfmt_planes(f->format) == 2 && plane == 1;
    uint8_t *row = f->data[plane] + (size_t)f->stride[plane] * (size_t)y;
    size_t i = (size_t)x * (semi ? 2 : 1) + (size_t)comp;
    if (kzv_pixfmt_sample_bytes(f->format) == 1) {
        row[i] = (uint8_t)value;
        return;
    }
    uint16_t v = (uint16_t)(f->format == KZV_PIXFMT_P010
                                ? value << (16 - kzv_pixfmt_depth(f->format)) : value);
    memcpy(row + 2 * i, &v, 2);
}

/*
 * Keep Mesa's DRI driver loaded for the whole test. Every uploader that is
 * the last one on its EGL display terminates the display, and Mesa then
 * dlclose()s the driver; allocations the driver keeps in its own statics
 * (once-per-process tables) become unreachable to LeakSanitizer at exit and
 * are reported as leaks from "<unknown module>" (nothing to suppress by
 * name). Preloaded, the driver is never unloaded and no leak is reported
 * (checked: 0 bytes). Harmless without sanitizers; a missing driver file is
 * simply not pinned.
 */
static void pin_mesa_driver(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    const char *dirs[] = { "/usr/lib/x86_64-linux-gnu/dri", "/usr/lib64/dri", "/usr/lib/dri" };
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/swrast_dri.so", dirs[i]);
        if (dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE))
            return;
    }
}

kzv_uploader *gt_gl_create(int pbo_ring, int pool_size, kzv_gl_path path)
{
    pin_mesa_driver();
    kzv_gl_settings s;
    kzv_gl_default_settings(&s);
    s.pbo_ring = pbo_ring;
    s.pool_size = pool_size;
    s.path = path;
    kzv_uploader *u = NULL;
    int err = kzv_uploader_create_gl(&u, &s);
    if (err != KZV_OK) {
        kt_fail_at(__FILE__, __LINE__, "kzv_uploader_create_gl: %s (Mesa's EGL with llvmpipe "
                   "is expected to work on this machine)", kzv_strerror(err));
        return NULL;
    }
    return u;
}

uint8_t *gt_read_rgba(kzv_uploader *u, kzv_texture t, int w, int h)
{
    uint8_t *buf = kt_malloc((size_t)w * 4 * (size_t)h);
    memset(buf, 0xAB, (size_t)w * 4 * (size_t)h);
    int err = kzv_gl_read_texture(u, t, buf, w * 4);
    if (err != KZV_OK) {
        kt_fail_at(__FILE__, __LINE__, "kzv_gl_read_texture: %s", kzv_strerror(err));
        free(buf);
        return NULL;
    }
    return buf;
}

void gt_yuv_to_rgb_depth(int matrix, int range, int depth, double y, double u, double v,
                        double rgb[3])
{
    double kr, kb;
    switch (matrix) {
    case KZV_MATRIX_BT709: kr = 0.2126; kb = 0.0722; break;
    case KZV_MATRIX_BT2020_NCL:
    case KZV_MATRIX_BT2020_CL: kr = 0.2627; kb = 0.0593; break;
    case KZV_MATRIX_FCC: kr = 0.30; kb = 0.11; break;
    case KZV_MATRIX_SMPTE240M: kr = 0.212; kb = 0.087; break;
    default: kr = 0.299; kb = 0.114; break;
    }
    double kg = 1.0 - kr - kb;
    /* H.273's quantisation at `depth` bits */
    double sc = ldexp(1.0, depth - 8), max = ldexp(1.0, depth) - 1.0;
    double Y, Cb, Cr;
    if (range == KZV_RANGE_FULL) {
        Y = y / max;
        Cb = (u - ldexp(1.0, depth - 1)) / max;
        Cr = (v - ldexp(1.0, depth - 1)) / max;
    } else {
        Y = (y - 16.0 * sc) / (219.0 * sc);
        Cb = (u - 128.0 * sc) / (224.0 * sc);
        Cr = (v - 128.0 * sc) / (224.0 * sc);
    }
    double r = Y + 2.0 * (1.0 - kr) * Cr;
    double b = Y + 2.0 * (1.0 - kb) * Cb;
    double g = (Y - kr * r - kb * b) / kg;
    double out[3] = { r, g, b };
    for (int i = 0; i < 3; i++) {
        double c = out[i] * 255.0;
        rgb[i] = c < 0 ? 0 : c > 255 ? 255 : c;
    }
}

void gt_yuv_to_rgb(int matrix, int range, double y, double u, double v, double rgb[3])
{
    gt_yuv_to_rgb_depth(matrix, range, 8, y, u, v, rgb);
}

/* Chroma at luma position (x, y) with kzv's siting, in double. */
static double chroma_at(const kzv_frame *f, int plane, int x, int y)
{
    int cw, ch;
    plane_dims(f, plane, &cw, &ch);
    bool sx = cw != f->width, sy = ch != f->height;
    /* horizontal position in chroma samples: left siting */
    double fx = sx ? x / 2.0 : x;
    /* vertical: centre siting (chroma row k at luma 2k + 0.5) */
    double fy = sy ? (y - 0.5) / 2.0 : y;
    int x0 = (int)floor(fx), y0 = (int)floor(fy);
    double ax = fx - x0, ay = fy - y0;
    double acc = 0;
    for (int j = 0; j < 2; j++) {
        int yy = y0 + j;
        yy = yy < 0 ? 0 : yy >= ch ? ch - 1 : yy;
        double wy = j ? ay : 1.0 - ay;
        if (wy == 0)
            continue;
        for (int i = 0; i < 2; i++) {
            int xx = x0 + i;
            xx = xx < 0 ? 0 : xx >= cw ? cw - 1 : xx;
            double wx = i ? ax : 1.0 - ax;
            if (wx == 0)
                continue;
            acc += wx * wy * gt_sample(f, plane, 0, xx, yy);
        }
    }
    return acc;
}

double *gt_yuv_reference(const kzv_frame *f)
{
    double *ref = kt_malloc(sizeof(double) * 3 * (size_t)f->width * (size_t)f->height);
    int depth = kzv_pixfmt_depth(f->format);
    for (int y = 0; y < f->height; y++) {
        for (int x = 0; x < f->width; x++) {
            double Y = gt_sample(f, 0, 0, x, y);
            double U = chroma_at(f, 1, x, y), V = chroma_at(f, 2, x, y);
            gt_yuv_to_rgb_depth(f->color.matrix, f->color.range, depth, Y, U, V,
                                &ref[3 * ((size_t)y * (size_t)f->width + (size_t)x)]);
        }
    }
    return ref;
}

double gt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
