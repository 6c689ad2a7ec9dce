//! Mirrors `core/src/grant.rs`: `TokenRequest`, built only through the core's constructors.

use napi_derive::napi;

use tokenfetch as core;

/// A grant to run: built only through core's constructors, so the grants' parameter names
/// are written once, in Rust.
#[napi]
#[derive(Clone)]
pub struct TokenRequest(pub(crate) core::TokenRequest);

#[napi]
impl TokenRequest {
    #[napi(factory)]
    pub fn client_credentials(scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::client_credentials().scope_opt(scope.as_deref()))
    }
    #[napi(factory)]
    pub fn refresh_token(refresh_token: String, scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::refresh_token(refresh_token).scope_opt(scope.as_deref()))
    }
    #[napi(factory)]
    pub fn password(username: String, password: String, scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::password(username, password).scope_opt(scope.as_deref()))
    }
    #[napi(factory)]
    pub fn authorization_code(code: String, redirect_uri: Option<String>, code_verifier: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::authorization_code(
            code,
            redirect_uri.as_deref(),
            code_verifier.as_deref(),
        ))
    }
    #[napi(factory)]
    pub fn device_code(device_code: String) -> Self {
        TokenRequest(core::TokenRequest::device_code(device_code))
    }
    #[napi(factory)]
    pub fn token_exchange(subject_token: String, subject_token_type: String, scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::token_exchange(subject_token, subject_token_type).scope_opt(scope.as_deref()))
    }
    /// Any grant type, e.g. `urn:ietf:params:oauth:grant-type:jwt-bearer` or Gusto's `system_access`.
    #[napi(factory)]
    pub fn custom(grant_type: String, scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::custom(grant_type).scope_opt(scope.as_deref()))
    }
    /// A copy with one more parameter (repeat a name to send it several times).
    #[napi]
    pub fn with_param(&self, name: String, value: String) -> TokenRequest {
        TokenRequest(self.0.clone().param(name, value))
    }
    #[napi(getter)]
    pub fn grant_type(&self) -> String {
        self.0.grant_type().to_string()
    }
}
