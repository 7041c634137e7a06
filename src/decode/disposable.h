/*
 * Packets a seek can leave out of the codec altogether (kzv internal).
 *
 * On the way to a seek target, pictures displayed before it that no other
 * picture refers to are never needed. FFmpeg's AVDISCARD_NONREF drops them
 * inside the codec, but with frame threads each dropped packet still takes
 * its turn on a thread: the threads then wait on each other in a pattern set
 * by the GOP structure, and the thread count that suits one stream stalls
 * on another (measured on 2 cores, 1080p H.264 with 3 B-frames: 3 threads
 * 293-314 ms per random access, 4 threads 232-246). Not sending those
 * packets at all takes the pattern away.
 *
 * Only H.264 whose every sequence parameter set says frame pictures only
 * (frame_mbs_only_flag: no field pairs, which FFmpeg never splits), where a slice's nal_ref_idc == 0 promises that no
 * picture ever refers to it, and only packets made of such slices plus
 * delimiters, filler and SEI that describes its own picture alone (timing,
 * buffering, user data): a packet with anything else (a parameter set, an
 * end of sequence, an IDR or reference slice, an extension unit, a recovery
 * point or other SEI, a damaged header) still goes to the codec, which then
 * skips it as before. The codec's state for the pictures that follow is
 * what it is when it skips such a picture itself: FFmpeg forgets a packet's
 * SEI with the packet, and stops reading a non-reference picture right after
 * its slice header, before the picture numbering and reference lists are
 * touched.
 */
#ifndef KZV_SRC_DECODE_DISPOSABLE_H
#define KZV_SRC_DECODE_DISPOSABLE_H

#include <stdbool.h>
#include <stdint.h>

struct AVCodecParameters;

#define KZV_DISPOSABLE_OFF    -1   /* not H.264: every packet goes to the codec */
#define KZV_DISPOSABLE_ANNEXB  0   /* NAL units after start codes */
/* 1..4: NAL units after a big-endian length of that many bytes (avcC) */

/* How this stream's packets are split into NAL units, or KZV_DISPOSABLE_OFF
 * (not H.264, no readable SPS in the stream header, or one that allows
 * field pictures). */
int kzv_disposable_setup(const struct AVCodecParameters *par);

/* Look at a packet on its way to the codec: an SPS in it that allows field
 * pictures turns the feature off for good (returns KZV_DISPOSABLE_OFF);
 * otherwise returns mode. */
int kzv_disposable_watch(int mode, const uint8_t *data, int size);

/* True when the packet holds at least one slice and nothing but
 * non-reference slices, such SEI, delimiters and filler. */
bool kzv_disposable_packet(int mode, const uint8_t *data, int size);

#endif
