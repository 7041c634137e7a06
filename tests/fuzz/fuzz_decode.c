/* libFuzzer target: open + probe + decode + exact seek + batch from memory
 * (every demuxer; the per-container targets fuzz_<container>.c are faster).
 * Whatever the bytes, kzv must return an error or frames: never crash, hang,
 * leak or read out of bounds. Built by tests/fuzz/build.sh with clang. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.threads = 1;                     /* deterministic */
    s.max_pixels = 1024 * 1024;        /* keep each run small and fast */
    s.format = size & 1 ? KZV_PIXFMT_RGB24 : KZV_PIXFMT_YUV420P;
    kzv_decoder *d = NULL;
    if (kzv_decoder_open_memory(&d, data, size, "fuzz", &s) != KZV_OK)
        return 0;

    const kzv_video_info *info = kzv_decoder_info(d);
    (void)info->width;
    kzv_frame *f = NULL;
    int n = 0;
    while (n < 64 && kzv_decoder_next(d, &f) == KZV_OK) {
        /* touch the first and last pixel rows: ASan checks the bounds */
        volatile uint8_t a = f->data[0][0];
        volatile uint8_t b = f->data[0][(size_t)(f->height - 1) * f->stride[0] + (size_t)f->width - 1];
        (void)a; (void)b;
        kzv_frame_unref(&f);
        n++;
    }
    const kzv_index_entry *e;
    int64_t cnt = 0;
    if (kzv_decoder_get_index(d, &e, &cnt) == KZV_OK && cnt > 0) {
        if (kzv_decoder_seek_frame(d, cnt / 2) == KZV_OK && kzv_decoder_next(d, &f) == KZV_OK)
            kzv_frame_unref(&f);
        if (kzv_decoder_seek(d, e[cnt - 1].pts, KZV_SEEK_EXACT) == KZV_OK && kzv_decoder_next(d, &f) == KZV_OK)
            kzv_frame_unref(&f);
        int64_t want[3] = { cnt - 1, 0, cnt / 3 };
        kzv_frame *got[3];
        if (kzv_decoder_get_frames(d, want, 3, got) == KZV_OK)
            for (int i = 0; i < 3; i++)
                kzv_frame_unref(&got[i]);
    }
    kzv_decoder_close(&d);
    return 0;
}
