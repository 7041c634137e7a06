/* kzv_decoder_settings.container: the demuxer named instead of probing. The
 * right one opens the file, a wrong one fails like a damaged file, an
 * unknown name is refused with KZV_EINVAL, and the index scan (a second
 * open) uses it too. From a file and from memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kzv/kzv.h>

#include "ktest.h"

static int open_as(const char *fixture, const char *container, kzv_decoder **d)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.container = container;
    s.count_frames = true;
    return kzv_decoder_open(d, kt_fixture(fixture), &s);
}

static void right(const char *fixture, const char *container, const char *want_name)
{
    kzv_decoder *d = NULL;
    char name[32];
    snprintf(name, sizeof(name), "%s", container);   /* the string need not outlive open */
    int r = open_as(fixture, name, &d);
    memset(name, 0, sizeof(name));
    KT_CHECK(r == KZV_OK, "%s as %s: %d %s", fixture, container, r, kzv_decoder_last_error(NULL));
    if (r != KZV_OK)
        return;
    const kzv_video_info *info = kzv_decoder_info(d);
    KT_CHECK(info->container && strstr(info->container, want_name), "%s: container '%s'", fixture,
             info->container ? info->container : "(null)");
    KT_CHECK(info->total_frames > 0, "%s as %s: %lld frames counted", fixture, container,
             (long long)info->total_frames);
    kzv_frame *f = NULL;
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, info->total_frames - 1), KZV_OK);
    KT_CHECK_EQ_INT(kzv_decoder_next(d, &f), KZV_OK);
    kzv_frame_unref(&f);
    kzv_decoder_close(&d);
}

int main(void)
{
    right("h264.mp4", "mov", "mov");
    right("h264.mp4", "mp4", "mov");       /* any of the names FFmpeg lists */
    right("vp9.webm", "matroska", "matroska");
    right("mpeg4.avi", "avi", "avi");
    right("reschange.ts", "mpegts", "mpegts");

    kzv_decoder *d = NULL;
    int r = open_as("h264.mp4", "matroska", &d);
    KT_CHECK(r == KZV_EINVALIDDATA && d == NULL, "mp4 as matroska: %d", r);
    r = open_as("h264.mp4", "nonesuch", &d);
    KT_CHECK(r == KZV_EINVAL && d == NULL && strstr(kzv_decoder_last_error(NULL), "nonesuch"),
             "unknown container: %d %s", r, kzv_decoder_last_error(NULL));

    /* From memory: the name hint says nothing, the setting decides. */
    FILE *fp = fopen(kt_fixture("mpeg4.avi"), "rb");
    KT_REQUIRE(fp, "open mpeg4.avi");
    static uint8_t buf[1 << 22];
    size_t n = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.container = "avi";
    KT_CHECK_EQ_INT(kzv_decoder_open_memory(&d, buf, n, "noext", &s), KZV_OK);
    kzv_decoder_close(&d);
    s.container = "flv";
    r = kzv_decoder_open_memory(&d, buf, n, "noext.avi", &s);
    KT_CHECK(r < 0 && r != KZV_EINVAL && d == NULL, "avi bytes as flv: %d", r);   /* no streams: ENOVIDEO */
    return kt_finish();
}
