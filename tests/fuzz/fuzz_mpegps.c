/* libFuzzer target: MPEG-PS (program stream, VOB), demuxer "mpeg" forced (no format probing), open
 * + up to FUZZ_MAX_FRAMES frames. Seeds: tests/fuzz/corpus/mpegps (made by
 * tests/fuzz/make_corpus.sh), dictionary tests/fuzz/dict/mpegps.dict. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_open_decode(data, size, "mpeg");
    return 0;
}
