"""No secret in any output, in any encoding, against a server that echoes the request back.

Every credential holds ``space & + = / % " \\ : @ é``. Every output a user could print (str,
repr, metadata, ``to_dict``) is scanned for every form of every credential: raw, form-encoded
(``+`` and ``%20``), percent-encoded in either hex case, JSON-escaped, HTML-escaped, the
decoded Basic pair and the Basic base64 (standard and URL-safe, with and without padding).
"""

from __future__ import annotations

import base64
import copy
import json
import pickle
import urllib.parse

import pytest

import tokenfetch
from tokenfetch import TokenClient

HOSTILE = 's p&c+e=/%"\\:@é'
CLIENT_ID = "my id:é"


def credential(tag: str) -> str:
    return f"{tag}-{HOSTILE}-end"


SECRETS = {
    name: credential(name)
    for name in [
        "client-secret",
        "query-key",
        "assertion",
        "api-key",
        "subscription",
        "password",
        "refresh",
        "code",
        "verifier",
        "device",
        "subject",
        "actor",
    ]
}


def lower_hex(encoded: str) -> str:
    out, i = [], 0
    while i < len(encoded):
        if encoded[i] == "%":
            out.append(encoded[i : i + 3].lower())
            i += 3
        else:
            out.append(encoded[i])
            i += 1
    return "".join(out)


def forms(secret: str) -> set[str]:
    form = urllib.parse.quote_plus(secret, safe="*")
    uri = urllib.parse.quote(secret, safe="")
    as_json = json.dumps(secret, ensure_ascii=False)[1:-1]
    as_json_ascii = json.dumps(secret)[1:-1]
    html = secret.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return {secret, form, form.replace("+", "%20"), lower_hex(form), uri, lower_hex(uri), as_json, as_json_ascii, html}


def basic_forms(client_id: str, secret: str) -> set[str]:
    pair = f"{urllib.parse.quote_plus(client_id, safe='*')}:{urllib.parse.quote_plus(secret, safe='*')}"
    encoded = [base64.b64encode(pair.encode()).decode(), base64.urlsafe_b64encode(pair.encode()).decode()]
    return {pair, f"{client_id}:{secret}", *encoded, *(e.rstrip("=") for e in encoded)}


FORBIDDEN = sorted(
    {(name, form) for name, value in SECRETS.items() for form in forms(value)}
    | {("Basic credentials", form) for form in basic_forms(CLIENT_ID, SECRETS["client-secret"])}
)


def leaks(text: str) -> list[str]:
    return [f"{name} as {form!r}" for name, form in FORBIDDEN if form in text]


def client(kit, scenario: str, auth_method: str, body_encoding: str) -> TokenClient:
    query = urllib.parse.quote_plus(SECRETS["query-key"])
    return TokenClient(
        f"{kit.scenario_url(scenario)}?api_key={query}",
        client_id=CLIENT_ID,
        client_secret=SECRETS["client-secret"],
        auth_method=auth_method,
        body_encoding=body_encoding,
        extra_params={"client_assertion": SECRETS["assertion"]},
        headers={"X-Api-Key": SECRETS["api-key"], "Ocp-Apim-Subscription-Key": SECRETS["subscription"]},
        max_retries=0,
    )


def requests_of(c: TokenClient):
    s = SECRETS
    yield lambda: c.request_token("client_credentials")
    yield lambda: c.request_token("password", params={"username": "ann", "password": s["password"]})
    yield lambda: c.request_token("refresh_token", params={"refresh_token": s["refresh"]})
    yield lambda: c.request_token(
        "authorization_code",
        params={"code": s["code"], "redirect_uri": "app://cb", "code_verifier": s["verifier"]},
    )
    yield lambda: c.request_token("urn:ietf:params:oauth:grant-type:device_code", params={"device_code": s["device"]})
    yield lambda: c.request_token(
        "urn:ietf:params:oauth:grant-type:token-exchange",
        params={
            "subject_token": s["subject"],
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "actor_token": s["actor"],
        },
    )


def outputs_of(call) -> list[str]:
    try:
        answer = call()
    except tokenfetch.TokenFetchError as e:
        assert e.http_meta is not None
        return [str(e), repr(e), repr(e.http_meta), json.dumps(e.http_meta.to_dict()), repr(e.args)]
    meta = answer.http_meta
    return [repr(answer), repr(meta), json.dumps(meta.to_dict()), str(answer.token_response)]


@pytest.mark.parametrize("scenario", ["echo_html", "echo_json", "echo_form", "echo_text", "echo_headers", "echo"])
def test_no_credential_is_echoed_back_in_any_encoding(kit, scenario):
    printed = []
    for auth_method in ["client_secret_basic", "client_secret_post"]:
        for body_encoding in ["form", "json"]:
            c = client(kit, scenario, auth_method, body_encoding)
            printed += [repr(c), c.token_url]
            for call in requests_of(c):
                printed += outputs_of(call)
    assert any("[redacted]" in text for text in printed), f"{scenario} echoed nothing"
    found = [leak for text in printed for leak in leaks(text)]
    assert not found, found[:5]


def test_the_scan_catches_each_form_it_claims_to():
    secret = SECRETS["client-secret"]
    for form in forms(secret) | basic_forms(CLIENT_ID, secret):
        assert leaks(f"... {form} ..."), form


def test_a_url_with_credentials_is_never_echoed():
    for url in ["https://id:s3cr3t-pw@auth.example/token", "https://id:s3cr3t-pw@[::1/token"]:
        with pytest.raises(tokenfetch.ConfigError) as raised:
            TokenClient(url, client_id="x", client_secret="y")
        assert "s3cr3t" not in str(raised.value)


def test_errors_survive_pickle_and_deepcopy_with_their_metadata(kit):
    c = TokenClient(kit.scenario_url("invalid_client"), client_id="py", client_secret="s3cr3t-value", max_retries=0)
    with pytest.raises(tokenfetch.OAuthError) as raised:
        c.client_credentials()
    original = raised.value
    for copied in [pickle.loads(pickle.dumps(original)), copy.deepcopy(original)]:
        assert type(copied) is tokenfetch.OAuthError
        assert str(copied) == str(original)
        assert (copied.kind, copied.status, copied.oauth_code) == ("oauth", 401, "invalid_client")
        assert copied.http_meta == original.http_meta
        assert copied.http_meta.response.status == 401
