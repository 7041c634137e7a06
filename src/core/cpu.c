#include <stdlib.h>

#include "core/cpu.h"

unsigned kzv_cpu_flags(void)
{
#if KZV_CPU_X86
    /* __builtin_cpu_init() is idempotent and cheap; callers ask once per
     * converter, not per frame. */
    __builtin_cpu_init();
    unsigned f = 0;
    if (__builtin_cpu_supports("avx2"))
        f |= KZV_CPU_AVX2;
    if (!getenv("KZV_NO_AVX512")) {
        if (__builtin_cpu_supports("avx512f"))
            f |= KZV_CPU_AVX512F;
        if (__builtin_cpu_supports("avx512bw"))
            f |= KZV_CPU_AVX512BW;
        if (__builtin_cpu_supports("avx512dq"))
            f |= KZV_CPU_AVX512DQ;
        if (__builtin_cpu_supports("avx512vl"))
            f |= KZV_CPU_AVX512VL;
        if (__builtin_cpu_supports("avx512vbmi"))
            f |= KZV_CPU_AVX512VBMI;
    }
    return f;
#else
    return 0;
#endif
}
