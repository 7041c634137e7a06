/* libFuzzer target: MP4 / MOV / 3GP (the mov demuxer), demuxer "mov" forced (no format probing), open
 * + up to FUZZ_MAX_FRAMES frames. Seeds: tests/fuzz/corpus/mp4 (made by
 * tests/fuzz/make_corpus.sh), dictionary tests/fuzz/dict/mp4.dict. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_open_decode(data, size, "mov");
    return 0;
}
