#!/usr/bin/env bash
# Makes target/tools/redis/redis-server run Redis 7 for the Redis store's tests.
# A redis-server already on the PATH is used as it is. Otherwise Debian's packages
# (redis-server, redis-tools and their two libraries) are downloaded with apt and unpacked
# here, not installed: no root, no system service left listening on 6379.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/target/tools/redis"
wrapper="$dir/redis-server"
[ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1 && exit 0
rm -rf "$dir" && mkdir -p "$dir"
if found=$(command -v redis-server); then
  printf '#!/bin/sh\nexec %q "$@"\n' "$found" >"$wrapper"
else
  packages="redis-server redis-tools libjemalloc2 liblzf1"
  (cd "$dir" && { apt-get download $packages 2>/dev/null || { apt-get update -qq && apt-get download $packages; }; })
  for deb in "$dir"/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  rm -f "$dir"/*.deb
  lib=$(dirname "$(find "$dir/root" -name 'libjemalloc.so.2' | head -n 1)")
  printf '#!/bin/sh\nLD_LIBRARY_PATH=%q${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec %q "$@"\n' \
    "$lib" "$dir/root/usr/bin/redis-server" >"$wrapper"
fi
chmod +x "$wrapper"
"$wrapper" --version
