"""The models: immutable, comparable, serialisable, picklable, and with the seeds' names."""

import pickle

import pytest

import tokenfetch
from tokenfetch import TokenResponse

BODY = '{"access_token":"at-1","token_type":"bearer","expires_in":"3600","refresh_token":"rt-1","scope":["a","b"],"tenant":"t"}'


def test_from_json_is_lenient():
    t = TokenResponse.from_json(BODY)
    assert (t.token_type, t.expires_in, t.scope, t.scopes) == ("Bearer", 3600, "a b", ["a", "b"])
    assert t.extra == {"tenant": "t"}
    assert t.expires_at is None
    with pytest.warns(DeprecationWarning, match="TokenResponse.from_json"):
        assert tokenfetch.parse_token_response(BODY) == t


def test_from_json_errors_are_typed():
    with pytest.raises(tokenfetch.DecodeError, match="access_token"):
        TokenResponse.from_json('{"token_type":"bearer"}')
    with pytest.raises(tokenfetch.OAuthError) as raised:
        TokenResponse.from_json('{"error":"invalid_grant"}')
    assert raised.value.oauth_code == "invalid_grant"


def test_numbers_beyond_f64_in_extra_are_kept_not_fatal():
    # A number no double can hold is kept as its literal text, the same in every language.
    t = TokenResponse.from_json('{"access_token":"a","big":1e309,"small":-1e309,"exact":9007199254740993}')
    assert t.extra == {"big": "1e309", "small": "-1e309", "exact": 9007199254740993}


def test_models_are_immutable():
    t = TokenResponse.from_json(BODY)
    with pytest.raises(AttributeError):
        t.access_token = "x"  # type: ignore[misc]
    t.extra["tenant"] = "changed"
    assert t.extra["tenant"] == "t", "extra is a copy"


def test_eq_dict_json_and_pickle():
    t = TokenResponse.from_json(BODY)
    assert t == TokenResponse.from_json(BODY)
    assert t != TokenResponse.from_json(BODY.replace("at-1", "at-2"))
    assert t.to_dict() == {
        "access_token": "at-1",
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": "rt-1",
        "scope": "a b",
        "tenant": "t",
    }
    assert TokenResponse.from_json(t.to_json()) == t
    assert pickle.loads(pickle.dumps(t)) == t
    built = TokenResponse("at-9", expires_in=60, extra={"k": [1, 2]})
    assert built.token_type == "Bearer" and built.extra == {"k": [1, 2]}


def test_repr_hides_tokens():
    t = TokenResponse.from_json(BODY)
    assert "at-1" not in repr(t) and "rt-1" not in repr(t)
    assert "expires_in=3600" in repr(t)


def test_repr_is_the_cores_one_view_in_python_syntax():
    # The same body as Node's and Kotlin's twin of this test: every language shows the same
    # fields, secrets (and secret members a server echoed into extra) as [redacted].
    body = '{"access_token":"at-1","token_type":"bearer","expires_in":"3600","refresh_token":"rt-1",' \
        '"scope":"a b","echo":{"client_secret":"cs-1","note":"it\'s"}}'
    assert repr(TokenResponse.from_json(body)) == (
        "TokenResponse(access_token='[redacted]', token_type='Bearer', expires_in=3600, "
        "refresh_token='[redacted]', refresh_expires_in=None, id_token=None, scope='a b', "
        "created_at=None, expires_at=None, extra={'echo': {'client_secret': '[redacted]', 'note': \"it's\"}})"
    )


def test_seed_aliases():
    assert tokenfetch.V3TokenResponse is TokenResponse
    assert tokenfetch.PostTokenResponse is TokenResponse
    assert tokenfetch.Authentication is TokenResponse
    assert tokenfetch.V3TokenRequestResponse is tokenfetch.TokenRequestResponse
    assert tokenfetch.HTTPMetadata is tokenfetch.HttpMetadata


def test_version_comes_from_cargo():
    import re

    assert re.fullmatch(r"\d+\.\d+\.\d+.*", tokenfetch.__version__)
