/* The library's side of the "Room to grow" rule (include/kzv/common.h):
 * settings structs whose `reserved` bytes are not zero are refused. The size
 * checks that keep every public struct's size fixed are in core/abi.c. */
#ifndef KZV_SRC_CORE_ABI_H
#define KZV_SRC_CORE_ABI_H

#include <stdbool.h>
#include <stddef.h>

/* True when all `n` bytes at `p` are zero. */
bool kzv_reserved_is_zero(const void *p, size_t n);

/* The struct `*s` (a kzv_*_settings) has an all-zero `reserved`. */
#define KZV_RESERVED_OK(s) kzv_reserved_is_zero((s)->reserved, sizeof((s)->reserved))

/* What a refusal says (one wording everywhere), for a struct named `what`. */
#define KZV_RESERVED_WHY(what) what ".reserved is not zero: start from the default settings " \
    "(or zero the struct); a program built against a newer kzv may have set a field this " \
    "library does not have"

#endif
