//! Mirrors `core/src/grant.rs`: the grants, as one uniffi object over `TokenRequest`.

use std::collections::HashMap;
use std::sync::Arc;

/// A grant, built only through core's constructors (grant parameter names live in Rust).
#[derive(uniffi::Object)]
pub struct NativeTokenRequest(pub(crate) tokenfetch::TokenRequest);

#[uniffi::export]
impl NativeTokenRequest {
    #[uniffi::constructor]
    pub fn client_credentials(scope: Option<String>) -> Arc<Self> {
        Arc::new(Self(
            tokenfetch::TokenRequest::client_credentials().scope_opt(scope.as_deref()),
        ))
    }
    #[uniffi::constructor]
    pub fn refresh_token(refresh_token: String, scope: Option<String>) -> Arc<Self> {
        Arc::new(Self(
            tokenfetch::TokenRequest::refresh_token(refresh_token).scope_opt(scope.as_deref()),
        ))
    }
    #[uniffi::constructor]
    pub fn password(username: String, password: String, scope: Option<String>) -> Arc<Self> {
        Arc::new(Self(
            tokenfetch::TokenRequest::password(username, password).scope_opt(scope.as_deref()),
        ))
    }
    #[uniffi::constructor]
    pub fn authorization_code(code: String, redirect_uri: Option<String>, code_verifier: Option<String>) -> Arc<Self> {
        Arc::new(Self(tokenfetch::TokenRequest::authorization_code(
            code,
            redirect_uri.as_deref(),
            code_verifier.as_deref(),
        )))
    }
    #[uniffi::constructor]
    pub fn device_code(device_code: String) -> Arc<Self> {
        Arc::new(Self(tokenfetch::TokenRequest::device_code(device_code)))
    }
    #[uniffi::constructor]
    pub fn token_exchange(subject_token: String, subject_token_type: String, scope: Option<String>) -> Arc<Self> {
        Arc::new(Self(
            tokenfetch::TokenRequest::token_exchange(subject_token, subject_token_type).scope_opt(scope.as_deref()),
        ))
    }
    #[uniffi::constructor]
    pub fn custom(grant_type: String, scope: Option<String>, params: HashMap<String, String>) -> Arc<Self> {
        let mut params: Vec<_> = params.into_iter().collect();
        params.sort_unstable();
        let request = params.into_iter().fold(
            tokenfetch::TokenRequest::custom(grant_type).scope_opt(scope.as_deref()),
            |r, (k, v)| r.param(k, v),
        );
        Arc::new(Self(request))
    }
    /// A copy with more parameters (sorted by name, so the request is the same every run).
    pub fn with_params(&self, params: HashMap<String, String>) -> Arc<Self> {
        let mut pairs: Vec<_> = params.into_iter().collect();
        pairs.sort_unstable();
        let request = pairs.into_iter().fold(self.0.clone(), |r, (k, v)| r.param(k, v));
        Arc::new(Self(request))
    }
    pub fn grant_type(&self) -> String {
        self.0.grant_type().to_string()
    }
}
