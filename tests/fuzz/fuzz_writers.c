/* libFuzzer target: the frame writers on fuzzed frames: YUV4MPEG2 (header +
 * frame) and raw (tools/y4m.c, cli_write_frame_raw in tools/util.c), PNG
 * (kzv_frame_write_png, src/encode/png.c). Any size up to 256 x 256, any
 * format number (valid or not), any pixels, odd rates and aspect ratios:
 * an error or a file, never a crash or an out-of-bounds read.
 *
 * Input: width-1 (byte 0), height-1 (byte 1), format (byte 2, signed),
 * rate and aspect (bytes 3-6), range and field order (byte 7), then the pixels (repeated to
 * fill the frame). Output goes to /dev/null. Seeds: tests/fuzz/corpus/writers. */
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "kzv.h"   /* tools/: the CLI's writers */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    fuzz_init();
    int w = data[0] + 1, h = data[1] + 1;
    kzv_pixfmt fmt = (kzv_pixfmt)(int8_t)data[2];
    kzv_rational rate = { (int8_t)data[3], data[4] }, sar = { (int8_t)data[5], data[6] };
    int range = data[7] % 3;
    const uint8_t *px = data + 8;
    size_t npx = size - 8;

    kzv_frame *f = NULL;
    if (kzv_frame_alloc(&f, w, h, fmt) != KZV_OK)
        return 0;
    for (int p = 0; p < 4 && f->data[p]; p++) {
        int ph = 0;
        size_t row = 0;
        if (kzv_pixfmt_plane_size(f->format, f->width, f->height, p, NULL, &ph, &row) < 0)
            break;
        for (int y = 0; y < ph && npx; y++)
            for (size_t x = 0; x < row; x++)
                f->data[p][(size_t)y * (size_t)f->stride[p] + x] = px[((size_t)y * row + x) % npx];
    }
    FILE *null = fopen("/dev/null", "wb");
    if (null) {
        /* The header takes the stream's rate and aspect from the info, the
         * layout, colour and field order from the first frame. */
        kzv_video_info info = { .width = w, .height = h, .format = fmt, .frame_rate = rate,
                                .sample_aspect_ratio = sar };
        info.color.range = range;
        f->color.range = range;
        f->interlaced = data[7] & 4;
        f->top_field_first = data[7] & 8;
        if (cli_y4m_write_header(null, f, &info))
            (void)cli_y4m_write_frame(null, f);
        (void)cli_write_frame_raw(null, f);
        fclose(null);
    }
    (void)kzv_frame_write_png(f, "/dev/null");
    kzv_frame_unref(&f);
    return 0;
}
