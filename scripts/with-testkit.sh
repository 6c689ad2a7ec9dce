#!/usr/bin/env bash
# Runs a command with the testkit server listening: starts it on a free loopback port,
# exports TESTKIT_URL, runs "$@", and stops the server by its PID whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/debug/testkit"
[ -x "$bin" ] || cargo build --quiet -p tokenfetch-testkit --manifest-path "$root/Cargo.toml"
out=$(mktemp)
"$bin" >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do
  TESTKIT_URL=$(sed -n 's/^TESTKIT_URL=//p' "$out")
  [ -n "$TESTKIT_URL" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; exit 1; }
  sleep 0.05
done
[ -n "$TESTKIT_URL" ] || { echo "testkit did not start" >&2; cat "$out" >&2; exit 1; }
export TESTKIT_URL
"$@"
