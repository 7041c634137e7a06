/* The encoder's output file on an AVIOContext of our own (write and seek
 * on a plain file descriptor) rather than avio_open(). FFmpeg 5.1's
 * avio_open() closes its URLContext twice when the copy of the protocol
 * whitelist fails to allocate (ffio_fdopen() frees it with avio_closep(),
 * then ffio_open_whitelist() calls ffurl_close() on it again: a jump through
 * freed memory), and leaks on other allocation failures; both found by the
 * allocation-failure tests (tests/faults, "encode"). The output is a plain
 * file (the temporary name) or a device or FIFO written directly (staging.h),
 * so FFmpeg's protocol layer brings nothing. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/mem.h>

#include "encode/encoder_internal.h"

#define OUT_BUFFER (64 * 1024)

/* FFmpeg 6.1 made the buffer const (FF_API_AVIO_WRITE_NONCONST 0 from 7.0). */
#if defined(FF_API_AVIO_WRITE_NONCONST) && !FF_API_AVIO_WRITE_NONCONST
typedef const uint8_t io_buf;
#else
typedef uint8_t io_buf;
#endif

static int out_write(void *opaque, io_buf *buf, int n)
{
    int fd = (int)(intptr_t)opaque;
    int left = n;
    while (left > 0) {
        ssize_t w = write(fd, buf, (size_t)left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return AVERROR(errno);   /* ENOSPC … : pb->error, then KZV_EIO */
        }
        buf += w;
        left -= (int)w;
    }
    return n;
}

static int64_t out_seek(void *opaque, int64_t offset, int whence)
{
    int fd = (int)(intptr_t)opaque;
    if (whence == AVSEEK_SIZE) {
        struct stat sb;
        return fstat(fd, &sb) == 0 ? (int64_t)sb.st_size : AVERROR(errno);
    }
    off_t r = lseek(fd, (off_t)offset, whence & ~AVSEEK_FORCE);
    return r < 0 ? AVERROR(errno) : (int64_t)r;
}

int kzv_enc_file_open(AVIOContext **pb, const char *path)
{
    *pb = NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return AVERROR(errno);
    struct stat sb;
    bool regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    uint8_t *buf = av_malloc(OUT_BUFFER);
    AVIOContext *c = buf ? avio_alloc_context(buf, OUT_BUFFER, 1, (void *)(intptr_t)fd, NULL, out_write, out_seek)
                         : NULL;
    if (!c) {
        av_free(buf);
        close(fd);
        if (regular)
            unlink(path);       /* never a device: /dev/null is written directly (staging.h) */
        return AVERROR(ENOMEM);
    }
    if (!regular)
        c->seekable = 0;        /* a FIFO or device: muxers write as to a pipe, as FFmpeg's file protocol does */
    *pb = c;
    return 0;
}

int kzv_enc_file_close(AVIOContext **pb)
{
    AVIOContext *c = *pb;
    if (!c)
        return 0;
    avio_flush(c);
    int err = c->error;
    int fd = (int)(intptr_t)c->opaque;
    av_freep(&c->buffer);
    avio_context_free(pb);
    if (close(fd) != 0 && err >= 0)
        err = AVERROR(errno);
    return err < 0 ? err : 0;
}
