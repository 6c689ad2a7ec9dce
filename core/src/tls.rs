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

/// The bundled web PKI roots (Mozilla's list, from `webpki-roots`), read once per process.
///
/// `webpki-roots` holds each root as a trust anchor (its name, key and name constraints),
/// about 75 kB; the full certificates would be 190 kB more in every native library. ureq
/// takes roots as certificates, so each anchor is wrapped in a minimal unsigned one
/// ([`certificate_for_anchor`]), from which rustls reads back exactly that anchor: a root's
/// own signature and dates play no part in verification.
fn bundled() -> &'static Roots {
    static BUNDLED: std::sync::OnceLock<Roots> = std::sync::OnceLock::new();
    BUNDLED.get_or_init(|| {
        std::sync::Arc::new(
            webpki_roots::TLS_SERVER_ROOTS
                .iter()
                .map(|anchor| Certificate::from_der(&certificate_for_anchor(anchor)).to_owned())
                .collect(),
        )
    })
}

/// A DER certificate carrying `anchor`: version 3, serial 1, the anchor's name as subject and
/// issuer, its key, and its name constraints as an extension. The signature is empty: a
/// trust anchor is trusted as configured, never verified.
fn certificate_for_anchor(anchor: &rustls::pki_types::TrustAnchor<'_>) -> Vec<u8> {
    const SEQUENCE: u8 = 0x30;
    // sha256WithRSAEncryption, with its NULL parameters: any well-formed identifier will do.
    const ALGORITHM: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
    ];
    let name = der(SEQUENCE, &anchor.subject);
    let validity = der(
        SEQUENCE,
        &[der(0x17, b"000101000000Z"), der(0x18, b"99991231235959Z")].concat(),
    );
    let mut tbs = [
        der(0xa0, &der(0x02, &[2])), // [0] version: v3
        der(0x02, &[1]),             // serial number
        ALGORITHM.to_vec(),
        name.clone(),
        validity,
        name,
        der(SEQUENCE, &anchor.subject_public_key_info),
    ]
    .concat();
    if let Some(constraints) = &anchor.name_constraints {
        // id-ce-nameConstraints (2.5.29.30), its value the NameConstraints sequence.
        let extension = [der(0x06, &[0x55, 0x1d, 0x1e]), der(0x04, &der(SEQUENCE, constraints))].concat();
        tbs.extend(der(0xa3, &der(SEQUENCE, &der(SEQUENCE, &extension))));
    }
    der(
        SEQUENCE,
        &[der(SEQUENCE, &tbs), ALGORITHM.to_vec(), der(0x03, &[0])].concat(),
    )
}

/// One DER element: tag, definite length, content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - first) as u8);
        out.extend(&bytes[first..]);
    }
    out.extend(content);
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    /// rustls reads each wrapped certificate back into exactly the anchor it carries, name
    /// constraints included: the bundled roots are Mozilla's list, unchanged.
    #[test]
    fn every_bundled_anchor_survives_the_certificate_it_is_wrapped_in() {
        let wrapped: Vec<rustls::pki_types::CertificateDer<'static>> = bundled()
            .iter()
            .map(|cert| rustls::pki_types::CertificateDer::from(cert.der().to_vec()))
            .collect();
        let mut store = rustls::RootCertStore::empty();
        let (added, ignored) = store.add_parsable_certificates(wrapped);
        assert_eq!((added, ignored), (webpki_roots::TLS_SERVER_ROOTS.len(), 0));
        assert_eq!(store.roots, webpki_roots::TLS_SERVER_ROOTS.to_vec());
        assert!(
            webpki_roots::TLS_SERVER_ROOTS
                .iter()
                .any(|a| a.name_constraints.is_some()),
            "the list still has a constrained root, so the extension is exercised"
        );
    }

    #[test]
    fn der_lengths_use_the_short_and_long_forms() {
        assert_eq!(der(0x04, &[7; 3]), [0x04, 3, 7, 7, 7]);
        assert_eq!(&der(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(&der(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }
}
