/*
 * kzv — version information.
 * Thread-safety: all functions may be called from any thread.
 */
#ifndef KZV_VERSION_H
#define KZV_VERSION_H

#include "kzv/common.h"

#define KZV_VERSION_MAJOR 0
#define KZV_VERSION_MINOR 1
#define KZV_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

/** "MAJOR.MINOR.PATCH" of the library actually linked (static string). */
KZV_API const char *kzv_version(void);

/** The linked library's version as (MAJOR << 16) | (MINOR << 8) | PATCH. */
KZV_API unsigned kzv_version_int(void);

#ifdef __cplusplus
}
#endif
#endif /* KZV_VERSION_H */
