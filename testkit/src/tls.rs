//! HTTPS for the testkit: a certificate authority generated at start-up and three server
//! certificates it signs, each served on its own port.
//!
//! - `good`: valid now, for `localhost` and `127.0.0.1`;
//! - `expired`: the same names, but it expired yesterday;
//! - `wrong_host`: valid now, but only for `wrong-host.example`.
//!
//! A client that trusts [`TlsFixture::ca_pem`] succeeds against `good` and must refuse the
//! other two; a client that does not trust it must refuse all three (unknown issuer).

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use time::{Duration, OffsetDateTime};

/// Which certificate a TLS listener presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presents {
    Good,
    Expired,
    WrongHost,
}

impl Presents {
    pub const ALL: [Presents; 3] = [Presents::Good, Presents::Expired, Presents::WrongHost];
}

/// A generated authority and one server configuration per [`Presents`].
pub struct TlsFixture {
    ca_pem: String,
    configs: Vec<(Presents, Arc<ServerConfig>)>,
}

impl TlsFixture {
    pub fn generate() -> Result<TlsFixture, String> {
        let fail = |e: &dyn std::fmt::Display| format!("testkit TLS set-up: {e}");
        let ca_key = KeyPair::generate().map_err(|e| fail(&e))?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| fail(&e))?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "tokenfetch testkit CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| fail(&e))?;
        let ca_pem = ca_cert.pem();
        let issuer = Issuer::new(ca_params, ca_key);

        let now = OffsetDateTime::now_utc();
        let mut configs = Vec::new();
        for presents in Presents::ALL {
            let names: Vec<String> = match presents {
                Presents::WrongHost => vec!["wrong-host.example".into()],
                _ => vec!["localhost".into(), "127.0.0.1".into()],
            };
            let mut params = CertificateParams::new(names).map_err(|e| fail(&e))?;
            params
                .distinguished_name
                .push(DnType::CommonName, format!("testkit {presents:?}"));
            (params.not_before, params.not_after) = match presents {
                Presents::Expired => (now - Duration::days(30), now - Duration::days(1)),
                _ => (now - Duration::days(1), now + Duration::days(30)),
            };
            let key = KeyPair::generate().map_err(|e| fail(&e))?;
            let cert = params.signed_by(&key, &issuer).map_err(|e| fail(&e))?;
            let chain = vec![CertificateDer::from(cert.der().to_vec())];
            let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
            let config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| fail(&e))?
                .with_no_client_auth()
                .with_single_cert(chain, private)
                .map_err(|e| fail(&e))?;
            configs.push((presents, Arc::new(config)));
        }
        Ok(TlsFixture { ca_pem, configs })
    }

    /// The authority's certificate, PEM: what a client must trust to accept `good`.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    pub fn config(&self, presents: Presents) -> Arc<ServerConfig> {
        self.configs
            .iter()
            .find(|(p, _)| *p == presents)
            .map(|(_, c)| Arc::clone(c))
            .expect("a config for every kind")
    }
}
