/*
 * What the CPU can run, for the kernels that pick their SIMD build at run
 * time (convert/yuv2rgb.c, convert/rgb2yuv.c).
 *
 * KZV_NO_AVX512 in the environment hides every AVX-512 flag: benchmarks use
 * it to compare builds, and it is a way out should a CPU misreport them.
 *
 * Thread-safety: kzv_cpu_flags() may be called from any thread.
 */
#ifndef KZV_CORE_CPU_H
#define KZV_CORE_CPU_H

#include <stdbool.h>

/* Whether this compiler can build and select x86 SIMD kernels. */
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#  define KZV_CPU_X86 1
#else
#  define KZV_CPU_X86 0
#endif

enum kzv_cpu_flag {
    KZV_CPU_AVX2 = 1 << 0,
    KZV_CPU_AVX512F = 1 << 1,
    KZV_CPU_AVX512BW = 1 << 2,
    KZV_CPU_AVX512DQ = 1 << 3,
    KZV_CPU_AVX512VL = 1 << 4,
    KZV_CPU_AVX512VBMI = 1 << 5,
};

/* The kzv_cpu_flag bits this CPU has (0 off x86). */
unsigned kzv_cpu_flags(void);

/* Whether the CPU has every flag in `all`. */
static inline bool kzv_cpu_has(unsigned all)
{
    return (kzv_cpu_flags() & all) == all;
}

#endif
