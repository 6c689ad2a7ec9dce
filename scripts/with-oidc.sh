#!/usr/bin/env bash
# Runs a command with a real OpenID Connect server listening: starts panva's oidc-provider
# (testkit/oidc, installed by `npm ci` from its lockfile) on a free loopback port, exports
# OIDC_URL (the issuer; the token endpoint is $OIDC_URL/token), runs "$@", and stops the
# server by its PID whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/start-server.sh"
dir="$root/testkit/oidc"
[ -d "$dir/node_modules/oidc-provider" ] || (cd "$dir" && npm ci --no-audit --no-fund)
start_server OIDC_URL oidc-provider node "$dir/server.mjs"
echo "oidc-provider listening at $OIDC_URL (pid $_server_pid)" >&2
"$@"
