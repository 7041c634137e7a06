/* kzv_staging_*: the temporary name outputs are written under (staging.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/staging.h"

char *kzv_staging_name(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
        return strdup(path);    /* a device, FIFO or socket: written directly */
    size_t len = strlen(path) + 40;
    char *tmp = malloc(len);
    if (tmp)
        snprintf(tmp, len, "%s.%ld.partial", path, (long)getpid());
    return tmp;
}

bool kzv_staging_direct(const char *staged, const char *path)
{
    return staged && path && !strcmp(staged, path);
}

int kzv_staging_commit(const char *staged, const char *path)
{
    return kzv_staging_direct(staged, path) ? 0 : rename(staged, path);
}

void kzv_staging_discard(const char *staged, const char *path)
{
    if (staged && !kzv_staging_direct(staged, path))
        unlink(staged);
}
