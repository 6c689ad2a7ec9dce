#!/usr/bin/env bash
# Runs a command with a real OpenID Connect server listening: starts panva's oidc-provider
# (testkit/oidc, installed by `npm ci` from its lockfile) on a free loopback port, exports
# OIDC_URL (the issuer; the token endpoint is $OIDC_URL/token), runs "$@", and stops the
# server by its PID whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/testkit/oidc"
[ -d "$dir/node_modules/oidc-provider" ] || (cd "$dir" && npm ci --no-audit --no-fund)
out=$(mktemp)
node "$dir/server.mjs" >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
OIDC_URL=
for _ in $(seq 1 200); do
  OIDC_URL=$(sed -n 's/^OIDC_URL=//p' "$out")
  [ -n "$OIDC_URL" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; exit 1; }
  sleep 0.05
done
[ -n "$OIDC_URL" ] || { echo "oidc-provider did not start" >&2; cat "$out" >&2; exit 1; }
echo "oidc-provider listening at $OIDC_URL (pid $pid)" >&2
export OIDC_URL
"$@"
