/*
 * LD_PRELOAD shim for tests/valgrind/run.sh: keeps libhwy's load-time
 * RDTSCP out of the traced process.
 *
 * Why: Debian's libavcodec pulls in libjxl, and with it libhwy (Highway).
 * libhwy's constructor (run from _dl_init, before main) initialises a static
 * with hwy::platform::TimerResolution(), which reads the TSC with RDTSCP when
 * CPUID leaf 0x80000001 says RDTSCP exists. Under valgrind that CPUID is
 * valgrind's own: on any host with AVX2 it reports the canned Core i7-4910MQ
 * of VEX's amd64g_dirtyhelper_CPUID_avx2, RDTSCP included (EDX bit 27 of
 * 0x2c100800), while VEX translates RDTSCP only when the real host has it
 * (guest_amd64_toIR.c: `modrm == 0xF9 && hwcaps & VEX_HWCAPS_AMD64_RDTSCP`).
 * On a host whose CPUID hides RDTSCP (some AMD EPYC virtual machines) every
 * program that loads libavcodec therefore dies under valgrind with
 * "Unrecognised instruction" in TimerResolution, before kzv's code starts.
 * valgrind 3.19 (Debian bookworm) and its development tree behave the same.
 *
 * How: libhwy's constructor calls TimerResolution through its PLT, so a
 * preloaded definition of the same versioned symbol (hwy_timer.map gives it
 * libhwy's version node HWY_0) is the one that runs. The value is the timer
 * resolution in TSC ticks, which only hwy::Measure (Highway's nanobenchmark)
 * reads; nothing in a kzv run calls that. The shim is inert in a process
 * without libhwy, and memcheck still traces every instruction of kzv and
 * FFmpeg.
 */
#include <stdint.h>

/* hwy::platform::TimerResolution() (Itanium C++ ABI name; returns uint64_t) */
uint64_t _ZN3hwy8platform15TimerResolutionEv(void);

uint64_t _ZN3hwy8platform15TimerResolutionEv(void)
{
    return 1;
}
