/*
 * Basic decoding: open a video, print what it is, walk every frame.
 * The C form of the seed's "Basic Video Decoding" example.
 *
 *   decode_basic [FILE]      (default: $KZV_FIXTURES/h264.mp4)
 *
 * Exits 0 when the file decoded to the end with frame indices 0, 1, 2 … and
 * non-decreasing timestamps (the seed's validation loop), 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kzv/kzv.h>

static const char *input_path(int argc, char **argv, char *buf, size_t size)
{
    if (argc > 1)
        return argv[1];
    const char *dir = getenv("KZV_FIXTURES");
    if (!dir)
        return NULL;
    snprintf(buf, size, "%s/h264.mp4", dir);
    return buf;
}

int main(int argc, char **argv)
{
    char buf[4096];
    const char *path = input_path(argc, argv, buf, sizeof(buf));
    if (!path) {
        fprintf(stderr, "usage: %s FILE (or set KZV_FIXTURES)\n", argv[0]);
        return 2;
    }

    kzv_decoder *dec = NULL;
    int err = kzv_decoder_open(&dec, path, NULL); /* NULL: default settings (RGB24) */
    if (err < 0) {
        fprintf(stderr, "cannot open %s: %s\n", path, kzv_decoder_last_error(NULL));
        return 1;
    }
    const kzv_video_info *info = kzv_decoder_info(dec);
    printf("Resolution: %dx%d\n", info->width, info->height);
    printf("FPS: %.3f\n", info->fps);
    printf("Codec: %s\n", info->codec);

    kzv_frame *frame = NULL;
    int64_t count = 0, prev_index = -1;
    double prev_pts = -1e300;
    int bad = 0;
    while ((err = kzv_decoder_next(dec, &frame)) == KZV_OK) {
        printf("Frame %lld: %dx%d, PTS=%.3fs\n", (long long)frame->frame_index,
               frame->width, frame->height, frame->pts);
        /* frame->data[0] holds height rows of stride[0] bytes, RGB24. */
        if (frame->frame_index != prev_index + 1 || frame->pts < prev_pts ||
            frame->format != KZV_PIXFMT_RGB24)
            bad++;
        prev_index = frame->frame_index;
        prev_pts = frame->pts;
        count++;
        kzv_frame_unref(&frame); /* every frame we get is ours to release */
    }
    if (err != KZV_EOF) {
        fprintf(stderr, "decoding stopped: %s\n", kzv_decoder_last_error(dec));
        bad++;
    }
    printf("%lld frames\n", (long long)count);
    kzv_decoder_close(&dec);
    return bad || count == 0 ? 1 : 0;
}
