/* Public API basics that need no media: status text, version, pixel formats,
 * frame allocation and refcounting, NULL-safety of destructors. */
#include <string.h>

#include <kzv/kzv.h>

#include "ktest.h"

int main(void)
{
    /* Every status code has its own text. */
    for (int c = KZV_EGPU; c <= KZV_OK; c++) {
        KT_CHECK(strcmp(kzv_strerror(c), "unknown error") != 0, "code %d has no text", c);
        for (int o = KZV_EGPU; o < c; o++)
            KT_CHECK(strcmp(kzv_strerror(c), kzv_strerror(o)) != 0, "codes %d and %d share a text", c, o);
    }
    KT_CHECK(!strcmp(kzv_strerror(12345), "unknown error"), "unknown code");

    KT_CHECK(!strcmp(kzv_version(), "0.1.0") || kzv_version_int() > 0, "version");
    KT_CHECK_EQ_INT(kzv_version_int(), (KZV_VERSION_MAJOR << 16) | (KZV_VERSION_MINOR << 8) | KZV_VERSION_PATCH);

    for (int f = KZV_PIXFMT_RGB24; f <= KZV_PIXFMT_YUV444P; f++)
        KT_CHECK_EQ_INT(kzv_pixfmt_from_name(kzv_pixfmt_name((kzv_pixfmt)f)), f);
    KT_CHECK_EQ_INT(kzv_pixfmt_from_name("nope"), KZV_PIXFMT_NONE);
    KT_CHECK(!strcmp(kzv_color_matrix_name(KZV_MATRIX_BT709), "bt709"), "matrix name");

    /* Frames: layout, zeroed pixels, refcount, unref sets NULL. */
    kzv_frame *f = NULL;
    KT_CHECK_EQ_INT(kzv_frame_alloc(&f, 641, 361, KZV_PIXFMT_RGB24), KZV_OK);
    KT_REQUIRE(f, "alloc");
    KT_CHECK_EQ_INT(f->stride[0], 641 * 3);
    KT_CHECK(f->data[0][0] == 0 && f->data[0][641 * 3 * 361 - 1] == 0, "zeroed");
    f->data[0][641 * 3 * 361 - 1] = 7;   /* the whole picture is writable */
    kzv_frame *g = kzv_frame_ref(f);
    KT_CHECK(g == f, "ref returns its argument");
    kzv_frame_unref(&f);
    KT_CHECK(f == NULL, "unref sets NULL");
    KT_CHECK(g->data[0][641 * 3 * 361 - 1] == 7, "frame alive while referenced");
    kzv_frame_unref(&g);
    kzv_frame_unref(&g);   /* NULL: no-op */
    kzv_frame_unref(NULL);

    KT_CHECK_EQ_INT(kzv_frame_alloc(&f, 64, 48, KZV_PIXFMT_YUV420P), KZV_OK);
    KT_REQUIRE(f, "alloc yuv");
    KT_CHECK(f->stride[0] >= 64 && f->stride[1] >= 32 && f->data[2] > f->data[1], "planar layout");
    kzv_frame_unref(&f);

    KT_CHECK_EQ_INT(kzv_frame_alloc(&f, 0, 10, KZV_PIXFMT_RGB24), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_frame_alloc(&f, 10, 10, KZV_PIXFMT_NONE), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_frame_alloc(&f, 1 << 20, 1 << 20, KZV_PIXFMT_RGB24), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_frame_alloc(NULL, 10, 10, KZV_PIXFMT_RGB24), KZV_EINVAL);
    KT_CHECK(f == NULL, "failed alloc leaves NULL");

    /* Destructors accept NULL and pointers to NULL. */
    kzv_decoder *d = NULL;
    kzv_decoder_close(&d);
    kzv_decoder_close(NULL);
    KT_CHECK(kzv_decoder_info(NULL) == NULL, "info(NULL)");
    KT_CHECK_EQ_INT(kzv_decoder_next(NULL, &f), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_decoder_open(&d, NULL, NULL), KZV_EINVAL);
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    KT_CHECK_EQ_INT(s.format, KZV_PIXFMT_RGB24);
    KT_CHECK_EQ_INT(s.stream_index, -1);
    s.format = (kzv_pixfmt)99;
    KT_CHECK_EQ_INT(kzv_decoder_open(&d, "/nonexistent.mp4", &s), KZV_EINVAL);
    return kt_finish();
}
