//! Authorization server metadata (RFC 8414), read from an issuer URL.
//!
//! [`TokenClient::discover`](crate::TokenClient::discover) starts from the issuer, as a
//! deployment's configuration does, and takes every endpoint from the server's own document:
//! first `/.well-known/oauth-authorization-server` (RFC 8414), then, when that is missing,
//! OpenID Connect's `/.well-known/openid-configuration`.
//!
//! The document's `issuer` must be the one asked for (RFC 8414 §3.3). Without that check, a
//! document served for one server could send a client's credentials to another (the
//! "mix-up" attack). A trailing `/` is the only difference allowed: many servers publish
//! `https://host/` while configurations say `https://host`.
//!
//! Documents are cached per issuer for the life of the process, for [`DEFAULT_DISCOVERY_TTL`]
//! unless the builder says otherwise, so a thousand clients built for one issuer read it once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use url::Url;

use crate::error::{Error, Result};
use crate::redact::view::{debug_through_redacted_view, Redacted, RedactedView};

/// How long a discovery document is reused before it is read again.
pub const DEFAULT_DISCOVERY_TTL: Duration = crate::options::DISCOVERY_TTL.default_duration();

/// What an authorization server says about itself (RFC 8414 §2), as far as a client uses it.
/// Every member is kept: the ones without a field are in `extra`, as the server sent them.
#[derive(Clone, PartialEq)]
pub struct ServerMetadata {
    pub issuer: String,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: String,
    pub device_authorization_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    /// Empty when the server does not say; RFC 8414 then means `client_secret_basic`.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub scopes_supported: Vec<String>,
    /// RFC 9207: the server adds `iss` to every authorization response.
    pub authorization_response_iss_parameter_supported: bool,
    pub extra: Map<String, Value>,
}

impl Redacted for ServerMetadata {
    /// Every member; the unnamed ones with their secret-named members redacted (a discovery
    /// document holds no credential, but a misconfigured server may echo one).
    fn redacted_view(&self) -> RedactedView {
        RedactedView::new("ServerMetadata")
            .show("issuer", self.issuer.as_str())
            .show("authorization_endpoint", self.authorization_endpoint.as_deref())
            .show("token_endpoint", self.token_endpoint.as_str())
            .show(
                "device_authorization_endpoint",
                self.device_authorization_endpoint.as_deref(),
            )
            .show("revocation_endpoint", self.revocation_endpoint.as_deref())
            .show("introspection_endpoint", self.introspection_endpoint.as_deref())
            .show("jwks_uri", self.jwks_uri.as_deref())
            .show(
                "token_endpoint_auth_methods_supported",
                self.token_endpoint_auth_methods_supported.clone(),
            )
            .show(
                "code_challenge_methods_supported",
                self.code_challenge_methods_supported.clone(),
            )
            .show("grant_types_supported", self.grant_types_supported.clone())
            .show("scopes_supported", self.scopes_supported.clone())
            .show(
                "authorization_response_iss_parameter_supported",
                self.authorization_response_iss_parameter_supported,
            )
            .members("extra", &self.extra)
    }
}

debug_through_redacted_view!(ServerMetadata);

impl ServerMetadata {
    /// Reads a discovery document's members. `issuer` is the one asked for.
    pub(crate) fn from_members(mut members: Map<String, Value>, issuer: &str, source: &str) -> Result<Self> {
        let mut text = |name: &str| -> Result<Option<String>> {
            match members.remove(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(other) => Err(Error::decode(format!(
                    "the discovery document at {source} has {name} as {}, not a string",
                    crate::parse::json_type(&other)
                ))),
            }
        };
        let document_issuer = text("issuer")?
            .ok_or_else(|| Error::decode(format!("the discovery document at {source} has no issuer")))?;
        if !same_issuer(&document_issuer, issuer) {
            return Err(Error::decode(format!(
                "the discovery document at {source} is for issuer {document_issuer:?}, not {issuer:?}; \
                 a document for another server is never used (RFC 8414 §3.3)"
            )));
        }
        let token_endpoint = text("token_endpoint")?
            .ok_or_else(|| Error::decode(format!("the discovery document at {source} has no token_endpoint")))?;
        let authorization_endpoint = text("authorization_endpoint")?;
        let device_authorization_endpoint = text("device_authorization_endpoint")?;
        let revocation_endpoint = text("revocation_endpoint")?;
        let introspection_endpoint = text("introspection_endpoint")?;
        let jwks_uri = text("jwks_uri")?;
        let mut list = |name: &str| -> Result<Vec<String>> {
            match members.remove(name) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => Ok(items
                    .into_iter()
                    .filter_map(|item| match item {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect()),
                Some(other) => Err(Error::decode(format!(
                    "the discovery document at {source} has {name} as {}, not an array",
                    crate::parse::json_type(&other)
                ))),
            }
        };
        let token_endpoint_auth_methods_supported = list("token_endpoint_auth_methods_supported")?;
        let code_challenge_methods_supported = list("code_challenge_methods_supported")?;
        let grant_types_supported = list("grant_types_supported")?;
        let scopes_supported = list("scopes_supported")?;
        let authorization_response_iss_parameter_supported = matches!(
            members.remove("authorization_response_iss_parameter_supported"),
            Some(Value::Bool(true))
        );
        Ok(ServerMetadata {
            issuer: document_issuer,
            authorization_endpoint,
            token_endpoint,
            device_authorization_endpoint,
            revocation_endpoint,
            introspection_endpoint,
            jwks_uri,
            token_endpoint_auth_methods_supported,
            code_challenge_methods_supported,
            grant_types_supported,
            scopes_supported,
            authorization_response_iss_parameter_supported,
            extra: members,
        })
    }

    /// Whether the server lists this client authentication method, or lists none (RFC 8414
    /// §2: absent means `client_secret_basic`).
    pub(crate) fn supports_auth_method(&self, method: &str) -> bool {
        if self.token_endpoint_auth_methods_supported.is_empty() {
            return method == "client_secret_basic";
        }
        self.token_endpoint_auth_methods_supported.iter().any(|m| m == method)
    }
}

/// RFC 8414 §3.3 and RFC 9207 compare issuers as strings; one trailing `/` is the only
/// difference allowed, since configurations and servers disagree about it so often.
pub(crate) fn same_issuer(a: &str, b: &str) -> bool {
    let one = |s: &'_ str| s.strip_suffix('/').unwrap_or(s).to_string();
    one(a) == one(b)
}

/// The two places a document may be, in the order they are tried: RFC 8414's (the
/// well-known segment goes between the host and the issuer's path), then OpenID Connect's
/// (appended to the issuer).
pub(crate) fn well_known_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let mut rfc8414 = issuer.clone();
    rfc8414.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    let mut oidc = issuer.clone();
    oidc.set_path(&format!("{path}/.well-known/openid-configuration"));
    for url in [&mut rfc8414, &mut oidc] {
        url.set_query(None);
        url.set_fragment(None);
    }
    vec![rfc8414, oidc]
}

type Cache = Mutex<HashMap<String, (Instant, Arc<ServerMetadata>)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The cached document for `issuer`, while it is younger than `ttl`.
pub(crate) fn cached(issuer: &str, ttl: Duration) -> Option<Arc<ServerMetadata>> {
    let cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    let (stored, metadata) = cache.get(issuer)?;
    (stored.elapsed() < ttl).then(|| Arc::clone(metadata))
}

/// Keeps a document, and drops those older than `ttl`, so a process that builds clients for
/// many issuers does not keep every document it ever read.
pub(crate) fn remember(issuer: &str, metadata: Arc<ServerMetadata>, ttl: Duration) {
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    cache.retain(|_, (stored, _)| stored.elapsed() < ttl);
    cache.insert(issuer.to_string(), (Instant::now(), metadata));
}

/// Forgets every cached discovery document, so the next client built reads its issuer's
/// again (after a server's keys or endpoints changed, say).
pub fn clear_discovery_cache() {
    cache().lock().unwrap_or_else(|e| e.into_inner()).clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn members(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn rfc8414_puts_the_well_known_segment_before_the_issuer_path() {
        let urls = well_known_urls(&Url::parse("https://auth.example.com/tenant/a/").unwrap());
        assert_eq!(
            urls[0].as_str(),
            "https://auth.example.com/.well-known/oauth-authorization-server/tenant/a"
        );
        assert_eq!(
            urls[1].as_str(),
            "https://auth.example.com/tenant/a/.well-known/openid-configuration"
        );
        let bare = well_known_urls(&Url::parse("https://auth.example.com").unwrap());
        assert_eq!(
            bare[0].as_str(),
            "https://auth.example.com/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            bare[1].as_str(),
            "https://auth.example.com/.well-known/openid-configuration"
        );
    }

    #[test]
    fn a_document_for_another_issuer_is_refused() {
        let doc = members(json!({"issuer": "https://evil.example", "token_endpoint": "https://evil.example/t"}));
        let e = ServerMetadata::from_members(doc, "https://auth.example.com", "x").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Decode);
        assert!(e.to_string().contains("evil.example"), "{e}");
    }

    #[test]
    fn a_trailing_slash_is_the_only_difference_allowed() {
        let doc =
            members(json!({"issuer": "https://auth.example.com/", "token_endpoint": "https://auth.example.com/t"}));
        let m = ServerMetadata::from_members(doc, "https://auth.example.com", "x").unwrap();
        assert!(m.supports_auth_method("client_secret_basic"));
        assert!(!m.supports_auth_method("client_secret_post"));
    }

    #[test]
    fn members_without_a_field_are_kept_and_wrong_types_are_named() {
        let doc = members(json!({
            "issuer": "https://a.example", "token_endpoint": "https://a.example/t",
            "token_endpoint_auth_methods_supported": ["client_secret_post", 3],
            "claims_supported": ["sub"],
        }));
        let m = ServerMetadata::from_members(doc, "https://a.example", "x").unwrap();
        assert_eq!(m.token_endpoint_auth_methods_supported, ["client_secret_post"]);
        assert!(m.extra.contains_key("claims_supported"));
        let bad = members(json!({"issuer": "https://a.example", "token_endpoint": 5}));
        let e = ServerMetadata::from_members(bad, "https://a.example", "x").unwrap_err();
        assert!(e.to_string().contains("token_endpoint as a number"), "{e}");
    }
}
