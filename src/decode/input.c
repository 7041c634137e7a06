/* Inputs for the demuxer: interruptible local files, memory buffers, URLs. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "decode/input.h"

#define IO_BUFFER_SIZE (256 * 1024)

/* What a custom AVIOContext's opaque points to; freed with it. */
typedef struct io_state {
    AVIOInterruptCB cb;
    /* local file */
    int fd;
    bool is_pipe;       /* FIFO or character device: not seekable */
    bool got_data;
    /* memory */
    const uint8_t *mem;
    size_t size, pos;
} io_state;

/* Inputs read through kzv's own I/O (local files, memory) must not make a
 * demuxer open other resources: a hostile playlist (HLS, concat, a MOV
 * data reference) could otherwise read arbitrary local files or reach the
 * network. URLs passed explicitly keep FFmpeg's usual behaviour. */
static int refuse_nested_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                              AVDictionary **options)
{
    (void)pb; (void)flags; (void)options;
    av_log(s, AV_LOG_WARNING, "refusing to open '%s' referenced from the input "
           "(pass a URL instead of a file name to allow nested resources)\n", url);
    return AVERROR(EPERM);
}

static bool interrupted(const io_state *s)
{
    return s->cb.callback && s->cb.callback(s->cb.opaque);
}

/* read(2) without ever blocking for good: a file opened O_NONBLOCK answers
 * EAGAIN when a pipe has nothing, and we wait in short polls, asking the
 * interrupt callback between them. */
static int file_read(void *opaque, uint8_t *buf, int size)
{
    io_state *s = opaque;
    for (;;) {
        ssize_t n = read(s->fd, buf, (size_t)size);
        if (n > 0) {
            s->got_data = true;
            return (int)n;
        }
        if (n == 0 && !(s->is_pipe && !s->got_data))
            return AVERROR_EOF;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return AVERROR(errno);
        /* Nothing yet (or a FIFO whose writer has not shown up). */
        if (interrupted(s))
            return AVERROR_EXIT;
        struct pollfd p = { .fd = s->fd, .events = POLLIN };
        int r = poll(&p, 1, 50);
        if (n == 0 || (r > 0 && !(p.revents & POLLIN)))
            usleep(20 * 1000);   /* no writer yet: POLLHUP at once, don't spin */
    }
}

static int64_t file_seek(void *opaque, int64_t offset, int whence)
{
    io_state *s = opaque;
    if (s->is_pipe)
        return AVERROR(ESPIPE);
    if (whence == AVSEEK_SIZE) {
        struct stat sb;
        return fstat(s->fd, &sb) == 0 ? (int64_t)sb.st_size : AVERROR(errno);
    }
    off_t r = lseek(s->fd, (off_t)offset, whence & ~AVSEEK_FORCE);
    return r < 0 ? AVERROR(errno) : (int64_t)r;
}

static int mem_read(void *opaque, uint8_t *buf, int size)
{
    io_state *s = opaque;
    if (s->pos >= s->size)
        return AVERROR_EOF;
    size_t n = s->size - s->pos < (size_t)size ? s->size - s->pos : (size_t)size;
    memcpy(buf, s->mem + s->pos, n);
    s->pos += n;
    return (int)n;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence)
{
    io_state *s = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return (int64_t)s->size;
    case SEEK_SET:    base = 0; break;
    case SEEK_CUR:    base = (int64_t)s->pos; break;
    case SEEK_END:    base = (int64_t)s->size; break;
    default:          return AVERROR(EINVAL);
    }
    if (offset > INT64_MAX - base || base + offset < 0 || (uint64_t)(base + offset) > s->size)
        return AVERROR(EINVAL);
    s->pos = (size_t)(base + offset);
    return (int64_t)s->pos;
}

bool kzv_input_is_local(const char *path)
{
    return !strstr(path, "://") && strncmp(path, "pipe:", 5) != 0 && strncmp(path, "file:", 5) != 0;
}

static void free_custom_io(AVIOContext **pb)
{
    if (!*pb)
        return;
    io_state *s = (*pb)->opaque;
    if (s && s->fd >= 0)
        close(s->fd);
    free(s);
    av_freep(&(*pb)->buffer);
    avio_context_free(pb);
}

int kzv_input_open(AVFormatContext **out, const kzv_source *src, const AVIOInterruptCB *cb)
{
    *out = NULL;
    AVFormatContext *fmt = avformat_alloc_context();
    if (!fmt)
        return AVERROR(ENOMEM);
    fmt->interrupt_callback = *cb;

    bool custom = src->mem || kzv_input_is_local(src->path);
    if (custom) {
        io_state *s = calloc(1, sizeof(*s));
        uint8_t *buf = av_malloc(IO_BUFFER_SIZE);
        if (!s || !buf) {
            free(s);
            av_free(buf);
            avformat_free_context(fmt);
            return AVERROR(ENOMEM);
        }
        s->cb = *cb;
        s->fd = -1;
        if (src->mem) {
            s->mem = src->mem;
            s->size = src->mem_size;
        } else {
            s->fd = open(src->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
            struct stat sb;
            if (s->fd < 0 || fstat(s->fd, &sb) != 0) {
                int e = AVERROR(errno);
                if (s->fd >= 0)
                    close(s->fd);
                free(s);
                av_free(buf);
                avformat_free_context(fmt);
                return e;
            }
            s->is_pipe = !S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode);
        }
        fmt->pb = avio_alloc_context(buf, IO_BUFFER_SIZE, 0, s, src->mem ? mem_read : file_read,
                                     NULL, src->mem ? mem_seek : file_seek);
        if (!fmt->pb) {
            if (s->fd >= 0)
                close(s->fd);
            free(s);
            av_free(buf);
            avformat_free_context(fmt);
            return AVERROR(ENOMEM);
        }
        fmt->pb->seekable = s->is_pipe ? 0 : AVIO_SEEKABLE_NORMAL;
        fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
        fmt->io_open = refuse_nested_open;
    }
    AVIOContext *pb = custom ? fmt->pb : NULL;
    int ret = avformat_open_input(&fmt, src->path, src->format, NULL);
    if (ret < 0) {
        /* avformat_open_input freed the context, but never custom I/O. */
        free_custom_io(&pb);
        return ret;
    }
    *out = fmt;
    return 0;
}

void kzv_input_close(AVFormatContext **fmt)
{
    if (!fmt || !*fmt)
        return;
    AVIOContext *pb = ((*fmt)->flags & AVFMT_FLAG_CUSTOM_IO) ? (*fmt)->pb : NULL;
    avformat_close_input(fmt);
    free_custom_io(&pb);
}
