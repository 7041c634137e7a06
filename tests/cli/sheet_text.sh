#!/usr/bin/env bash
# sheet (issue #16 item 10): titles in a real font (fontconfig + FreeType:
# lower case, accents, any script an installed font covers; the old bitmap
# font drew every name in ASCII capitals, the rest as '?'), and the image
# format chosen by the -o extension (.jpg was PNG bytes).
. "$(dirname "$0")/lib.sh"
f=$(fixture h264.mp4)
magic() { head -c 4 "$1" | od -An -tx1 | tr -d ' \n'; }

expect_rc 0 "sheet -o s.jpg" sheet "$f" -o "$TMP/s.jpg" --cols 2 --rows 1 --width 320
check "s.jpg is JPEG ($(magic "$TMP/s.jpg"))" test "$(magic "$TMP/s.jpg" | cut -c1-6)" = ffd8ff
check "ffprobe reads s.jpg as mjpeg" test "$(ffprobe_stream "$TMP/s.jpg" codec_name)" = mjpeg
expect_rc 0 "sheet -o s.JPEG" sheet "$f" -o "$TMP/s.JPEG" --cols 2 --rows 1 --width 320
check "s.JPEG is JPEG" test "$(magic "$TMP/s.JPEG" | cut -c1-6)" = ffd8ff
expect_rc 0 "sheet -o s.png" sheet "$f" -o "$TMP/s.png" --cols 2 --rows 1 --width 320
check "s.png is PNG" test "$(magic "$TMP/s.png")" = 89504e47
expect_rc 2 "sheet -o s.gif: not a format kzv writes" sheet "$f" -o "$TMP/s.gif"
check "nothing written for s.gif" test ! -e "$TMP/s.gif"
expect_rc 0 "decode -o frame.jpg" decode "$f" -o "$TMP/frame.jpg"
check "frame.jpg is JPEG" test "$(magic "$TMP/frame.jpg" | cut -c1-6)" = ffd8ff
expect_rc 0 "decode -o pattern %02d.jpg" decode "$f" -o "$TMP/j-%02d.jpg" --frames 2
check "j-01.jpg is JPEG" test "$(magic "$TMP/j-01.jpg" | cut -c1-6)" = ffd8ff

# Names that the bitmap font drew the same: upper vs lower case, and two
# different non-ASCII letters (both '?'). The sheets differ only in the title.
title_differs() {   # NAME1 NAME2
    cp "$f" "$TMP/$1"; cp "$f" "$TMP/$2"
    "$KZV" sheet "$TMP/$1" -o "$TMP/t1.png" --cols 2 --rows 1 --width 640 -q &&
    "$KZV" sheet "$TMP/$2" -o "$TMP/t2.png" --cols 2 --rows 1 --width 640 -q &&
    ! cmp -s "$TMP/t1.png" "$TMP/t2.png"
}
check "title: 'abc.mp4' and 'ABC.mp4' are drawn differently" title_differs abc.mp4 ABC.mp4
check "title: 'café.mp4' and 'cafè.mp4' are drawn differently" title_differs 'café.mp4' 'cafè.mp4'
if command -v fc-list >/dev/null && [ -n "$(fc-list :lang=ja 2>/dev/null)" ]; then
    check "title: '東方 第01話.mp4' and '西方 第01話.mp4' differ (a Japanese font is installed)" \
        title_differs '東方 第01話.mp4' '西方 第01話.mp4'
else
    ok "no Japanese font installed (fc-list :lang=ja): CJK titles not checked"
fi

finish
