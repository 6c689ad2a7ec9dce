//! A small OpenID provider at `/op/<flavor>`: discovery, a JWKS, an authorization endpoint
//! that approves at once, and a token endpoint that signs ID tokens with keys generated when
//! the testkit starts (ES256 and EdDSA; RS256 with `conformance/keys.json`'s RSA key, since
//! ring cannot generate RSA keys).
//!
//! A sign-in picks how its ID token goes wrong with `tf_id_token=<mode>` on the authorization
//! URL (one of [`MODES`]); the code and its refresh tokens remember it. Flavors change the
//! provider itself: `main`; `big-jwks` and `deep-jwks` (a JWKS too large or too deeply nested to
//! read). `POST /op/<flavor>/__rotate` replaces the EC key with a new `kid`; `GET
//! /op/<flavor>/__stats` counts JWKS reads. The client is `rp` with secret `rp-secret`.
//!
//! The `par` flavor takes pushed authorization requests (RFC 9126) at `/par` and requires them
//! (`require_pushed_authorization_requests`): `/authorize` then reads its parameters from the
//! `request_uri` alone, once. A pushed `tf_par=<how>` makes the answer hostile: `no-uri`,
//! `zero-expiry`, `echo-secret` (the client secret as the `request_uri`), `long-uri`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use serde_json::{json, Map, Value};

use crate::http::{Reply, Request};

pub(crate) const CLIENT_ID: &str = "rp";
pub(crate) const CLIENT_SECRET: &str = "rp-secret";

/// How an ID token is made wrong, each for one check of the client.
pub(crate) const MODES: &[&str] = &[
    "good",
    "es256",
    "eddsa",
    "ps256",
    "wrong-signature",
    "alg-none",
    "hs256-with-public-key",
    "jwk-header",
    "crit",
    "wrong-iss",
    "wrong-aud",
    "wrong-azp",
    "several-aud",
    "wrong-nonce",
    "expired",
    "not-yet-valid",
    "future-iat",
    "at-hash-mismatch",
    "c-hash-mismatch",
    "unknown-kid",
    "oversized",
    "deep-nesting",
    "refresh-other-sub",
    "old-auth-time",
    "userinfo-other-sub",
];

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn random() -> String {
    let mut bytes = [0u8; 16];
    let _ = SystemRandom::new().fill(&mut bytes);
    b64(&bytes)
}

struct Keys {
    rsa: RsaKeyPair,
    rsa_jwk: Map<String, Value>,
    ec: EcdsaKeyPair,
    ec_kid: String,
    ed: Ed25519KeyPair,
    /// A key no JWKS lists, for signatures by someone else.
    stranger: EcdsaKeyPair,
}

fn ec_pair() -> EcdsaKeyPair {
    let rng = SystemRandom::new();
    let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).expect("P-256 key generation");
    EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).expect("a key ring made")
}

fn new_keys() -> Keys {
    let doc: Value = serde_json::from_str(include_str!("../../conformance/keys.json")).expect("keys.json");
    let case = doc["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["name"] == "rsa-pkcs8-pem"))
        .expect("the RSA test key");
    let pem = case["key"].as_str().unwrap_or_default();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body");
    let rsa = RsaKeyPair::from_pkcs8(&der).expect("the RSA test key parses");
    let rsa_jwk = case["public_jwk"].as_object().cloned().unwrap_or_default();
    let rng = SystemRandom::new();
    let ed_pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("Ed25519 key generation");
    Keys {
        rsa,
        rsa_jwk,
        ec: ec_pair(),
        ec_kid: format!("ec-{}", &random()[..8]),
        ed: Ed25519KeyPair::from_pkcs8(ed_pkcs8.as_ref()).expect("a key ring made"),
        stranger: ec_pair(),
    }
}

struct Grant {
    mode: String,
    nonce: Option<String>,
    challenge: Option<String>,
    redirect_uri: String,
}

/// One provider: its keys and what it remembers. Each testkit and flavor has its own, so
/// tests running side by side in one process do not see each other's reads or rotations.
struct Provider {
    keys: Keys,
    codes: HashMap<String, Grant>,
    /// Refresh token -> the sign-in's mode.
    refresh: HashMap<String, String>,
    jwks_reads: u64,
    userinfo: HashMap<String, String>,
    /// Pushed request_uri -> the parameters pushed with it.
    pushed: HashMap<String, Vec<(String, String)>>,
}

fn providers() -> &'static Mutex<HashMap<String, Provider>> {
    static PROVIDERS: OnceLock<Mutex<HashMap<String, Provider>>> = OnceLock::new();
    PROVIDERS.get_or_init(Default::default)
}

/// Runs `f` on the provider of `issuer`, made on first use.
fn with_provider<T>(issuer: &str, f: impl FnOnce(&mut Provider) -> T) -> T {
    let mut providers = providers().lock().unwrap_or_else(|e| e.into_inner());
    let provider = providers.entry(issuer.to_string()).or_insert_with(|| Provider {
        keys: new_keys(),
        codes: HashMap::new(),
        refresh: HashMap::new(),
        jwks_reads: 0,
        userinfo: HashMap::new(),
        pushed: HashMap::new(),
    });
    f(provider)
}

/// Answers `/op/<flavor>/...`, or `None` when the path is not the provider's.
pub(crate) fn route(request: &Request, addr: SocketAddr) -> Option<Reply> {
    let rest = request.path.strip_prefix("/op/")?;
    let (flavor, tail) = rest.split_once('/')?;
    if !matches!(flavor, "main" | "big-jwks" | "deep-jwks" | "signed-userinfo" | "par") {
        return None;
    }
    let issuer = format!("http://{addr}/op/{flavor}");
    Some(match (request.method.as_str(), tail) {
        ("GET", ".well-known/openid-configuration") => discovery(flavor, &issuer),
        ("GET", "jwks") => jwks(flavor, &issuer),
        ("GET", "authorize") => authorize(request, flavor, &issuer),
        ("POST", "par") if flavor == "par" => push(request, &issuer),
        ("POST", "token") => token(request, &issuer),
        ("GET" | "POST", "userinfo") => userinfo(request, flavor, &issuer),
        ("POST", "__rotate") => with_provider(&issuer, |p| {
            p.keys.ec = ec_pair();
            p.keys.ec_kid = format!("ec-{}", &random()[..8]);
            Reply::json(200, json!({ "kid": p.keys.ec_kid }))
        }),
        ("GET", "__stats") => {
            let reads = with_provider(&issuer, |p| p.jwks_reads);
            Reply::json(200, json!({ "jwks_reads": reads }))
        }
        _ => Reply::json(404, json!({ "error": "not_found", "path": request.path })),
    })
}

fn discovery(flavor: &str, issuer: &str) -> Reply {
    let mut doc = json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": format!("{issuer}/token"),
            "userinfo_endpoint": format!("{issuer}/userinfo"),
            "end_session_endpoint": format!("{issuer}/logout"),
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "PS256", "ES256", "EdDSA"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "authorization_response_iss_parameter_supported": true
    });
    if flavor == "par" {
        doc["pushed_authorization_request_endpoint"] = json!(format!("{issuer}/par"));
        doc["require_pushed_authorization_requests"] = json!(true);
    }
    Reply::json(200, doc)
}

/// RFC 9126 §2: the client authenticates, the parameters are kept under a fresh
/// `request_uri`, answered with 201.
fn push(request: &Request, issuer: &str) -> Reply {
    if request.client_credentials() != (Some(CLIENT_ID.into()), Some(CLIENT_SECRET.into())) {
        return Reply::oauth_error(401, "invalid_client", "client authentication failed");
    }
    let params: Vec<(String, String)> = request.params().into_iter().collect();
    // As oidc-provider does: the pushed parameters are an authorization request, which names
    // its client (RFC 6749 §4.1.1) whatever the authentication carried.
    if !params.iter().any(|(name, _)| name == "client_id") {
        return Reply::oauth_error(400, "invalid_request", "client_id is required");
    }
    if params.iter().any(|(name, _)| name == "request_uri") {
        return Reply::oauth_error(400, "invalid_request", "request_uri may not be pushed (RFC 9126 §2.1)");
    }
    let how = params.iter().find(|(n, _)| n == "tf_par").map(|(_, v)| v.clone());
    let request_uri = format!("urn:ietf:params:oauth:request_uri:{}", random());
    with_provider(issuer, |p| p.pushed.insert(request_uri.clone(), params));
    let answer = match how.as_deref() {
        Some("no-uri") => json!({ "expires_in": 60 }),
        Some("zero-expiry") => json!({ "request_uri": request_uri, "expires_in": 0 }),
        Some("echo-secret") => json!({ "request_uri": CLIENT_SECRET, "expires_in": 60 }),
        Some("long-uri") => json!({ "request_uri": format!("{request_uri}{}", "x".repeat(4096)), "expires_in": 60 }),
        _ => json!({ "request_uri": request_uri, "expires_in": 60 }),
    };
    Reply::json(201, answer)
}

fn public_jwks(keys: &Keys) -> Value {
    let point = keys.ec.public_key().as_ref();
    let mut rsa = keys.rsa_jwk.clone();
    rsa.insert("kid".into(), json!("rsa-1"));
    rsa.insert("use".into(), json!("sig"));
    json!({ "keys": [
        rsa,
        { "kty": "EC", "crv": "P-256", "kid": keys.ec_kid, "use": "sig", "alg": "ES256",
          "x": b64(&point[1..33]), "y": b64(&point[33..65]) },
        { "kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "use": "sig", "x": b64(keys.ed.public_key().as_ref()) },
    ]})
}

fn jwks(flavor: &str, issuer: &str) -> Reply {
    let doc = with_provider(issuer, |p| {
        p.jwks_reads += 1;
        public_jwks(&p.keys)
    });
    match flavor {
        "big-jwks" => {
            let mut doc = doc;
            doc["padding"] = json!("x".repeat(400 * 1024));
            Reply::json(200, doc)
        }
        "deep-jwks" => {
            let deep = format!("{{\"keys\": [], \"x\": {}1{}}}", "[".repeat(500), "]".repeat(500));
            Reply::text(200, "application/json", &deep)
        }
        _ => Reply::json(200, doc),
    }
}

fn query<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn authorize(request: &Request, flavor: &str, issuer: &str) -> Reply {
    // A pushed request's parameters come from the request_uri (once), the others from the URL.
    let pushed = match query(request, "request_uri") {
        Some(uri) => match with_provider(issuer, |p| p.pushed.remove(uri)) {
            Some(params) => Some(params),
            None => return Reply::oauth_error(400, "invalid_request_uri", "unknown or used request_uri"),
        },
        None if flavor == "par" => {
            return Reply::oauth_error(
                400,
                "invalid_request",
                "this provider requires pushed authorization requests",
            )
        }
        None => None,
    };
    let owned: Vec<(String, String)> = match pushed {
        Some(mut params) => {
            params.push((
                "client_id".into(),
                query(request, "client_id").unwrap_or_default().into(),
            ));
            params
        }
        None => request.query.clone(),
    };
    let query = |name: &str| owned.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let (Some(redirect_uri), Some(state)) = (query("redirect_uri"), query("state")) else {
        return Reply::oauth_error(400, "invalid_request", "redirect_uri and state are required");
    };
    if query("client_id") != Some(CLIENT_ID) {
        return Reply::oauth_error(400, "invalid_client", "unknown client_id");
    }
    let mode = query("tf_id_token").unwrap_or("good").to_string();
    if !MODES.contains(&mode.as_str()) {
        return Reply::oauth_error(400, "invalid_request", "unknown tf_id_token mode");
    }
    let code = random();
    with_provider(issuer, |p| {
        p.codes.insert(
            code.clone(),
            Grant {
                mode,
                nonce: query("nonce").map(str::to_string),
                challenge: query("code_challenge").map(str::to_string),
                redirect_uri: redirect_uri.to_string(),
            },
        )
    });
    let mut location = format!("{redirect_uri}{}", if redirect_uri.contains('?') { '&' } else { '?' });
    location.push_str(
        &form_urlencoded::Serializer::new(String::new())
            .append_pair("code", &code)
            .append_pair("state", state)
            .append_pair("iss", issuer)
            .finish(),
    );
    Reply::text(302, "text/plain", "").header("Location", &location)
}

fn token(request: &Request, issuer: &str) -> Reply {
    if request.client_credentials() != (Some(CLIENT_ID.into()), Some(CLIENT_SECRET.into())) {
        return Reply::oauth_error(401, "invalid_client", "client authentication failed");
    }
    let params = request.params();
    let get = |name: &str| params.get(name).map(String::as_str);
    let (mode, nonce, code) = match get("grant_type") {
        Some("authorization_code") => {
            let Some(grant) = get("code").and_then(|c| with_provider(issuer, |p| p.codes.remove(c))) else {
                return Reply::oauth_error(400, "invalid_grant", "unknown or spent code");
            };
            if get("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return Reply::oauth_error(
                    400,
                    "invalid_grant",
                    "redirect_uri differs from the authorization request's",
                );
            }
            if let Some(challenge) = &grant.challenge {
                let verifier = get("code_verifier").unwrap_or_default();
                if b64(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref()) != *challenge {
                    return Reply::oauth_error(400, "invalid_grant", "PKCE verification failed");
                }
            }
            (grant.mode, grant.nonce, get("code").map(str::to_string))
        }
        Some("refresh_token") => {
            let Some(mode) = get("refresh_token").and_then(|rt| with_provider(issuer, |p| p.refresh.remove(rt))) else {
                return Reply::oauth_error(400, "invalid_grant", "unknown or spent refresh token");
            };
            (mode, None, None)
        }
        _ => return Reply::oauth_error(400, "unsupported_grant_type", "authorization_code or refresh_token"),
    };
    let access_token = random();
    let refresh_token = random();
    let refreshed = code.is_none();
    let id_token = with_provider(issuer, |p| {
        p.refresh.insert(refresh_token.clone(), mode.clone());
        let sub = if mode == "userinfo-other-sub" {
            "user-43"
        } else {
            "user-42"
        };
        p.userinfo.insert(access_token.clone(), sub.into());
        id_token(
            &p.keys,
            &mode,
            issuer,
            nonce.as_deref(),
            &access_token,
            code.as_deref(),
            refreshed,
        )
    });
    Reply::json(
        200,
        json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                "refresh_token": refresh_token, "id_token": id_token, "scope": "openid profile" }),
    )
}

/// The user behind a bearer token: JSON, or for the `signed-userinfo` flavor a JWT signed with
/// the provider's EC key (what `userinfo_signed_response_alg` asks of a provider).
fn userinfo(request: &Request, flavor: &str, issuer: &str) -> Reply {
    let token = request
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    with_provider(issuer, |p| {
        let Some(sub) = p.userinfo.get(&token).cloned() else {
            return Reply::json(401, json!({ "error": "invalid_token" }))
                .header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        };
        if flavor != "signed-userinfo" {
            return Reply::json(
                200,
                json!({ "sub": sub, "name": "Ann Example", "email": "ann@example.com" }),
            );
        }
        let header = json!({ "alg": "ES256", "kid": p.keys.ec_kid, "typ": "JWT" });
        let claims = json!({ "sub": sub, "name": "Ann Example", "iss": issuer, "aud": CLIENT_ID });
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let signature = p
            .keys
            .ec
            .sign(&SystemRandom::new(), input.as_bytes())
            .map(|s| s.as_ref().to_vec())
            .unwrap_or_default();
        Reply::text(200, "application/jwt", &format!("{input}.{}", b64(&signature)))
    })
}

fn half_hash(value: &str, eddsa: bool) -> String {
    let digest = if eddsa {
        ring::digest::digest(&ring::digest::SHA512, value.as_bytes())
    } else {
        ring::digest::digest(&ring::digest::SHA256, value.as_bytes())
    };
    let bytes = digest.as_ref();
    b64(&bytes[..bytes.len() / 2])
}

/// The ID token of one answer, wrong in the way `mode` says.
fn id_token(
    keys: &Keys,
    mode: &str,
    issuer: &str,
    nonce: Option<&str>,
    access_token: &str,
    code: Option<&str>,
    refreshed: bool,
) -> String {
    let now = now();
    let alg = match mode {
        "es256" | "jwk-header" | "unknown-kid" => "ES256",
        "eddsa" => "EdDSA",
        "ps256" => "PS256",
        "alg-none" => "none",
        "hs256-with-public-key" => "HS256",
        _ => "RS256",
    };
    let eddsa = alg == "EdDSA";
    let mut claims = json!({
        "iss": issuer, "sub": "user-42", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
        "auth_time": now - 5, "at_hash": half_hash(access_token, eddsa), "name": "Ann Example",
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(code) = code {
        claims["c_hash"] = json!(half_hash(code, eddsa));
    }
    match mode {
        "wrong-iss" => claims["iss"] = json!("https://evil.example"),
        "wrong-aud" => claims["aud"] = json!("another-client"),
        "wrong-azp" => {
            claims["aud"] = json!([CLIENT_ID, "api"]);
            claims["azp"] = json!("api");
        }
        "several-aud" => claims["aud"] = json!([CLIENT_ID, "api"]),
        "wrong-nonce" => claims["nonce"] = json!("someone-elses-nonce"),
        "expired" => {
            claims["iat"] = json!(now - 900);
            claims["exp"] = json!(now - 600);
        }
        "not-yet-valid" => claims["nbf"] = json!(now + 600),
        "future-iat" => claims["iat"] = json!(now + 600),
        "at-hash-mismatch" => claims["at_hash"] = json!(half_hash("another-access-token", eddsa)),
        "c-hash-mismatch" => claims["c_hash"] = json!(half_hash("another-code", eddsa)),
        "oversized" => claims["padding"] = json!("x".repeat(80 * 1024)),
        "refresh-other-sub" if refreshed => claims["sub"] = json!("user-43"),
        "old-auth-time" => claims["auth_time"] = json!(now - 7200),
        _ => {}
    }
    let mut header = json!({ "alg": alg, "typ": "JWT" });
    match alg {
        "ES256" => header["kid"] = json!(keys.ec_kid),
        "EdDSA" => header["kid"] = json!("ed-1"),
        "none" => {}
        _ => header["kid"] = json!("rsa-1"),
    }
    if mode == "crit" {
        header["crit"] = json!(["tf-ext"]);
        header["tf-ext"] = json!(true);
    }
    if mode == "jwk-header" || mode == "unknown-kid" {
        header["kid"] = json!(format!("stranger-{}", &random()[..6]));
    }
    if mode == "jwk-header" {
        let point = keys.stranger.public_key().as_ref();
        header["jwk"] = json!({ "kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65]) });
    }
    let payload = if mode == "deep-nesting" {
        let text = claims.to_string();
        format!(
            "{}, \"deep\": {}1{}}}",
            &text[..text.len() - 1],
            "[".repeat(300),
            "]".repeat(300)
        )
    } else {
        claims.to_string()
    };
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload.as_bytes()));
    let rng = SystemRandom::new();
    let signature = match alg {
        "ES256" if mode == "jwk-header" || mode == "unknown-kid" => keys
            .stranger
            .sign(&rng, input.as_bytes())
            .map(|s| s.as_ref().to_vec())
            .unwrap_or_default(),
        "ES256" => keys
            .ec
            .sign(&rng, input.as_bytes())
            .map(|s| s.as_ref().to_vec())
            .unwrap_or_default(),
        "EdDSA" => keys.ed.sign(input.as_bytes()).as_ref().to_vec(),
        "none" => Vec::new(),
        "HS256" => {
            // The algorithm-confusion attack: the RSA public key (as its JWK's n) as HMAC secret.
            let secret = keys.rsa_jwk.get("n").and_then(Value::as_str).unwrap_or_default();
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
            ring::hmac::sign(&key, input.as_bytes()).as_ref().to_vec()
        }
        _ => {
            let padding: &dyn signature::RsaEncoding = if alg == "PS256" {
                &signature::RSA_PSS_SHA256
            } else {
                &signature::RSA_PKCS1_SHA256
            };
            let mut out = vec![0u8; keys.rsa.public().modulus_len()];
            let _ = keys.rsa.sign(padding, &rng, input.as_bytes(), &mut out);
            out
        }
    };
    let mut signature = signature;
    if mode == "wrong-signature" {
        if let Some(last) = signature.last_mut() {
            *last ^= 1;
        }
    }
    format!("{input}.{}", b64(&signature))
}
