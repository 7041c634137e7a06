/* libFuzzer target: raw H.264 (Annex B), demuxer "h264" forced (no format probing), open
 * + up to FUZZ_MAX_FRAMES frames. Seeds: tests/fuzz/corpus/h264 (made by
 * tests/fuzz/make_corpus.sh), dictionary tests/fuzz/dict/h264.dict. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_open_decode(data, size, "h264");
    return 0;
}
