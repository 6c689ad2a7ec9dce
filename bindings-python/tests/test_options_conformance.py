"""conformance/options.json: the same option value means the same thing in every language.

Each value goes through the real constructors, as a Python caller passes it (durations in
seconds), and the normalised value is read back from the built client or manager.
Writes target/conformance/python-options.json for conformance/report.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, Iterator

import tempfile

import pytest

import tokenfetch
from tokenfetch import FileStore, RedisStore, TokenClient, TokenManager

ROOT = Path(__file__).resolve().parents[2]
DOC = json.loads((ROOT / "conformance" / "options.json").read_text(encoding="utf-8"))
CASES = [(f"options/{case['name']}", case) for case in DOC["cases"]]
RESULTS: Dict[str, str] = {}
BASE = {"client_id": "a", "client_secret": "b"}


def number(value: Any) -> float:
    return float(value)  # float("NaN"), float("Infinity"), float("-Infinity") read the strings


#: Python's name for an option, where it is not the vectors' own.
SPELLING = {"store_timeout": "timeout"}


def apply(option: str, value: float) -> float:
    """The normalised value (milliseconds for durations) the API makes of `value`."""
    if option == "lease_time":
        # It applies only with a store; the default client's 30 s timeout makes its floor 35 s.
        with tempfile.TemporaryDirectory() as directory:
            store = FileStore(directory)
            return TokenManager(TokenClient("https://auth.example/token", **BASE), store=store, lease_time=value).lease_time * 1000
    if option == "store_timeout":
        return RedisStore("redis://127.0.0.1:1", timeout=value).timeout * 1000
    if option == "discovery_ttl":
        # Nothing reads a discovered client's TTL back: an issuer that refuses connections
        # fails with a transport error once the options are accepted.
        try:
            TokenClient.discover("http://127.0.0.1:9", client_id="a", allow_insecure_http=True, discovery_ttl=value)
        except tokenfetch.ConfigError:
            raise
        except tokenfetch.TokenFetchError:
            pass
        return value * 1000
    if option == "max_backoff":
        # Nothing reads it back in Python: an accepted value is taken as the expected one.
        TokenClient("https://auth.example/token", **BASE, max_backoff=value)
        return value * 1000
    if option in ("refresh_skew", "default_lifetime"):
        manager = TokenManager(TokenClient("https://auth.example/token", **BASE), **{option: value})
        return getattr(manager, option) * 1000
    client = TokenClient("https://auth.example/token", **BASE, **{option: value})
    got = getattr(client, option)
    return got * 1000 if option in ("timeout", "connect_timeout", "max_retry_wait") else got


def check(case: Dict[str, Any]) -> None:
    option = case["option"]
    try:
        got = apply(option, number(case["value"]))
    except tokenfetch.ConfigError as e:
        assert "error" in case, f"expected {case['expect']}, got a ConfigError: {e}"
        spelled = SPELLING.get(option, option)
        assert spelled in str(e), f"the error names {spelled}: {e}"
        return
    assert "expect" in case, f"expected a ConfigError, got {got}"
    assert math.isclose(got, number(case["expect"]), abs_tol=1e-6), f"expected {case['expect']}, got {got}"


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    out = ROOT / "target" / "conformance"
    out.mkdir(parents=True, exist_ok=True)
    (out / "python-options.json").write_text(json.dumps({"language": "python", "results": RESULTS}, indent=2), encoding="utf-8")


@pytest.mark.parametrize("name, case", CASES, ids=[name for name, _ in CASES])
def test_option_vector(name: str, case: Dict[str, Any]) -> None:
    try:
        check(case)
    except AssertionError as e:
        RESULTS[name] = f"fail: {e}"
        raise
    RESULTS[name] = "pass"
