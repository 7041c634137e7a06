#!/usr/bin/env bash
# usage: check_symbols.sh NM libkzv.so libkzv.a
set -u
nm=$1; so=$2; ar=$3; bad=0
exported=$("$nm" -D --defined-only "$so" | awk '$2 ~ /[TDRBVW]/ {print $3}')
[ -n "$exported" ] || { echo "no exported symbols found in $so"; exit 1; }
n=$(echo "$exported" | wc -l)
if leaks=$(echo "$exported" | grep -v '^kzv_'); then
  echo "exported symbols without the kzv_ prefix in $so:"; echo "$leaks"; bad=1
fi
globals=$("$nm" --defined-only -g "$ar" 2>/dev/null | awk 'NF==3 && $2 ~ /[TDRBVW]/ {print $3}')
# instrumentation adds its own (__odr_asan.*, __asan_*, __tsan_*, __sancov*)
if leaks=$(echo "$globals" | grep -v '^kzv_' | grep -Ev '^__(odr_asan|asan|tsan|ubsan|sancov)'); then
  echo "global symbols without the kzv_ prefix in $ar:"; echo "$leaks"; bad=1
fi
echo "$n exported symbols checked"
exit $bad
