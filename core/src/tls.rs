//! Which certificate authorities a client trusts, and what a failed TLS handshake means.
//!
//! # Trust
//! By default the client trusts the web PKI roots bundled with tokenfetch (Mozilla's list),
//! so it behaves the same on every machine. Companies that run their own authority
//! (an internal Keycloak or ADFS) can:
//! - add PEM certificates to the trusted set ([`TokenClientBuilder::root_certificates_pem`]);
//! - trust the operating system's store instead of the bundled list
//!   ([`TokenClientBuilder::use_os_trust_store`]), with any added certificates on top.
//!
//! Verification itself is always on; there is no option to turn it off.
//!
//! [`TokenClientBuilder::root_certificates_pem`]: crate::TokenClientBuilder::root_certificates_pem
//! [`TokenClientBuilder::use_os_trust_store`]: crate::TokenClientBuilder::use_os_trust_store

use ureq::tls::{parse_pem, Certificate, PemItem};

use crate::error::{Error, Result};

/// The certificate authorities a client trusts.
pub(crate) type Roots = std::sync::Arc<Vec<Certificate<'static>>>;

/// The bundled web PKI roots (Mozilla's list), read once per process. They are the only
/// bundled list: ureq's own copy of the same roots is compiled out (its `rustls-webpki-roots`
/// feature is off), which keeps the native libraries smaller.
fn bundled() -> &'static Roots {
    static BUNDLED: std::sync::OnceLock<Roots> = std::sync::OnceLock::new();
    BUNDLED.get_or_init(|| {
        std::sync::Arc::new(
            webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()))
                .collect(),
        )
    })
}

/// The trusted roots for these options: the bundled web PKI roots, or the OS store's, with
/// any added PEM certificates on top.
pub(crate) fn roots(extra_pems: &[Vec<u8>], os_store: bool) -> Result<Roots> {
    if extra_pems.is_empty() && !os_store {
        return Ok(bundled().clone());
    }
    let mut roots: Vec<Certificate<'static>> = if os_store {
        let found = rustls_native_certs::load_native_certs();
        if found.certs.is_empty() {
            return Err(Error::config(format!(
                "use_os_trust_store: no certificates were found in the operating system's trust store{}",
                if found.errors.is_empty() {
                    String::new()
                } else {
                    format!(" ({} could not be read)", found.errors.len())
                }
            )));
        }
        found
            .certs
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect()
    } else {
        bundled().as_ref().clone()
    };
    for (i, pem) in extra_pems.iter().enumerate() {
        let before = roots.len();
        for item in parse_pem(pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => roots.push(cert.to_owned()),
                Ok(_) => {}
                Err(_) => {
                    return Err(Error::config(format!(
                        "root certificate PEM #{} could not be read; pass the text between \
                         -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines",
                        i + 1
                    )))
                }
            }
        }
        if roots.len() == before {
            return Err(Error::config(format!(
                "root certificate PEM #{} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
                i + 1
            )));
        }
    }
    Ok(std::sync::Arc::new(roots))
}

/// A readable message for a failed handshake, saying what to do about it.
pub(crate) fn handshake_failure(error: &rustls::Error) -> String {
    use rustls::CertificateError as Cert;
    let what = match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            Cert::UnknownIssuer => "the server's certificate was issued by an unknown issuer (add the \
                                   issuing CA with root certificates, or use the OS trust store)"
                .to_string(),
            Cert::Expired | Cert::ExpiredContext { .. } => "the server's certificate has expired".to_string(),
            Cert::NotValidYet | Cert::NotValidYetContext { .. } => {
                "the server's certificate is not valid yet".to_string()
            }
            Cert::NotValidForName | Cert::NotValidForNameContext { .. } => {
                "the server's certificate is not valid for this host name".to_string()
            }
            Cert::Revoked => "the server's certificate was revoked".to_string(),
            other => format!("the server's certificate was refused ({other:?})"),
        },
        other => other.to_string(),
    };
    format!("TLS handshake failed: {what}")
}
