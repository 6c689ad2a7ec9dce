//! A client built from its issuer: reading the issuer's discovery document (RFC 8414, else
//! OpenID Connect), sharing it through the process's cache, and taking the endpoints and the
//! authentication method from it. `TokenClientBuilder::build` calls this for a builder made
//! by `TokenClient::discover`.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::builder::{validate_url_of, Config, EndpointUrl};
use super::{AuthMethod, Inner};
use crate::discovery::{self, ServerMetadata};
use crate::error::{Error, ErrorKind, Result};
use crate::events::{self, names, Level};
use crate::parse;
use crate::redact;

/// The issuer's document: from the cache, else RFC 8414's well-known URL, else OpenID
/// Connect's.
pub(super) fn document(probe: &Inner, issuer: &Url, issuer_text: &str, ttl: Duration) -> Result<Arc<ServerMetadata>> {
    let key = cache_key(&probe.config, issuer_text);
    let key = key.as_str();
    if let Some(metadata) = discovery::cached(key, ttl) {
        events::emit(Level::Debug, names::DISCOVERY_FETCH, || {
            vec![("url", redact::display_url(issuer).into()), ("cached", true.into())]
        });
        return Ok(metadata);
    }
    let mut first_error: Option<Error> = None;
    for url in discovery::well_known_urls(issuer) {
        let shown = redact::display_url(&url);
        let mut reached = false;
        let retries = probe.config.retry.max_retries;
        let prepare = |_| Ok(super::encode::prepare_get(&url, &probe.config.user_agent, "discovery"));
        let result = probe.attempts(prepare, false, retries, &mut reached, |_, exchange| {
            let members = parse::parse_object_answer(
                exchange.status,
                &exchange.headers,
                &exchange.body,
                probe.config.max_response_bytes,
            )?
            .ok_or_else(|| Error::decode(format!("the discovery document at {shown} is empty")))?;
            ServerMetadata::from_members(members, issuer_text, &shown)
        });
        match result {
            Ok(metadata) => {
                events::emit(Level::Debug, names::DISCOVERY_FETCH, || {
                    vec![("url", shown.as_str().into()), ("cached", false.into())]
                });
                let metadata = Arc::new(metadata);
                if !ttl.is_zero() {
                    discovery::remember(key, Arc::clone(&metadata), ttl);
                }
                return Ok(metadata);
            }
            // No answer at all: the second URL is on the same server.
            Err(e) if matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Config) => {
                return Err(e)
            }
            Err(e) => {
                // A missing RFC 8414 document is usual; a wrong one is worth reporting over
                // a missing OpenID one.
                first_error = Some(match first_error {
                    Some(first) if first.kind() != ErrorKind::HttpStatus && e.kind() == ErrorKind::HttpStatus => first,
                    _ => e,
                });
            }
        }
    }
    Err(first_error.unwrap_or_else(|| Error::decode("no discovery document")))
}

/// A cached document is reused only by a client that would have trusted the connection it
/// came over: the key holds the issuer and the client's trust settings (roots, OS store,
/// plain HTTP allowed), so a client with stricter trust reads the document itself.
pub(super) fn cache_key(config: &Config, issuer_text: &str) -> String {
    let mut roots = ring::digest::Context::new(&ring::digest::SHA256);
    for pem in &config.root_certificates {
        roots.update(&(pem.len() as u64).to_be_bytes());
        roots.update(pem);
    }
    let roots: String = roots.finish().as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}\n{}\n{}\n{roots}",
        issuer_text.trim_end_matches('/'),
        config.use_os_trust_store,
        config.allow_insecure_http
    )
}

/// Takes the endpoints and, unless the caller chose one, the auth method from a document.
pub(super) fn apply_metadata(
    config: &mut Config,
    metadata: &Arc<ServerMetadata>,
    auth_method_chosen: bool,
    token_url_override: Option<&str>,
) -> Result<()> {
    let insecure = config.allow_insecure_http;
    let token_url = token_url_override.unwrap_or(&metadata.token_endpoint);
    config.token_url = validate_url_of(token_url, "token_endpoint", insecure)?;
    config.shown_url = redact::display_url(&config.token_url);
    let endpoint = |value: &Option<String>, what: &str| -> Result<Option<EndpointUrl>> {
        value
            .as_deref()
            .map(|raw| EndpointUrl::parse(raw, what, insecure))
            .transpose()
    };
    config.authorization_endpoint = endpoint(&metadata.authorization_endpoint, "authorization_endpoint")?;
    config.device_authorization_endpoint =
        endpoint(&metadata.device_authorization_endpoint, "device_authorization_endpoint")?;
    config.revocation_endpoint = endpoint(&metadata.revocation_endpoint, "revocation_endpoint")?;
    config.introspection_endpoint = endpoint(&metadata.introspection_endpoint, "introspection_endpoint")?;
    config.issuer = Some(metadata.issuer.clone());
    if !auth_method_chosen {
        config.auth_method = match config.client_secret {
            None => AuthMethod::None,
            Some(_) if metadata.supports_auth_method("client_secret_basic") => AuthMethod::ClientSecretBasic,
            Some(_) if metadata.supports_auth_method("client_secret_post") => AuthMethod::ClientSecretPost,
            Some(_) => {
                return Err(Error::config(format!(
                    "{} lists neither client_secret_basic nor client_secret_post among its \
                     token_endpoint_auth_methods_supported ({}), and tokenfetch authenticates with a \
                     secret only those two ways; choose auth_method yourself if the list is wrong",
                    metadata.issuer,
                    metadata.token_endpoint_auth_methods_supported.join(", ")
                )))
            }
        };
    }
    config.metadata = Some(Arc::clone(metadata));
    Ok(())
}
