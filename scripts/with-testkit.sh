#!/usr/bin/env bash
# Runs a command with the testkit server listening: starts it on a free loopback port,
# exports TESTKIT_URL, runs "$@", and stops the server by its PID whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/start-server.sh"
bin="$root/target/debug/testkit"
[ -x "$bin" ] || cargo build --quiet -p tokenfetch-testkit --manifest-path "$root/Cargo.toml"
start_server TESTKIT_URL testkit "$bin"
"$@"
