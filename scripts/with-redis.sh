#!/usr/bin/env bash
# Runs a command with a real Redis listening: starts target/tools/redis/redis-server
# (scripts/install-redis.sh puts it there) on a free loopback port without persistence,
# exports TOKENFETCH_REDIS_URL and TOKENFETCH_REDIS_SERVER (for tests that start their own,
# to stop and restart it), runs "$@", and stops the server by its PID whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
server="$root/target/tools/redis/redis-server"
[ -x "$server" ] || "$root/scripts/install-redis.sh"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$server" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >/dev/null &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$redis_pid" 2>/dev/null || { echo "redis-server exited" >&2; exit 1; }
  sleep 0.05
done
export TOKENFETCH_REDIS_URL="redis://127.0.0.1:$port"
export TOKENFETCH_REDIS_SERVER="$server"
echo "redis-server listening at $TOKENFETCH_REDIS_URL (pid $redis_pid)" >&2
"$@"
