# Sourced by with-testkit.sh and with-oidc.sh.
# start_server VAR LABEL CMD...: runs CMD in the background, waits until it prints a line
# VAR=<url>, exports VAR, and stops CMD by its PID when the calling script exits, however it exits.
start_server() {
  local var=$1 label=$2 url=""
  shift 2
  _server_out=$(mktemp)
  "$@" >"$_server_out" 2>&1 &
  _server_pid=$!
  trap 'kill "$_server_pid" 2>/dev/null || true; wait "$_server_pid" 2>/dev/null || true; rm -f "$_server_out"' EXIT
  for _ in $(seq 1 200); do
    url=$(sed -n "s/^$var=//p" "$_server_out")
    [ -n "$url" ] && break
    kill -0 "$_server_pid" 2>/dev/null || { cat "$_server_out" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$url" ] || { echo "$label did not start within 10 s" >&2; cat "$_server_out" >&2; exit 1; }
  export "$var=$url"
}
