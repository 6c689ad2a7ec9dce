"""The shared conformance vectors (conformance/*.json) through tokenfetch.parse_response.

Writes target/conformance/python.json for conformance/report.py.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import tokenfetch

ROOT = Path(__file__).resolve().parents[2]
RESULTS: Dict[str, str] = {}


def load() -> List[Tuple[str, Dict[str, Any]]]:
    cases = []
    # options.json holds option vectors, run by test_options_conformance.py; keys.json key
    # vectors, run by test_keys.py; id_tokens.json ID token vectors, by test_id_tokens.py.
    for path in sorted(p for p in (ROOT / "conformance").glob("*.json") if p.stem not in ("options", "keys", "id_tokens")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            cases.append((f"{path.stem}/{case['name']}", case))
    return cases


CASES = load()


def body(case: Dict[str, Any]) -> bytes:
    raw = base64.b64decode(case["body_base64"]) if case.get("body_base64") else (case.get("body") or "").encode()
    pad_to = case.get("body_pad_to")
    return raw.ljust(pad_to, b" ") if pad_to else raw


def canonical(t: tokenfetch.TokenResponse) -> Dict[str, Any]:
    return {
        "access_token": t.access_token,
        "token_type": t.token_type,
        "expires_in": t.expires_in,
        "refresh_token": t.refresh_token,
        "refresh_expires_in": t.refresh_expires_in,
        "id_token": t.id_token,
        "scope": t.scope,
        "created_at": t.created_at,
        "extra": t.extra,
        "expires_at": t.expires_at,
    }


def check(case: Dict[str, Any]) -> None:
    try:
        token = tokenfetch.parse_response(case["status"], case["headers"], body(case), case.get("received_at"))
    except tokenfetch.TokenFetchError as e:
        want = case.get("error")
        assert want is not None, f"expected a token, got {e.kind} error: {e}"
        assert e.kind == want["kind"], f"expected a {want['kind']} error, got {e.kind} ({e})"
        if want.get("code") is not None:
            assert e.oauth_code == want["code"], f"expected code {want['code']}, got {e.oauth_code}"
        return
    assert "expect" in case, f"expected a {case['error']['kind']} error, got a token {token!r}"
    got = canonical(token)
    for field, want in case["expect"].items():
        assert got[field] == want, f"{field}: expected {want!r}, got {got[field]!r}"


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    out = ROOT / "target" / "conformance"
    out.mkdir(parents=True, exist_ok=True)
    (out / "python.json").write_text(json.dumps({"language": "python", "results": RESULTS}, indent=2), encoding="utf-8")


def test_there_are_at_least_sixty_vectors() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("name, case", CASES, ids=[name for name, _ in CASES])
def test_vector(name: str, case: Dict[str, Any]) -> None:
    try:
        check(case)
    except AssertionError as e:
        RESULTS[name] = f"fail: {e}"
        raise
    RESULTS[name] = "pass"
