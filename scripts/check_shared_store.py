#!/usr/bin/env python3
"""`make test-shared-store`: four languages, one Redis, one fetch.

A Rust, a Python, a Node and a Kotlin process each run a `TokenManager` over the same Redis
with the same client and scope, and start asking for a token at the same moment (eight
threads or tasks each). testkit must count exactly one token request, and all four must
print the same token. That holds only if every language derives the same store key, takes
the same lease and reads the entry the others wrote: one format, written by one core.

The workers: core/examples/store_worker.rs, bindings-python/tests/store_worker.py,
bindings-node/test/store_worker.js and bindings-kotlin's StoreWorker.kt (test sources).
Runs under scripts/with-testkit.sh (TESTKIT_URL) and scripts/with-redis.sh
(TOKENFETCH_REDIS_URL), after the bindings' suites have built and installed them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KOTLIN = ROOT / "bindings-kotlin"
KOTLIN_WORKER = "io.tokenfetch.StoreWorkerKt"


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"check_shared_store: {name} is not set; run it through `make test-shared-store`")
    return value


def token_requests(testkit: str) -> int:
    with urllib.request.urlopen(f"{testkit}/__stats", timeout=10) as answer:
        stats: dict[str, object] = json.load(answer)
    count = stats["token_requests"]
    assert isinstance(count, int)
    return count


def kotlin_classpath() -> str:
    listing = KOTLIN / "target" / "test-classpath.txt"
    subprocess.run(["mvn", "-B", "-ntp", "-q", "-Dstyle.color=never", "-f", str(KOTLIN / "pom.xml"), "dependency:build-classpath",
                    "-Dmdep.includeScope=test", f"-Dmdep.outputFile={listing}"], check=True)
    return f"{KOTLIN / 'target' / 'test-classes'}:{KOTLIN / 'target' / 'classes'}:{listing.read_text().strip()}"


def main() -> int:
    testkit = env("TESTKIT_URL")
    commands = {
        "rust": [str(ROOT / "target" / "debug" / "examples" / "store_worker")],
        "python": [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "bindings-python" / "tests" / "store_worker.py")],
        "node": ["node", str(ROOT / "bindings-node" / "test" / "store_worker.js")],
        "kotlin": ["java", "-cp", kotlin_classpath(), KOTLIN_WORKER],
    }
    subprocess.run(["cargo", "build", "--quiet", "-p", "tokenfetch", "--example", "store_worker"], cwd=ROOT, check=True)
    before = token_requests(testkit)
    # A scope of its own: the key is new, so the store is cold whatever ran before.
    scope = f"shared-store-{uuid.uuid4().hex[:12]}"
    # Far enough ahead for the JVM to start; every worker sleeps until then.
    start_at = int(time.time() * 1000) + 4000
    worker_env = dict(os.environ, TF_TOKEN_URL=f"{testkit}/token", TF_REDIS_URL=env("TOKENFETCH_REDIS_URL"),
                      TF_SCOPE=scope, TF_START_AT_MS=str(start_at))
    running = {name: subprocess.Popen(argv, cwd=ROOT, env=worker_env, stdout=subprocess.PIPE, text=True)
               for name, argv in commands.items()}
    tokens: dict[str, set[str]] = {}
    for name, process in running.items():
        out, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            raise SystemExit(f"check_shared_store: the {name} worker exited with {process.returncode}\n{out}")
        tokens[name] = {line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("TOKEN ")}
    fetches = token_requests(testkit) - before
    distinct = set().union(*tokens.values())
    print(f"check_shared_store: {', '.join(f'{n}: {len(t)} token' for n, t in tokens.items())}; "
          f"{len(distinct)} distinct; testkit counted {fetches} fetch{'es' if fetches != 1 else ''}")
    if fetches != 1 or len(distinct) != 1 or any(len(t) != 1 for t in tokens.values()):
        raise SystemExit("check_shared_store: four languages over one Redis must make exactly one fetch")
    print("check_shared_store: Rust, Python, Node and Kotlin shared one token through Redis")
    return 0


if __name__ == "__main__":
    sys.exit(main())
