"""Writes conformance/id_tokens.json: ID tokens signed with the test keys of keys.json, one per
check tokenfetch makes, with the JWKS and the expectations each is validated against.

Run by hand (python3 scripts/gen-id-tokens.py) with the `cryptography` package; the output is
committed, so no test depends on it. Signatures are made here, independently of tokenfetch's
own signing, so a vector also checks that tokenfetch verifies what another library signs.
"""
import base64
import hashlib
import hmac
import json
import pathlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, utils

ROOT = pathlib.Path(__file__).resolve().parent.parent
KEYS = {c["name"]: c for c in json.loads((ROOT / "conformance/keys.json").read_text())["cases"]}

ISSUER = "https://op.example"
CLIENT = "rp-1"
NOW = 1_800_000_000
SECRET = "an-hs256-client-secret-of-32-bytes!!"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load(name):
    return ser.load_pem_private_key(KEYS[name]["key"].encode(), None)


RSA = load("rsa-pkcs8-pem")
EC = load("ec-pkcs8-pem")
ED = load("ed25519-pkcs8-pem")
OTHER_EC = ec.generate_private_key(ec.SECP256R1())


def jwk(name, kid, alg=None):
    key = dict(KEYS[name]["public_jwk"])
    key.update({"kid": kid, "use": "sig"})
    if alg:
        key["alg"] = alg
    return key


JWKS = {"keys": [jwk("rsa-pkcs8-pem", "rsa-1"), jwk("ec-pkcs8-pem", "ec-1", "ES256"), jwk("ed25519-pkcs8-pem", "ed-1")]}


def sign(alg, signing_input: bytes, key=None) -> bytes:
    if alg == "RS256":
        return (key or RSA).sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    if alg == "PS256":
        return (key or RSA).sign(signing_input, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    if alg == "ES256":
        r, s = utils.decode_dss_signature((key or EC).sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if alg == "EdDSA":
        return (key or ED).sign(signing_input)
    if alg == "HS256":
        return hmac.new(key or SECRET.encode(), signing_input, hashlib.sha256).digest()
    if alg == "none":
        return b""
    raise ValueError(alg)


def claims(**overrides):
    body = {"iss": ISSUER, "sub": "user-42", "aud": CLIENT, "iat": NOW - 10, "exp": NOW + 300,
            "auth_time": NOW - 20, "nonce": "n-0S6_WzA2Mj", "name": "Ann Example",
            "email": "ann@example.com", "email_verified": True}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def token(alg="RS256", kid="rsa-1", body=None, header_extra=None, key=None, raw_payload=None):
    header = {"alg": alg, "typ": "JWT"}
    if kid:
        header["kid"] = kid
    header.update(header_extra or {})
    payload = raw_payload if raw_payload is not None else json.dumps(body if body is not None else claims()).encode()
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload)}".encode()
    return f"{signing_input.decode()}.{b64(sign(alg, signing_input, key))}"


def half_hash(value: str, alg="RS256") -> str:
    digest = hashlib.sha512 if alg == "EdDSA" else hashlib.sha256
    d = digest(value.encode()).digest()
    return b64(d[: len(d) // 2])


BASE = {"issuer": ISSUER, "client_id": CLIENT, "now": NOW, "nonce": "n-0S6_WzA2Mj"}
cases = []


def ok(name, tok, given=None, expect_claims=None):
    cases.append({"name": name, "token": tok, "given": {**BASE, **(given or {})},
                  "claims": expect_claims or {"sub": "user-42", "iss": ISSUER, "aud": [CLIENT]}})


def bad(name, tok, check, given=None, jwks=None):
    case = {"name": name, "token": tok, "given": {**BASE, **(given or {})}, "error": {"kind": "id_token", "check": check}}
    if jwks is not None:
        case["jwks"] = jwks
    cases.append(case)


ok("rs256", token())
ok("ps256", token("PS256"))
ok("es256", token("ES256", "ec-1"))
ok("eddsa", token("EdDSA", "ed-1"))
ok("no-kid-tries-each-key-of-the-type", token("ES256", None))
ok("audience-list-with-azp", token(body=claims(aud=[CLIENT, "api"], azp=CLIENT)),
   expect_claims={"aud": [CLIENT, "api"], "azp": CLIENT})
ok("profile-claims-are-extra", token(), expect_claims={"extra": {"name": "Ann Example", "email": "ann@example.com", "email_verified": True}})
ok("expired-within-the-skew", token(body=claims(exp=NOW - 30)))
ok("no-nonce-expected-on-a-refresh", token(body=claims(nonce=None)), given={"nonce": None})
ok("at-hash-and-c-hash-match", token(body=claims(at_hash=half_hash("access-1"), c_hash=half_hash("code-1"))),
   given={"access_token": "access-1", "code": "code-1"})
ok("eddsa-at-hash-uses-sha512", token("EdDSA", "ed-1", body=claims(at_hash=half_hash("access-1", "EdDSA"))),
   given={"access_token": "access-1"})
ok("hs256-with-the-client-secret-when-allowed", token("HS256", None),
   given={"algorithms": ["HS256"], "client_secret": SECRET})
ok("auth-time-within-max-age", token(), given={"max_age": 60})
ok("fractional-numeric-dates", token(body=claims(iat=NOW - 10.5, exp=NOW + 300.25)))

tampered = token().split(".")
tampered[1] = b64(json.dumps(claims(sub="admin")).encode())
bad("wrong-signature", ".".join(tampered), "signature")
bad("signed-by-another-key-with-a-known-kid", token("ES256", "ec-1", key=OTHER_EC), "signature")
bad("alg-none", token("none", None), "alg")
rsa_public_pem = RSA.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
bad("hs256-keyed-with-the-rsa-public-key", token("HS256", "rsa-1", key=rsa_public_pem), "alg")
bad("hs256-keyed-with-the-rsa-public-key-when-hs256-is-allowed", token("HS256", "rsa-1", key=rsa_public_pem), "signature",
    given={"algorithms": ["RS256", "HS256"], "client_secret": SECRET})
attacker_jwk = {"kty": "EC", "crv": "P-256",
                "x": b64(OTHER_EC.public_key().public_numbers().x.to_bytes(32, "big")),
                "y": b64(OTHER_EC.public_key().public_numbers().y.to_bytes(32, "big"))}
bad("key-offered-in-the-jwk-header", token("ES256", "attacker", header_extra={"jwk": attacker_jwk}, key=OTHER_EC), "kid")
bad("key-offered-in-the-jwk-header-without-kid", token("ES256", None, header_extra={"jwk": attacker_jwk}, key=OTHER_EC), "signature")
bad("jku-header-is-not-followed", token("ES256", "attacker", header_extra={"jku": "https://evil.example/jwks"}, key=OTHER_EC), "kid")
bad("unknown-crit", token(header_extra={"crit": ["exp-ext"], "exp-ext": 1}), "crit")
es384_header = b64(json.dumps({"alg": "ES384", "kid": "ec-1"}).encode())
bad("unsupported-algorithm", f"{es384_header}.{b64(json.dumps(claims()).encode())}.{b64(b'x' * 96)}", "alg")
bad("algorithm-outside-the-allowlist", token("PS256"), "alg", given={"algorithms": ["RS256"]})
bad("wrong-iss", token(body=claims(iss="https://evil.example")), "iss")
bad("wrong-aud", token(body=claims(aud="another-client")), "aud")
bad("several-audiences-without-azp", token(body=claims(aud=[CLIENT, "api"])), "azp")
bad("wrong-azp", token(body=claims(aud=[CLIENT, "api"], azp="api")), "azp")
bad("expired", token(body=claims(exp=NOW - 120)), "exp")
bad("issued-in-the-future", token(body=claims(iat=NOW + 120)), "iat")
bad("not-yet-valid", token(body=claims(nbf=NOW + 120)), "nbf")
bad("expired-outside-a-smaller-skew", token(body=claims(exp=NOW - 30)), "exp", given={"clock_skew": 10})
bad("wrong-nonce", token(body=claims(nonce="someone-elses")), "nonce")
bad("missing-nonce", token(body=claims(nonce=None)), "nonce")
bad("at-hash-mismatch", token(body=claims(at_hash=half_hash("another-token"))), "at_hash", given={"access_token": "access-1"})
bad("c-hash-mismatch", token(body=claims(c_hash=half_hash("another-code"))), "c_hash", given={"code": "code-1"})
bad("auth-time-older-than-max-age", token(body=claims(auth_time=NOW - 4000)), "auth_time", given={"max_age": 600})
bad("auth-time-missing-with-max-age", token(body=claims(auth_time=None)), "auth_time", given={"max_age": 600})
bad("auth-time-in-the-future", token(body=claims(auth_time=NOW + 4000)), "auth_time")
bad("unknown-kid", token(kid="rotated-away"), "kid")
bad("oversized-token", token(body=claims(pad="x" * 70_000)), "size")
deep = json.dumps(claims()).encode()[:-1] + b', "deep": ' + b"[" * 200 + b"]" * 200 + b"}"
bad("deep-nesting", token(raw_payload=deep), "nesting")
bad("jwe", "eyJhbGciOiJQQkVTMi1IUzI1NitBMTI4S1ciLCJlbmMiOiJBMTI4R0NNIiwicDJjIjoyMDAwMDAwMDAwfQ.a.b.c.d", "encrypted")
bad("compressed", token(header_extra={"zip": "DEF"}), "encrypted")
bad("two-parts", "eyJhbGciOiJSUzI1NiJ9.e30", "format")
bad("no-sub", token(body=claims(sub=None)), "format")
bad("exp-as-text", token(body=claims(exp="1800000300")), "format")
bad("jwks-with-only-an-encryption-key", token(), "kid",
    jwks={"keys": [{**jwk("rsa-pkcs8-pem", "rsa-1"), "use": "enc"}]})
bad("jwks-key-bound-to-another-alg", token("PS256"), "kid",
    jwks={"keys": [jwk("rsa-pkcs8-pem", "rsa-1", "RS256")]})
bad("jwks-oct-key-is-never-an-hmac-secret", token("HS256", "oct-1", key=b"shared"), "alg",
    jwks={"keys": [{"kty": "oct", "k": b64(b"shared"), "kid": "oct-1"}]})

bad("an-access-token-is-not-an-id-token", token(header_extra={"typ": "at+jwt"}), "format")
bad("a-logout-token-is-not-an-id-token", token(header_extra={"typ": "logout+jwt"}, body=claims(nonce=None, events={"http://schemas.openid.net/event/backchannel-logout": {}})), "format", given={"nonce": None})
bad("an-events-claim-is-not-an-id-token", token(body=claims(events={"x": {}})), "format")
bad("at-hash-of-the-wrong-type", token(body=claims(at_hash=12345)), "format", given={"access_token": "access-1"})
lower = token().split(".")
lower[0] = b64(json.dumps({"alg": "rs256", "kid": "rsa-1"}).encode())
bad("alg-is-case-sensitive", ".".join(lower), "alg")
bad("iss-must-match-exactly", token(body=claims(iss=ISSUER + "/")), "iss")
ok("typ-id-token-jwt-is-accepted", token(header_extra={"typ": "id_token+jwt"}))

out = {
    "description": (
        "ID tokens and the checks they must pass or fail (OIDC Core 3.1.3.7). Each case is validated "
        "with `jwks` (the file's, unless the case has its own) against `given` (issuer, client_id, "
        "now in epoch seconds, nonce sent, and optionally max_age and clock_skew in seconds, "
        "access_token, code, algorithms, client_secret). `claims` lists fields the result must "
        "have (`extra` members by name); `error` the kind and the check that must fail. Generated "
        "by scripts/gen-id-tokens.py from the keys of keys.json."
    ),
    "jwks": JWKS,
    "cases": cases,
}
(ROOT / "conformance/id_tokens.json").write_text(json.dumps(out, indent=1) + "\n")
print(f"{len(cases)} cases")
