/* How a decoder's calls fail: FFmpeg's error codes mapped to KZV codes, the
 * message kept for kzv_decoder_last_error(), and the I/O deadline and
 * interrupt that make a blocked read come back (see decoder_internal.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <libavutil/time.h>

#include "decode/decoder_internal.h"

int kzv_dec_status(int e)
{
    switch (e) {
    case AVERROR(ENOENT):               return KZV_ENOENT;
    case AVERROR(EACCES):
    case AVERROR(EPERM):
    case AVERROR(EIO):
    case AVERROR(EISDIR):               return KZV_EIO;
    case AVERROR(ENOMEM):               return KZV_ENOMEM;
    case AVERROR(EINVAL):               return KZV_EINVAL;
    case AVERROR(ETIMEDOUT):            return KZV_ETIMEDOUT;
    case AVERROR_EXIT:                  return KZV_ECANCELED;
    case AVERROR_STREAM_NOT_FOUND:      return KZV_ENOVIDEO;
    case AVERROR_DECODER_NOT_FOUND:
    case AVERROR_DEMUXER_NOT_FOUND:
    case AVERROR_PROTOCOL_NOT_FOUND:
    case AVERROR_PATCHWELCOME:
    case AVERROR(ENOSYS):               return KZV_EUNSUPPORTED;
    case AVERROR_EOF:                   return KZV_EOF;
    default:                            return KZV_EINVALIDDATA;
    }
}

int kzv_dec_fail(kzv_decoder *d, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof(d->err), fmt, ap);
    va_end(ap);
    /* The caller gets the message with the code; log it only for debugging. */
    kzv_log(&d->log, KZV_LOG_DEBUG, "%s", d->err);
    return code;
}

const char *kzv_dec_averr(int e, char *buf, size_t n)
{
    if (av_strerror(e, buf, n) < 0)
        snprintf(buf, n, "error %d", e);
    return buf;
}

/* ---- I/O deadline and interruption ------------------------------------ */

/* Asked by FFmpeg between reads and while kzv's file reader waits on a pipe. */
int kzv_dec_interrupted(void *opaque)
{
    kzv_decoder *d = opaque;
    if (atomic_load(&d->interrupted))
        return 1;
    int64_t deadline = atomic_load(&d->io_deadline);
    return deadline && av_gettime_relative() > deadline;
}

/* Start the clock for one blocking operation. */
void kzv_dec_arm_io(kzv_decoder *d)
{
    atomic_store(&d->io_deadline, d->s.io_timeout_ns > 0 ? av_gettime_relative() + d->s.io_timeout_ns / 1000 : 0);
}

/* Why an operation came back with AVERROR_EXIT. */
int kzv_dec_io_exit_code(kzv_decoder *d)
{
    return atomic_load(&d->interrupted) ? KZV_ECANCELED : KZV_ETIMEDOUT;
}

int kzv_dec_open_input(kzv_decoder *d, AVFormatContext **fmt)
{
    AVIOInterruptCB cb = { kzv_dec_interrupted, d };
    kzv_dec_arm_io(d);
    return kzv_input_open(fmt, &d->src, &cb);
}

void kzv_decoder_interrupt(kzv_decoder *d)
{
    if (d)
        atomic_store(&d->interrupted, true);
}
