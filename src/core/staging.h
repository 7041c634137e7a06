/* Where an output's bytes go while it is written (the encoder, kzv_join, the
 * image writers, the saved index). Internal to the library.
 *
 * A regular file, or a name that does not exist yet, is written as
 * "PATH.PID.partial" and renamed over PATH once complete, so a failure never
 * leaves a file that looks finished. Anything else that already exists under
 * that name (/dev/null, a FIFO, a terminal, a socket) is written directly: it
 * has no finished-looking state to fake, and renaming over it would replace
 * the device node (as root, /dev/null became a regular file holding a PNG). */
#ifndef KZV_CORE_STAGING_H
#define KZV_CORE_STAGING_H

#include <stdbool.h>

/* The name to write to (malloc'd, the caller frees it), or NULL when out of
 * memory. */
char *kzv_staging_name(const char *path);

/* True when `staged` is PATH itself (written directly). */
bool kzv_staging_direct(const char *staged, const char *path);

/* Give the finished output its name: rename a temporary one over `path`.
 * @return 0, or -1 with errno set. */
int kzv_staging_commit(const char *staged, const char *path);

/* Remove a temporary output after a failure (a direct one is left alone). */
void kzv_staging_discard(const char *staged, const char *path);

#endif
