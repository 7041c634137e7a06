/*
 * The public structs' sizes, frozen (see "Room to grow" in
 * include/kzv/common.h). A field added to one of them must take its bytes
 * from the struct's `reserved` array; if it does not, the struct's size
 * changes and one of these assertions stops the build. The numbers are those
 * of the LP64 ABIs kzv is built for (x86-64, AArch64 …); elsewhere only the
 * `reserved`-comes-last checks apply. Changing a number here is an ABI break:
 * it needs a new major version.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/decoder.h"
#include "kzv/encoder.h"
#include "kzv/transcode.h"
#include "kzv/gl.h"
#include "kzv/join.h"
#include "kzv/processor.h"
#include "kzv/queue.h"
#include "kzv/uploader.h"
#include "core/abi.h"

/* Nothing but tail padding (less than the struct's alignment) after `reserved`. */
#define RESERVED_LAST(type) \
    _Static_assert(offsetof(type, reserved) + sizeof(((type *)0)->reserved) + _Alignof(type) > sizeof(type), \
                   #type ": `reserved` must be its last member")

#if UINTPTR_MAX == UINT64_MAX && INT_MAX == 2147483647 /* LP64 */
#define FROZEN(type, size) RESERVED_LAST(type); \
    _Static_assert(sizeof(type) == (size), #type ": its size changed; a new field must take " \
                   "its bytes from `reserved` (include/kzv/common.h, \"Room to grow\")")
#else
#define FROZEN(type, size) RESERVED_LAST(type)
#endif

/* Caller-allocated: settings the library reads. */
FROZEN(kzv_decoder_settings, 120);
FROZEN(kzv_queue_settings, 72);
FROZEN(kzv_processor_settings, 280);
FROZEN(kzv_gl_settings, 80);
FROZEN(kzv_encoder_settings, 184);
FROZEN(kzv_segment_settings, 48);
FROZEN(kzv_join_settings, 88);
FROZEN(kzv_transcode_settings, 368);
/* Caller-allocated: counters the library fills. */
FROZEN(kzv_decoder_stats, 144);
FROZEN(kzv_queue_stats, 104);
FROZEN(kzv_processor_stats, 120);
FROZEN(kzv_gl_stats, 136);
FROZEN(kzv_encoder_stats, 104);
FROZEN(kzv_transcode_progress, 104);
/* Data that callers may build or embed. */
FROZEN(kzv_color, 32);
FROZEN(kzv_frame, 176);

/* Frozen without reserved bytes: array elements (callers compile their
 * stride in) and a pair of ints. */
#if UINTPTR_MAX == UINT64_MAX && INT_MAX == 2147483647
_Static_assert(sizeof(kzv_index_entry) == 40, "kzv_index_entry is frozen");
_Static_assert(sizeof(kzv_segment) == 56, "kzv_segment is frozen");
#endif
_Static_assert(sizeof(kzv_rational) == 2 * sizeof(int), "kzv_rational is frozen");

bool kzv_reserved_is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}
