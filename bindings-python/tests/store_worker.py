"""One worker of the cross-language shared-store check (scripts/check_shared_store.py).

A TokenManager over the Redis at TF_REDIS_URL for the testkit token endpoint at TF_TOKEN_URL,
scope TF_SCOPE (the manager's), and eight threads that each ask it once for a token at
TF_START_AT_MS (epoch milliseconds). Prints each distinct token as `TOKEN <token>`. Its Rust,
Node and Kotlin twins do the same, so the one fetch testkit counts proves that every language
derives the same store key and reads the same entry.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from tokenfetch import RedisStore, TokenClient, TokenManager


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"store_worker: {name} is not set")
    return value


def main() -> int:
    client = TokenClient(env("TF_TOKEN_URL"), client_id="store-client", client_secret="store-secret-5b1e")
    manager = TokenManager(client, scope=env("TF_SCOPE"), store=RedisStore(env("TF_REDIS_URL")))
    start_at = int(env("TF_START_AT_MS")) / 1000
    time.sleep(max(0.0, start_at - time.time()))
    tokens: set[str] = set()
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            tokens.add(manager.access_token())
        except BaseException as e:  # reported below, with the exit status
            failures.append(e)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for failure in failures:
        print(f"store_worker: {type(failure).__name__}: {failure}", file=sys.stderr)
    for token in sorted(tokens):
        print(f"TOKEN {token}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
