/* libFuzzer target: Matroska / WebM, demuxer "matroska" forced (no format probing), open
 * + up to FUZZ_MAX_FRAMES frames. Seeds: tests/fuzz/corpus/mkv (made by
 * tests/fuzz/make_corpus.sh), dictionary tests/fuzz/dict/mkv.dict. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_open_decode(data, size, "matroska");
    return 0;
}
