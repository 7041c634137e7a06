/* gl uploader: being written (issue 7). */
#include "kzv/uploader.h"
