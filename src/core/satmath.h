/* Saturating 64-bit arithmetic for timestamps that come from files: hostile
 * input may put INT64_MIN/MAX anywhere, and signed overflow is undefined. */
#ifndef KZV_SRC_CORE_SATMATH_H
#define KZV_SRC_CORE_SATMATH_H

#include <stdint.h>

static inline int64_t kzv_sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static inline int64_t kzv_sat_sub(int64_t a, int64_t b)
{
    if (b == INT64_MIN)
        return a >= 0 ? INT64_MAX : a + INT64_MAX + 1;
    return kzv_sat_add(a, -b);
}

#endif
