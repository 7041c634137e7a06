#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gl_test_util.h"
#include "ktest.h"

static int bytes_pp(kzv_pixfmt fmt)
{
    return fmt == KZV_PIXFMT_RGB24 ? 3 : fmt == KZV_PIXFMT_RGBA ? 4 : 1;
}

static void plane_dims(const kzv_frame *f, int p, int *w, int *h)
{
    *w = f->width;
    *h = f->height;
    if (p > 0 && (f->format == KZV_PIXFMT_YUV420P || f->format == KZV_PIXFMT_YUV422P))
        *w = (f->width + 1) / 2;
    if (p > 0 && f->format == KZV_PIXFMT_YUV420P)
        *h = (f->height + 1) / 2;
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
        int pw, ph;
        plane_dims(f, p, &pw, &ph);
        int s = stride && stride[p] ? stride[p] : pw * bytes_pp(fmt);
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
    for (int p = 0; p < kzv_pixfmt_planes(f->format); p++) {
        int pw, ph;
        plane_dims(f, p, &pw, &ph);
        for (size_t i = 0; i < (size_t)f->stride[p] * (size_t)ph; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            f->data[p][i] = (uint8_t)(x >> 24);
        }
    }
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

void gt_yuv_to_rgb(int matrix, int range, double y, double u, double v, double rgb[3])
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
    double Y, Cb, Cr;
    if (range == KZV_RANGE_FULL) {
        Y = y / 255.0;
        Cb = (u - 128.0) / 255.0;
        Cr = (v - 128.0) / 255.0;
    } else {
        Y = (y - 16.0) / 219.0;
        Cb = (u - 128.0) / 224.0;
        Cr = (v - 128.0) / 224.0;
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

/* Chroma at luma position (x, y) with kzv's siting, in double. */
static double chroma_at(const kzv_frame *f, int plane, int x, int y)
{
    int cw, ch;
    plane_dims(f, plane, &cw, &ch);
    const uint8_t *d = f->data[plane];
    int s = f->stride[plane];
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
            acc += wx * wy * d[(size_t)yy * (size_t)s + (size_t)xx];
        }
    }
    return acc;
}

double *gt_yuv_reference(const kzv_frame *f)
{
    double *ref = kt_malloc(sizeof(double) * 3 * (size_t)f->width * (size_t)f->height);
    for (int y = 0; y < f->height; y++) {
        for (int x = 0; x < f->width; x++) {
            double Y = f->data[0][(size_t)y * (size_t)f->stride[0] + (size_t)x];
            double U = chroma_at(f, 1, x, y), V = chroma_at(f, 2, x, y);
            gt_yuv_to_rgb(f->color.matrix, f->color.range, Y, U, V,
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
