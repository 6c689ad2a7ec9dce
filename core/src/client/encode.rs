//! Turning a grant into the bytes and headers of one token request, and describing it safely.

use std::collections::BTreeMap;
use std::time::Duration;

/// The parameters an assertion-based client sends itself, which a caller may not also send.
const RESERVED_FOR_ASSERTIONS: &[&str] = &[
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

use base64::Engine as _;
use serde_json::{Map, Value};

use super::builder::Config;
use super::AuthMethod;
use super::BodyEncoding;
use crate::error::{Error, Result};
use crate::grant::{grant_type, TokenRequest};
use crate::jwt::{self, AssertionAudience};
use crate::model::{HttpMetadata, HttpRequestMeta, HttpResponseMeta};
use crate::redact::{self, Secrets};
use crate::secret::Secret;

/// One request, ready to send, with what may be shown of it.
pub(crate) struct Prepared {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The configuration's secrets plus this request's own credentials.
    pub secrets: Secrets,
    /// The URL as metadata shows it (query values redacted).
    pub shown_url: String,
    /// Which endpoint it goes to, for events: `token`, `revocation`, `discovery`, `jwks`...
    pub endpoint: &'static str,
}

/// A token request for one attempt: an assertion it carries is signed (or read) for this
/// attempt alone, so a retry never presents the same `jti` twice.
pub(crate) fn prepare(config: &Config, request: &TokenRequest, budget: Duration) -> Result<Prepared> {
    let mut params: Vec<(String, String)> = vec![("grant_type".into(), request.grant_type().to_string())];
    params.extend(
        request
            .expose_params()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let has = |name: &str| request.has(name);
    add_defaults(config, &mut params, has);
    let mut secrets: Vec<Secret> = Vec::new();
    if request.grant_type() == grant_type::JWT_BEARER && !request.has("assertion") {
        let assertion = grant_assertion(config, &mut params)?;
        params.push(("assertion".into(), assertion.expose_str().to_owned()));
        secrets.push(assertion);
    }
    let endpoint = Endpoint {
        url: &config.token_url,
        shown_url: &config.shown_url,
        kind: "token",
    };
    let mut prepared = prepare_at(
        config,
        endpoint,
        params,
        config.body_encoding,
        request.secret_values(),
        budget,
    )?;
    // A signed assertion may come back base64-encoded too: scrub every form of it.
    for assertion in &secrets {
        prepared.secrets.add_encoded(assertion.expose_str());
    }
    Ok(prepared)
}

/// The JWT bearer grant's assertion (RFC 7523 §2.1), signed with the client's key: `iss` the
/// client (or a service account), `sub` the subject it acts for. Google takes the scope as a
/// claim, so there it leaves the parameters.
fn grant_assertion(config: &Config, params: &mut Vec<(String, String)>) -> Result<Secret> {
    let key = config.signing_key.as_deref().ok_or_else(|| {
        Error::config(format!(
            "the jwt-bearer grant needs a private_key to sign its assertion for {} (or pass the assertion yourself)",
            config.shown_url
        ))
    })?;
    let issuer = config
        .assertion_issuer
        .as_deref()
        .or(config.client_id.as_deref())
        .ok_or_else(|| Error::config("the jwt-bearer grant needs client_id: it is the assertion's issuer"))?;
    let subject = match (&config.assertion_subject, config.scope_in_assertion) {
        (Some(subject), _) => Some(subject.as_str()),
        // Google's assertion names a subject only to impersonate one (domain-wide delegation).
        (None, true) => None,
        (None, false) => Some(issuer),
    };
    let scope = if config.scope_in_assertion {
        let joined: Vec<String> = params
            .iter()
            .filter(|(name, _)| name == "scope")
            .map(|(_, value)| value.clone())
            .collect();
        params.retain(|(name, _)| name != "scope");
        (!joined.is_empty()).then(|| joined.join(" "))
    } else {
        None
    };
    let claims = jwt::Claims {
        issuer,
        subject,
        audience: &assertion_audience(config),
        lifetime: config.assertion_lifetime,
        scope: scope.as_deref(),
    };
    jwt::sign(key, &claims)
}

fn assertion_audience(config: &Config) -> String {
    match &config.assertion_audience {
        AssertionAudience::TokenEndpoint => config.token_url.to_string(),
        // `build()` refused an issuer audience without an issuer.
        AssertionAudience::Issuer => config.issuer.clone().unwrap_or_default(),
        AssertionAudience::Custom(audience) => audience.clone(),
    }
}

/// The client assertion of `private_key_jwt` or `client_secret_jwt`, made for this request.
fn client_assertion(config: &Config, budget: Duration) -> Result<Secret> {
    let key = match config.auth_method {
        AuthMethod::ClientSecretJwt => config.secret_key.as_deref(),
        _ => {
            if let Some(source) = &config.assertion_source {
                return source.read(budget);
            }
            config.signing_key.as_deref()
        }
    }
    .ok_or_else(|| Error::config("this client has no key to sign its client assertion with"))?;
    let client_id = config.client_id.as_deref().unwrap_or_default();
    let claims = jwt::Claims {
        issuer: client_id,
        subject: Some(client_id),
        audience: &assertion_audience(config),
        lifetime: config.assertion_lifetime,
        scope: None,
    };
    jwt::sign(key, &claims)
}

/// The client's default `scope`, `audience`, `resource` and extra parameters, each unless
/// the request sets it itself.
pub(crate) fn add_defaults(config: &Config, params: &mut Vec<(String, String)>, has: impl Fn(&str) -> bool) {
    let mut defaults: Vec<(String, String)> = Vec::new();
    for (name, values) in [
        ("scope", config.scope.as_slice()),
        ("audience", config.audience.as_slice()),
        ("resource", config.resource.as_slice()),
    ] {
        if !has(name) {
            defaults.extend(values.iter().map(|v| (name.to_string(), v.clone())));
        }
    }
    for (name, value) in &config.extra_params {
        if !has(name) {
            defaults.push((name.clone(), value.clone()));
        }
    }
    params.extend(defaults);
}

/// Where a request goes: the token endpoint, or another the server published.
#[derive(Clone, Copy)]
pub(crate) struct Endpoint<'a> {
    pub url: &'a url::Url,
    pub shown_url: &'a str,
    /// What events call it (`token`, `revocation`, ...).
    pub kind: &'static str,
}

/// A POST of `params` to `endpoint`, with the client's authentication and headers.
/// `request_secrets` are the credentials among `params`, scrubbed from whatever comes back.
pub(crate) fn prepare_at<'s>(
    config: &Config,
    endpoint: Endpoint<'_>,
    mut params: Vec<(String, String)>,
    encoding: BodyEncoding,
    request_secrets: impl Iterator<Item = &'s str>,
    budget: Duration,
) -> Result<Prepared> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut assertion: Option<Secret> = None;
    match config.auth_method {
        AuthMethod::ClientSecretBasic => {
            let (id, secret) = (
                config.client_id.as_deref().unwrap_or(""),
                config.client_secret.as_ref().map_or("", Secret::expose_str),
            );
            headers.push((
                "Authorization".into(),
                format!("Basic {}", basic_credentials(id, secret)),
            ));
        }
        AuthMethod::ClientSecretPost => {
            params.push(("client_id".into(), config.client_id.clone().unwrap_or_default()));
            let secret = config.client_secret.as_ref().map_or("", Secret::expose_str);
            params.push(("client_secret".into(), secret.to_owned()));
        }
        AuthMethod::None => {
            if let Some(id) = &config.client_id {
                params.push(("client_id".into(), id.clone()));
            }
        }
        // Never with a Basic header as well: RFC 6749 §2.3 allows one method per request.
        AuthMethod::PrivateKeyJwt | AuthMethod::ClientSecretJwt => {
            // A caller's parameter or header of the same name would travel first, and many
            // servers read the first: one identity per request, the client's own.
            if let Some((name, _)) = params
                .iter()
                .find(|(name, _)| RESERVED_FOR_ASSERTIONS.contains(&name.as_str()))
            {
                return Err(Error::config(format!(
                    "the parameter {name} is the client's own with auth method {}: leave it out of params and extra_params",
                    config.auth_method.as_str()
                )));
            }
            if config
                .extra_headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
            {
                return Err(Error::config(format!(
                    "an Authorization header would authenticate a second way beside auth method {}: leave it out of headers",
                    config.auth_method.as_str()
                )));
            }
            let signed = client_assertion(config, budget)?;
            params.push(("client_id".into(), config.client_id.clone().unwrap_or_default()));
            params.push(("client_assertion_type".into(), jwt::CLIENT_ASSERTION_TYPE.into()));
            params.push(("client_assertion".into(), signed.expose_str().to_owned()));
            assertion = Some(signed);
        }
    }

    let (content_type, body) = match encoding {
        BodyEncoding::Form => (
            "application/x-www-form-urlencoded",
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&params)
                .finish()
                .into_bytes(),
        ),
        BodyEncoding::Json => ("application/json", json_body(&params)),
    };
    headers.push(("Content-Type".into(), content_type.into()));
    headers.push(("Accept".into(), "application/json".into()));
    headers.push(("User-Agent".into(), config.user_agent.clone()));
    for (name, value) in &config.extra_headers {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value.clone()));
    }

    let mut secrets = config.secrets.clone();
    for value in request_secrets {
        secrets.add(value);
    }
    if let Some(assertion) = &assertion {
        secrets.add_encoded(assertion.expose_str());
    }
    Ok(Prepared {
        method: "POST",
        url: endpoint.url.to_string(),
        shown_url: endpoint.shown_url.to_string(),
        endpoint: endpoint.kind,
        headers,
        body,
        secrets,
    })
}

/// A GET of a public document (discovery): no client authentication, nothing to scrub.
/// A GET that presents `access_token` as a bearer token (RFC 6750 §2.1), with the token and
/// the configuration's secrets scrubbed from whatever comes back.
pub(crate) fn prepare_bearer_get(config: &Config, url: &url::Url, access_token: &str) -> Prepared {
    let mut prepared = prepare_get(url, &config.user_agent, "userinfo");
    prepared
        .headers
        .push(("Authorization".into(), format!("Bearer {access_token}")));
    prepared.secrets = config.secrets.clone();
    prepared.secrets.add(access_token);
    prepared
}

pub(crate) fn prepare_get(url: &url::Url, user_agent: &str, endpoint: &'static str) -> Prepared {
    Prepared {
        method: "GET",
        url: url.to_string(),
        shown_url: redact::display_url(url),
        endpoint,
        headers: vec![
            ("Accept".into(), "application/json".into()),
            ("User-Agent".into(), user_agent.into()),
        ],
        body: Vec::new(),
        secrets: Secrets::new(),
    }
}

/// `base64(urlencode(id) ":" urlencode(secret))`, RFC 6749 §2.3.1: the encoding step is what
/// lets ids and secrets contain `:`, `+` or `%`.
pub(crate) fn basic_credentials(id: &str, secret: &str) -> String {
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", encode(id), encode(secret)))
}

/// Parameters as a JSON object; a repeated name (`resource`) becomes an array.
fn json_body(params: &[(String, String)]) -> Vec<u8> {
    let mut map = Map::new();
    for (name, value) in params {
        match map.get_mut(name) {
            None => {
                map.insert(name.clone(), Value::String(value.clone()));
            }
            Some(Value::Array(items)) => items.push(Value::String(value.clone())),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value.clone())]);
            }
        }
    }
    serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
}

impl Prepared {
    /// The metadata of this request, with `response` as far as it arrived.
    pub fn meta(&self, response: Option<HttpResponseMeta>) -> HttpMetadata {
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), redact::redact_request_header(k, v)))
            .collect();
        HttpMetadata {
            request: HttpRequestMeta {
                method: self.method.into(),
                url: self.shown_url.clone(),
                headers,
            },
            response,
        }
    }

    /// Response headers as metadata shows them: names in lower case, repeats joined, and
    /// every credential removed from the values.
    pub fn response_headers(&self, headers: &[(String, String)]) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in headers {
            let name = name.to_ascii_lowercase();
            let value = redact::redact_response_header(&name, value, &self.secrets);
            map.entry(name)
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded_before_base64() {
        let encoded = basic_credentials("cc special:id", "p@ss:w0rd+/= &%");
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "cc+special%3Aid:p%40ss%3Aw0rd%2B%2F%3D+%26%25"
        );
    }

    #[test]
    fn json_bodies_turn_repeated_names_into_arrays() {
        let body = json_body(&[
            ("resource".into(), "a".into()),
            ("resource".into(), "b".into()),
            ("x".into(), "1".into()),
        ]);
        assert_eq!(String::from_utf8(body).unwrap(), r#"{"resource":["a","b"],"x":"1"}"#);
    }
}
