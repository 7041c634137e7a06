/* Status-code text and version. */
#include "kzv/common.h"
#include "kzv/version.h"

const char *kzv_strerror(int code)
{
    switch (code) {
    case KZV_OK:           return "success";
    case KZV_EOF:          return "end of stream";
    case KZV_EAGAIN:       return "resource temporarily unavailable, try again";
    case KZV_ETIMEDOUT:    return "timed out";
    case KZV_ENOENT:       return "file not found";
    case KZV_ENOVIDEO:     return "no video stream";
    case KZV_EUNSUPPORTED: return "unsupported codec or format";
    case KZV_EINVALIDDATA: return "invalid data (corrupt or not a media file)";
    case KZV_EIO:          return "input/output error";
    case KZV_ENOMEM:       return "out of memory";
    case KZV_EINVAL:       return "invalid argument";
    case KZV_ECLOSED:      return "queue closed";
    case KZV_ECANCELED:    return "canceled";
    case KZV_EGPU:         return "GPU error";
    default:               return "unknown error";
    }
}

#define KZV_STR2(x) #x
#define KZV_STR(x) KZV_STR2(x)

const char *kzv_version(void)
{
    return KZV_STR(KZV_VERSION_MAJOR) "." KZV_STR(KZV_VERSION_MINOR) "." KZV_STR(KZV_VERSION_PATCH);
}

unsigned kzv_version_int(void)
{
    return (KZV_VERSION_MAJOR << 16) | (KZV_VERSION_MINOR << 8) | KZV_VERSION_PATCH;
}
