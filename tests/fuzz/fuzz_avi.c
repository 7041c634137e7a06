/* libFuzzer target: AVI, demuxer "avi" forced (no format probing), open
 * + up to FUZZ_MAX_FRAMES frames. Seeds: tests/fuzz/corpus/avi (made by
 * tests/fuzz/make_corpus.sh), dictionary tests/fuzz/dict/avi.dict. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_open_decode(data, size, "avi");
    return 0;
}
