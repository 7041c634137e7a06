/*
 * A program that executes one instruction valgrind cannot translate: the
 * EVEX-encoded AVX-512 `vpaddd zmm0, zmm0, zmm0` (valgrind's amd64 front end
 * has no EVEX decoder). Under valgrind it ends as a CPU-specific failure does:
 * "vex amd64->IR: unhandled instruction bytes: 0x62 0xF1 …", "valgrind:
 * Unrecognised instruction at address …", SIGILL, exit status 132.
 *
 * tests/valgrind/probe_test.sh points run.sh's start-up probe at it
 * (KZV_VALGRIND_PROBE) to take the "valgrind not runnable on this CPU"
 * branch for real. Only meant to run under valgrind: natively it raises
 * SIGILL on a CPU without AVX-512 and returns 0 on one with it.
 */
__attribute__((noinline)) static void evex_vpaddd(void)
{
    __asm__ volatile(".byte 0x62, 0xf1, 0x7d, 0x48, 0xfe, 0xc0" ::: "xmm0");
}

int main(void)
{
    evex_vpaddd();
    return 0;
}
