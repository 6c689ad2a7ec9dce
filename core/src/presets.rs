//! Ready-made clients for the systems in the seed models: Prove and Gusto.
//!
//! The base URLs and request shapes come from the providers' own public SDKs:
//! - Prove: `prove-identity/prove-sdk-server-java` (and its TypeScript, Go and .NET twins),
//!   README "Server Selection" lists uat-us, prod-us, uat-eu and prod-eu; `V3TokenRequest`
//!   posts `client_id`, `client_secret` and `grant_type=client_credentials` form-encoded to
//!   `POST {base}/token`.
//! - Gusto: Gusto's embedded API docs and `Gusto/embedded-react-sdk-demo-app` README,
//!   "Get System Access Token": `POST https://api.gusto-demo.com/oauth/token` with a JSON body
//!   `{client_id, client_secret, grant_type: "system_access"}`; refreshes use
//!   `grant_type: "refresh_token"`; API calls carry `X-Gusto-API-Version`.

use std::fmt;
use std::str::FromStr;

use crate::client::{AuthMethod, BodyEncoding, TokenClient, TokenClientBuilder};
use crate::error::{Error, Result};
use crate::grant::TokenRequest;

/// Prove's environments. `uat-us` is the default, as in Prove's SDKs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProveEnvironment {
    #[default]
    UatUs,
    ProdUs,
    UatEu,
    ProdEu,
}

impl ProveEnvironment {
    pub const ALL: [ProveEnvironment; 4] = [Self::UatUs, Self::ProdUs, Self::UatEu, Self::ProdEu];

    pub fn base_url(self) -> &'static str {
        match self {
            Self::UatUs => "https://platform.uat.proveapis.com",
            Self::ProdUs => "https://platform.proveapis.com",
            Self::UatEu => "https://platform.uat.eu.proveapis.com",
            Self::ProdEu => "https://platform.eu.proveapis.com",
        }
    }

    pub fn token_url(self) -> String {
        format!("{}/token", self.base_url())
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UatUs => "uat-us",
            Self::ProdUs => "prod-us",
            Self::UatEu => "uat-eu",
            Self::ProdEu => "prod-eu",
        }
    }
}

impl FromStr for ProveEnvironment {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::config(format!(
                    "unknown Prove environment {s:?}: use uat-us, prod-us, uat-eu or prod-eu"
                ))
            })
    }
}

impl fmt::Display for ProveEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Gusto's environments: `demo` (the sandbox) and `prod`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GustoEnvironment {
    #[default]
    Demo,
    Prod,
}

/// The `X-Gusto-API-Version` sent by default; override it with `.header(...)` on the builder.
pub const GUSTO_API_VERSION: &str = "2025-06-15";

impl GustoEnvironment {
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Demo => "https://api.gusto-demo.com",
            Self::Prod => "https://api.gusto.com",
        }
    }

    pub fn token_url(self) -> String {
        format!("{}/oauth/token", self.base_url())
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Demo => "demo",
            Self::Prod => "prod",
        }
    }
}

impl FromStr for GustoEnvironment {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "demo" => Ok(Self::Demo),
            "prod" | "production" => Ok(Self::Prod),
            _ => Err(Error::config(format!(
                "unknown Gusto environment {s:?}: use demo or prod"
            ))),
        }
    }
}

impl fmt::Display for GustoEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TokenClientBuilder {
    /// A builder preset for Prove: `POST {base}/token`, form-encoded, credentials in the body,
    /// client credentials grant.
    pub fn prove(env: ProveEnvironment, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        TokenClient::builder(env.token_url())
            .client_id(client_id)
            .client_secret(client_secret)
            .auth_method(AuthMethod::ClientSecretPost)
            .body_encoding(BodyEncoding::Form)
            .default_grant(TokenRequest::client_credentials())
    }

    /// A builder preset for Gusto: `POST /oauth/token`, JSON body, credentials in the body,
    /// `system_access` grant, `X-Gusto-API-Version` header.
    pub fn gusto(env: GustoEnvironment, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        TokenClient::builder(env.token_url())
            .client_id(client_id)
            .client_secret(client_secret)
            .auth_method(AuthMethod::ClientSecretPost)
            .body_encoding(BodyEncoding::Json)
            .header("X-Gusto-API-Version", GUSTO_API_VERSION)
            .default_grant(TokenRequest::gusto_system_access())
    }
}

/// Google's token endpoint, for a key file without `token_uri`.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// Entra ID's public-cloud authority, unless `AZURE_AUTHORITY_HOST` names another.
pub const ENTRA_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";

impl TokenClientBuilder {
    /// A Google service account, from the text of its JSON key file: signs the JWT bearer
    /// grant (RFC 7523 §2.1) with the file's `private_key`, `kid` its `private_key_id`, `iss`
    /// its `client_email`, at its `token_uri`. Give the scopes with [`Self::scope`] and a user
    /// to act for with [`Self::assertion_subject`].
    ///
    /// Only `"type": "service_account"` is accepted. An `external_account` file names URLs
    /// and commands that tokenfetch would fetch or run, and Google warns against using such a
    /// file unless you made it; `authorized_user` files hold a user's refresh token.
    pub fn google_service_account(json: &str) -> Result<Self> {
        let file: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
            .map_err(|_| Error::config("the Google service account key is not a JSON object"))?;
        let field = |name: &str| -> Result<String> {
            file.get(name)
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| Error::config(format!("the Google service account key has no \"{name}\"")))
        };
        match file.get("type").and_then(|v| v.as_str()) {
            Some("service_account") => {}
            Some(other) => {
                return Err(Error::config(format!(
                    "the Google credentials file is of type {}, not \"service_account\": tokenfetch signs with \
                     service account keys only, and refuses other credential files (Google warns that an external \
                     account file can make a client fetch any URL or run any command)",
                    crate::redact::shown_choice(other)
                )))
            }
            None => return Err(Error::config("the Google service account key has no \"type\"")),
        }
        let token_uri = file
            .get("token_uri")
            .and_then(|v| v.as_str())
            .unwrap_or(GOOGLE_TOKEN_URI)
            .to_string();
        let email = field("client_email")?;
        Ok(TokenClient::builder(token_uri)
            .auth_method(AuthMethod::None)
            .private_key(field("private_key")?)
            .key_id(field("private_key_id")?)
            .assertion_issuer(email)
            .scope_in_assertion()
            .default_grant(TokenRequest::jwt_bearer()))
    }

    /// [`Self::google_service_account`] from the key file at `path`. A failure names the path.
    pub fn google_service_account_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = crate::jwt::read_small_file(path, "the Google service account key file")?;
        Self::google_service_account(&text).map_err(|e| match e {
            Error::Config { message } => Error::config(format!("{message} (in {})", crate::jwt::shown_path(path))),
            other => other,
        })
    }

    /// Microsoft Entra ID workload identity (AKS, or any federated credential): the client id,
    /// tenant and token file from `AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and
    /// `AZURE_FEDERATED_TOKEN_FILE`, the authority from `AZURE_AUTHORITY_HOST` (else the public
    /// cloud). The file is read again for every request, since the platform rotates it.
    pub fn entra_workload_identity() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok();
        let settings = EntraSettings {
            client_id: var("AZURE_CLIENT_ID"),
            tenant_id: var("AZURE_TENANT_ID"),
            token_file: var("AZURE_FEDERATED_TOKEN_FILE"),
            authority_host: var("AZURE_AUTHORITY_HOST"),
        };
        Self::entra_workload_identity_with(settings, crate::options::table::Language::Rust)
    }

    #[doc(hidden)]
    pub fn entra_workload_identity_with(
        settings: EntraSettings,
        language: crate::options::table::Language,
    ) -> Result<Self> {
        let missing = |option: &str, variable: &str| {
            Error::config(format!(
                "{variable} is not set: Entra workload identity needs it (the Azure webhook sets it in the pod), or pass {}",
                language.spell(option, false)
            ))
        };
        let client_id = settings
            .client_id
            .ok_or_else(|| missing("client_id", "AZURE_CLIENT_ID"))?;
        let tenant = settings
            .tenant_id
            .ok_or_else(|| missing("tenant_id", "AZURE_TENANT_ID"))?;
        let token_file = settings
            .token_file
            .ok_or_else(|| missing("client_assertion_file", "AZURE_FEDERATED_TOKEN_FILE"))?;
        // The tenant becomes a path segment: a GUID or a domain name, nothing that could
        // change the path.
        if tenant.is_empty()
            || !tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            || tenant.starts_with('.')
        {
            return Err(Error::config(
                "the Entra tenant id must be a GUID or a domain name (letters, digits, '-' and '.')",
            ));
        }
        let authority = settings
            .authority_host
            .unwrap_or_else(|| ENTRA_AUTHORITY_HOST.to_string());
        let token_url = format!("{}/{tenant}/oauth2/v2.0/token", authority.trim_end_matches('/'));
        Ok(TokenClient::builder(token_url)
            .client_id(client_id)
            .auth_method(AuthMethod::PrivateKeyJwt)
            .client_assertion_file(token_file))
    }
}

/// What Entra workload identity reads from its environment variables.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct EntraSettings {
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
    pub token_file: Option<String>,
    pub authority_host: Option<String>,
}

impl TokenClient {
    /// A client for Prove's token endpoint in `env`.
    pub fn prove(
        env: ProveEnvironment,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<TokenClient> {
        TokenClientBuilder::prove(env, client_id, client_secret).build()
    }

    /// A client for Gusto's token endpoint in `env`. Its default grant is `system_access`:
    /// `client.fetch(&client.default_request())` or a `TokenManager` gets a system token.
    pub fn gusto(
        env: GustoEnvironment,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<TokenClient> {
        TokenClientBuilder::gusto(env, client_id, client_secret).build()
    }

    /// Gusto's `system_access` grant.
    pub fn system_access(&self) -> Result<crate::TokenResponse> {
        self.fetch(&TokenRequest::gusto_system_access())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prove_environments_have_the_documented_token_urls() {
        let urls: Vec<String> = ProveEnvironment::ALL.iter().map(|e| e.token_url()).collect();
        assert_eq!(
            urls,
            [
                "https://platform.uat.proveapis.com/token",
                "https://platform.proveapis.com/token",
                "https://platform.uat.eu.proveapis.com/token",
                "https://platform.eu.proveapis.com/token",
            ]
        );
        assert_eq!("PROD-EU".parse::<ProveEnvironment>().unwrap(), ProveEnvironment::ProdEu);
        assert!("prod-asia".parse::<ProveEnvironment>().is_err());
    }

    #[test]
    fn gusto_presets_use_oauth_token_and_system_access() {
        let client = TokenClient::gusto(GustoEnvironment::Demo, "id", "secret").unwrap();
        assert_eq!(client.token_url(), "https://api.gusto-demo.com/oauth/token");
        assert_eq!(client.default_request().grant_type(), "system_access");
        assert_eq!(GustoEnvironment::Prod.token_url(), "https://api.gusto.com/oauth/token");
    }
}
