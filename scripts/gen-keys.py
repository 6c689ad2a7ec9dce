"""Writes conformance/keys.json: signing keys in every form tokenfetch reads, and the wrong ones.

Run by hand (python3 scripts/gen-keys.py) with the `cryptography` package; the output is
committed, so no test depends on it. The keys are test keys, generated here, used nowhere else.
"""
import base64
import json
import pathlib

from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa


def b64(n: int | bytes, length: int | None = None) -> str:
    if isinstance(n, int):
        n = n.to_bytes(length or (n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(n).rstrip(b"=").decode()


def pem(key, fmt) -> str:
    return key.private_bytes(ser.Encoding.PEM, fmt, ser.NoEncryption()).decode()


def public_pem(key) -> str:
    return key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo).decode()


rsa_key = rsa.generate_private_key(65537, 2048)
rn = rsa_key.private_numbers()
rsa_public_jwk = {"kty": "RSA", "n": b64(rn.public_numbers.n), "e": b64(rn.public_numbers.e)}
rsa_jwk = {**rsa_public_jwk, "d": b64(rn.d), "p": b64(rn.p), "q": b64(rn.q), "dp": b64(rn.dmp1),
           "dq": b64(rn.dmq1), "qi": b64(rn.iqmp), "kid": "rsa-jwk-1"}

ec_key = ec.generate_private_key(ec.SECP256R1())
en = ec_key.private_numbers()
ec_public_jwk = {"kty": "EC", "crv": "P-256", "x": b64(en.public_numbers.x, 32), "y": b64(en.public_numbers.y, 32)}
ec_jwk = {**ec_public_jwk, "d": b64(en.private_value, 32), "kid": "ec-jwk-1"}

ed_key = ed25519.Ed25519PrivateKey.generate()
ed_raw = ed_key.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
ed_pub = ed_key.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
ed_public_jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64(ed_pub)}
ed_jwk = {**ed_public_jwk, "d": b64(ed_raw), "kid": "ed-jwk-1"}

small_rsa = rsa.generate_private_key(65537, 1024)
untrusted = ec.generate_private_key(ec.SECP256R1())
p384 = ec.generate_private_key(ec.SECP384R1())

valid = [
    {"name": "rsa-pkcs8-pem", "key": pem(rsa_key, ser.PrivateFormat.PKCS8), "algorithm": "RS256", "public_jwk": rsa_public_jwk},
    {"name": "rsa-pkcs1-pem", "key": pem(rsa_key, ser.PrivateFormat.TraditionalOpenSSL), "algorithm": "RS256", "public_jwk": rsa_public_jwk},
    {"name": "rsa-pkcs8-pem-as-ps256", "key": pem(rsa_key, ser.PrivateFormat.PKCS8), "signing_algorithm": "PS256", "algorithm": "PS256", "public_jwk": rsa_public_jwk},
    {"name": "rsa-jwk", "key": rsa_jwk, "algorithm": "RS256", "key_id": "rsa-jwk-1", "public_jwk": rsa_public_jwk},
    {"name": "ec-pkcs8-pem", "key": pem(ec_key, ser.PrivateFormat.PKCS8), "algorithm": "ES256", "public_jwk": ec_public_jwk},
    {"name": "ec-sec1-pem", "key": pem(ec_key, ser.PrivateFormat.TraditionalOpenSSL), "algorithm": "ES256", "public_jwk": ec_public_jwk},
    {"name": "ec-jwk", "key": ec_jwk, "algorithm": "ES256", "key_id": "ec-jwk-1", "public_jwk": ec_public_jwk},
    {"name": "ed25519-pkcs8-pem", "key": pem(ed_key, ser.PrivateFormat.PKCS8), "algorithm": "EdDSA", "public_jwk": ed_public_jwk},
    {"name": "ed25519-jwk", "key": ed_jwk, "algorithm": "EdDSA", "key_id": "ed-jwk-1", "public_jwk": ed_public_jwk},
    {"name": "rsa-jwk-with-key-id-option", "key": rsa_jwk, "key_id_option": "chosen-kid", "algorithm": "RS256", "key_id": "chosen-kid", "public_jwk": rsa_public_jwk},
]

encrypted = rsa_key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8,
                                  ser.BestAvailableEncryption(b"password")).decode()
invalid = [
    {"name": "encrypted-pkcs8", "key": encrypted, "error": "encrypted"},
    {"name": "public-key-pem", "key": public_pem(rsa_key), "error": "public key"},
    {"name": "public-key-jwk", "key": rsa_public_jwk, "error": "public key"},
    {"name": "rsa-1024", "key": pem(small_rsa, ser.PrivateFormat.PKCS8), "error": "2048"},
    {"name": "rsa-1024-pkcs1", "key": pem(small_rsa, ser.PrivateFormat.TraditionalOpenSSL), "error": "2048"},
    {"name": "ec-key-for-rs256", "key": pem(ec_key, ser.PrivateFormat.PKCS8), "signing_algorithm": "RS256", "error": "RS256 needs an RSA key"},
    {"name": "rsa-key-for-es256", "key": rsa_jwk, "signing_algorithm": "ES256", "error": "ES256 needs a P-256 EC key"},
    {"name": "ec-p384", "key": pem(p384, ser.PrivateFormat.PKCS8), "error": "not an RSA, P-256 EC or Ed25519"},
    {"name": "garbage", "key": "this is not a key at all", "error": "not PEM or a JWK"},
    {"name": "truncated-pem", "key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n", "error": "not an RSA, P-256 EC or Ed25519"},
    {"name": "jwk-set", "key": {"keys": [rsa_jwk]}, "error": "key set"},
    {"name": "oct-jwk-as-private-key", "key": {"kty": "oct", "k": b64(b"0123456789abcdef0123456789abcdef")}, "error": "shared secret"},
    {"name": "unknown-algorithm", "key": pem(ec_key, ser.PrivateFormat.PKCS8), "signing_algorithm": "ES512", "error": "unknown signing algorithm"},
]
hmac_secrets = [
    {"name": "hs256-secret-32-bytes", "client_secret": "0123456789abcdef0123456789abcdef", "ok": True},
    {"name": "hs256-secret-31-bytes", "client_secret": "0123456789abcdef0123456789abcde", "ok": False, "error": "at least 32 bytes"},
]

cases = []
for v in valid:
    case = {"name": v["name"], "key": v["key"]}
    if "signing_algorithm" in v:
        case["signing_algorithm"] = v["signing_algorithm"]
    if "key_id_option" in v:
        case["key_id"] = v["key_id_option"]
    case["expect"] = {"algorithm": v["algorithm"]}
    case["public_jwk"] = v["public_jwk"]
    cases.append(case)
for v in invalid:
    case = {"name": v["name"], "key": v["key"]}
    if "signing_algorithm" in v:
        case["signing_algorithm"] = v["signing_algorithm"]
    case["error"] = {"kind": "config", "message": v["error"]}
    cases.append(case)
for v in hmac_secrets:
    case = {"name": v["name"], "auth_method": "client_secret_jwt", "client_secret": v["client_secret"]}
    if v["ok"]:
        case["expect"] = {"algorithm": "HS256"}
    else:
        case["error"] = {"kind": "config", "message": v["error"]}
    cases.append(case)

doc = {
    "description": "Signing keys for private_key_jwt and client_secret_jwt. Each case builds a client with "
                   "client_id and its options: `key` as private_key (an object is a JWK, given as the language's "
                   "map), `signing_algorithm`, `key_id`, or `auth_method` with `client_secret`. With `expect`, the "
                   "client signs with `expect.algorithm`, and a token fetched from testkit (which trusts each "
                   "case's `public_jwk` and every accepted secret) proves the signature; with `error`, building is "
                   "a config error whose message contains `error.message` and no part of the key. `untrusted` is a "
                   "valid key testkit does not trust. Regenerate with scripts/gen-keys.py.",
    "cases": cases,
    "untrusted": {"name": "untrusted-ec", "key": pem(untrusted, ser.PrivateFormat.PKCS8)},
}
out = pathlib.Path(__file__).resolve().parent.parent / "conformance" / "keys.json"
out.write_text(json.dumps(doc, indent=1) + "\n")
print(f"wrote {out}")
