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
