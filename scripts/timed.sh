#!/usr/bin/env bash
# Runs each make target in turn, then prints how long each took, so that a suite that grows
# shows in every CI log. Stops at the first failure (its row says so) with its exit status.
set -uo pipefail
rows=()
status=0
for target in "$@"; do
  start=$(date +%s)
  make --no-print-directory "$target"
  rc=$?
  rows+=("$target $(( $(date +%s) - start )) $rc")
  if [ "$rc" -ne 0 ]; then
    status=$rc
    break
  fi
done
total=0
printf '\n%-22s %8s  %s\n' suite seconds result
for row in "${rows[@]}"; do
  read -r name seconds rc <<<"$row"
  total=$((total + seconds))
  if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (exit $rc)"; fi
  printf '%-22s %8d  %s\n' "$name" "$seconds" "$result"
done
printf '%-22s %8d\n' total "$total"
exit "$status"
