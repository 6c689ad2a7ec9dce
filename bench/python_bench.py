"""`python_bench.py <BENCH_URL> [--smoke]`: tokenfetch's Python package against its peers.

Prints one JSON object per line, as rust-bench does; bench/run.py reads them. Every fetch
case is checked against the server's request count, and cases run in rounds in a rotated
order.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from importlib import metadata
from typing import Any, Callable
from pathlib import Path
from urllib.parse import urlsplit

CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
BODY = b"grant_type=client_credentials"


def emit(**fields: Any) -> None:
    print(json.dumps({"language": "python", **fields}), flush=True)


def server_stats(base: str) -> dict[str, int]:
    host = urlsplit(base).netloc
    connection = http.client.HTTPConnection(host)
    connection.request("GET", "/__stats", headers={"connection": "close"})
    stats: dict[str, int] = json.loads(connection.getresponse().read())
    connection.close()
    return stats


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:  # nearest rank
        return ordered[min(len(ordered), max(1, math.ceil(q * len(ordered)))) - 1]

    return {"p50_us": at(0.5), "p90_us": at(0.9), "p99_us": at(0.99), "n": len(ordered)}


def fetchers(token_url: str) -> list[tuple[str, Callable[[], str]]]:
    import tokenfetch

    client = tokenfetch.TokenClient(token_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)

    def ours() -> str:
        return client.client_credentials().access_token

    parts = urlsplit(token_url)
    stdlib = http.client.HTTPConnection(parts.netloc)
    headers = {"authorization": BASIC, "content-type": "application/x-www-form-urlencoded"}

    def plain() -> str:
        stdlib.request("POST", parts.path, body=BODY, headers=headers)
        token: str = json.loads(stdlib.getresponse().read())["access_token"]
        return token

    from authlib.integrations.httpx_client import OAuth2Client as HttpxOAuth2Client  # type: ignore[import-untyped]
    from authlib.integrations.requests_client import OAuth2Session as AuthlibSession  # type: ignore[import-untyped]

    authlib_requests = AuthlibSession(CLIENT_ID, CLIENT_SECRET)
    authlib_httpx = HttpxOAuth2Client(CLIENT_ID, CLIENT_SECRET)

    def via_authlib_requests() -> str:
        token: str = authlib_requests.fetch_token(token_url, grant_type="client_credentials")["access_token"]
        return token

    def via_authlib_httpx() -> str:
        token: str = authlib_httpx.fetch_token(token_url, grant_type="client_credentials")["access_token"]
        return token

    # requests-oauthlib refuses http:// unless told that this is a test.
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    from oauthlib.oauth2 import BackendApplicationClient  # type: ignore[import-untyped]
    from requests_oauthlib import OAuth2Session  # type: ignore[import-untyped]

    oauthlib_session = OAuth2Session(client=BackendApplicationClient(client_id=CLIENT_ID))

    def via_requests_oauthlib() -> str:
        token: str = oauthlib_session.fetch_token(token_url=token_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)[
            "access_token"
        ]
        return token

    raw = socket.create_connection((parts.hostname, parts.port))
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = (
        f"POST {parts.path} HTTP/1.1\r\nhost: {parts.netloc}\r\nauthorization: {BASIC}\r\n"
        f"content-type: application/x-www-form-urlencoded\r\ncontent-length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY
    reader = raw.makefile("rb")

    def floor() -> str:
        raw.sendall(request)
        length = 0
        while (line := reader.readline()) != b"\r\n":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return reader.read(length).decode()

    return [
        ("tokenfetch", ours),
        ("http.client + json", plain),
        ("authlib (requests)", via_authlib_requests),
        ("authlib (httpx)", via_authlib_httpx),
        ("requests-oauthlib", via_requests_oauthlib),
        ("raw socket", floor),
    ]


def fetches(base: str, rounds: int, per_round: int, warmup: int) -> None:
    cases = fetchers(base + "/token")
    samples: list[list[float]] = [[] for _ in cases]
    for _, fetch in cases:
        for _ in range(warmup):
            fetch()
    for round_ in range(rounds):
        for offset in range(len(cases)):
            index = (round_ + offset) % len(cases)
            name, fetch = cases[index]
            before = server_stats(base)["requests"]
            clock = time.perf_counter_ns
            for _ in range(per_round):
                start = clock()
                fetch()
                samples[index].append((clock() - start) / 1000)
            made = server_stats(base)["requests"] - before
            assert made == per_round, f"{name}: {made} requests for {per_round} fetches"
    for (name, _), taken in zip(cases, samples):
        emit(case="fetch", client=name, **percentiles(taken))


def key_case(name: str) -> str:
    """The private key of one case of conformance/keys.json (PEM)."""
    keys = json.loads((Path(__file__).resolve().parent.parent / "conformance" / "keys.json").read_text("utf-8"))
    return str(next(c["key"] for c in keys["cases"] if c["name"] == name))


def signed_fetchers(token_url: str) -> list[tuple[str, str, Callable[[], str]]]:
    """Each client with a client secret and with a private_key_jwt assertion (RS256 2048,
    ES256): the difference is what signing costs per fetch."""
    import tokenfetch
    from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
    from authlib.oauth2.rfc7523 import PrivateKeyJWT  # type: ignore[import-untyped]

    out: list[tuple[str, str, Callable[[], str]]] = []
    secret_client = tokenfetch.TokenClient(token_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    out.append(("tokenfetch", "secret", lambda: secret_client.client_credentials().access_token))
    secret_session = AuthlibSession(CLIENT_ID, CLIENT_SECRET)
    out.append(("authlib (requests)", "secret",
                lambda: str(secret_session.fetch_token(token_url, grant_type="client_credentials")["access_token"])))
    def ours_with(client: tokenfetch.TokenClient) -> Callable[[], str]:
        return lambda: client.client_credentials().access_token

    def authlib_with(session: Any) -> Callable[[], str]:
        return lambda: str(session.fetch_token(token_url, grant_type="client_credentials")["access_token"])

    from joserfc.jwk import ECKey, RSAKey

    for alg, case, key_type in (("RS256", "rsa-pkcs8-pem", RSAKey), ("ES256", "ec-pkcs8-pem", ECKey)):
        pem = key_case(case)
        out.append(("tokenfetch", alg, ours_with(tokenfetch.TokenClient(token_url, client_id=CLIENT_ID, private_key=pem))))
        if alg == "RS256":
            # authlib's documented private_key_jwt: the PEM as the client secret, parsed and
            # checked again for every signature. (It reads PEM as RSA only.)
            documented = AuthlibSession(CLIENT_ID, pem, token_endpoint_auth_method=PrivateKeyJWT(token_url, alg=alg))
            documented.register_client_auth_method(PrivateKeyJWT(token_url, alg=alg))
            out.append(("authlib (requests), PEM", alg, authlib_with(documented)))
        # Its faster way: a key object imported once.
        imported = AuthlibSession(CLIENT_ID, key_type.import_key(pem), token_endpoint_auth_method=PrivateKeyJWT(token_url, alg=alg))
        imported.register_client_auth_method(PrivateKeyJWT(token_url, alg=alg))
        out.append(("authlib (requests)", alg, authlib_with(imported)))
    return out


def signed_fetches(base: str, rounds: int, per_round: int, warmup: int) -> None:
    cases = signed_fetchers(base + "/token")
    samples: list[list[float]] = [[] for _ in cases]
    for _, _, fetch in cases:
        for _ in range(warmup):
            fetch()
    for round_ in range(rounds):
        for offset in range(len(cases)):
            index = (round_ + offset) % len(cases)
            name, alg, fetch = cases[index]
            before = server_stats(base)["requests"]
            clock = time.perf_counter_ns
            for _ in range(per_round):
                start = clock()
                fetch()
                samples[index].append((clock() - start) / 1000)
            made = server_stats(base)["requests"] - before
            assert made == per_round, f"{name} {alg}: {made} requests for {per_round} fetches"
    for (name, alg, _), taken in zip(cases, samples):
        emit(case="signed fetch", client=name, alg=alg, **percentiles(taken))


def cached_read(base: str, reads: int) -> None:
    import tokenfetch

    client = tokenfetch.TokenClient(base + "/token", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    manager = tokenfetch.TokenManager(client)
    manager.access_token()
    batches = []
    for _ in range(5):
        start = time.perf_counter_ns()
        for _ in range(reads):
            manager.access_token()
        batches.append((time.perf_counter_ns() - start) / reads)
    emit(case="cached read", client="tokenfetch", p50_ns=statistics.median(batches), n=reads * 5)


def logging_cost(base: str, rounds: int, per_round: int, reads: int) -> None:
    """Fetches and cached reads with the `tokenfetch` logger at WARNING (events off: nothing is
    built) and at DEBUG into a handler that formats every record, in alternating rounds. Runs
    last: it imports `logging`, which tokenfetch itself never does."""
    import io
    import logging

    import tokenfetch

    class Discard(io.TextIOBase):
        def write(self, text: str) -> int:
            return len(text)

    handler = logging.StreamHandler(Discard())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("tokenfetch")
    logger.addHandler(handler)
    logger.propagate = False
    client = tokenfetch.TokenClient(base + "/token", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    manager = tokenfetch.TokenManager(client)
    manager.access_token()
    fetches: dict[str, list[float]] = {"off": [], "debug": []}
    batches: dict[str, list[float]] = {"off": [], "debug": []}
    clock = time.perf_counter_ns
    for round_ in range(rounds):
        for mode in ("off", "debug") if round_ % 2 == 0 else ("debug", "off"):
            logger.setLevel(logging.DEBUG if mode == "debug" else logging.WARNING)
            for _ in range(per_round):
                start = clock()
                client.client_credentials()
                fetches[mode].append((clock() - start) / 1000)
            start = clock()
            for _ in range(reads):
                manager.access_token()
            batches[mode].append((clock() - start) / reads)
    logger.setLevel(logging.WARNING)
    logger.removeHandler(handler)
    for mode, name in (("off", "events off (WARNING)"), ("debug", "DEBUG, every record formatted")):
        emit(case="logging", client=name, fetch_p50_us=statistics.median(fetches[mode]),
             read_p50_ns=statistics.median(batches[mode]))


def import_time(runs: int) -> None:
    """A fresh interpreter's `import` of each package, median of `runs`."""
    for module in ("tokenfetch", "authlib.integrations.requests_client", "requests_oauthlib"):
        code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        taken = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
                 for _ in range(runs)]
        emit(case="import", client=module, p50_ms=statistics.median(taken) * 1000, n=runs)


def shared_client(base: str, threads: int, seconds: float) -> None:
    import tokenfetch

    def client() -> tokenfetch.TokenClient:
        return tokenfetch.TokenClient(base + "/token", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)

    def run(shared: bool) -> tuple[float, int]:
        one = client()
        clients = [one if shared else client() for _ in range(threads)]
        before = server_stats(base)
        counts = [0] * threads
        start = threading.Barrier(threads)

        def work(i: int) -> None:
            start.wait()
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                clients[i].client_credentials()
                counts[i] += 1

        workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        after = server_stats(base)
        assert after["requests"] - before["requests"] == sum(counts)
        return sum(counts) / seconds, after["connections"] - before["connections"]

    shared_rate, shared_connections = run(True)
    own_rate, own_connections = run(False)
    emit(case="shared client", threads=threads, shared_per_s=shared_rate, shared_connections=shared_connections,
         own_per_s=own_rate, own_connections=own_connections)


def versions() -> None:
    found = {name: metadata.version(name) for name in ("authlib", "requests-oauthlib", "requests", "httpx")}
    emit(case="versions", python=sys.version.split()[0], **found)


def main() -> None:
    base = sys.argv[1]
    smoke = "--smoke" in sys.argv[2:]
    versions()
    if smoke:
        fetches(base, rounds=1, per_round=20, warmup=5)
        signed_fetches(base, rounds=1, per_round=10, warmup=2)
        cached_read(base, reads=1_000)
        import_time(runs=1)
        for threads in (8, 64):
            shared_client(base, threads=threads, seconds=0.2)
        logging_cost(base, rounds=2, per_round=20, reads=1_000)
    else:
        fetches(base, rounds=3, per_round=1_000, warmup=200)
        signed_fetches(base, rounds=3, per_round=300, warmup=50)
        cached_read(base, reads=200_000)
        import_time(runs=15)
        for threads in (8, 64):
            shared_client(base, threads=threads, seconds=2)
        logging_cost(base, rounds=6, per_round=1_000, reads=100_000)


if __name__ == "__main__":
    main()
