//! TLS against the testkit's HTTPS listeners, whose certificates a generated CA signed.

use testkit::Testkit;
use tokenfetch::{ErrorKind, RetryPolicy, TokenClient, TokenClientBuilder};

fn builder(url: String) -> TokenClientBuilder {
    TokenClient::builder(url)
        .client_id("tls-client")
        .client_secret("tls-secret")
        .retry(RetryPolicy::none())
}

#[test]
fn a_private_ca_can_be_trusted() {
    let kit = Testkit::start().unwrap();
    let client = builder(kit.https_token_url())
        .root_certificates_pem(kit.ca_pem())
        .build()
        .unwrap();
    let token = client.client_credentials(None).unwrap();
    assert!(token.access_token.starts_with("at-"));
}

#[test]
fn without_the_ca_the_issuer_is_unknown() {
    let kit = Testkit::start().unwrap();
    let e = builder(kit.https_token_url())
        .build()
        .unwrap()
        .client_credentials(None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.to_string().contains("unknown issuer"), "{e}");
    assert_eq!(kit.token_requests(), 0, "nothing was sent");
}

#[test]
fn an_expired_certificate_and_a_wrong_host_name_are_refused_even_with_the_ca() {
    let kit = Testkit::start().unwrap();
    for (url, says) in [
        (kit.expired_https_token_url(), "expired"),
        (kit.wrong_host_https_token_url(), "not valid for this host name"),
    ] {
        let e = builder(url)
            .root_certificates_pem(kit.ca_pem())
            .build()
            .unwrap()
            .client_credentials(None)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }
    assert_eq!(kit.token_requests(), 0);
}

#[test]
fn the_os_trust_store_can_replace_the_bundled_roots_and_takes_extra_cas() {
    let kit = Testkit::start().unwrap();
    let e = builder(kit.https_token_url())
        .use_os_trust_store(true)
        .build()
        .unwrap()
        .client_credentials(None)
        .unwrap_err();
    assert!(e.to_string().contains("unknown issuer"), "{e}");
    let client = builder(kit.https_token_url())
        .use_os_trust_store(true)
        .root_certificates_pem(kit.ca_pem())
        .build()
        .unwrap();
    assert!(client.client_credentials(None).is_ok());
}

#[test]
fn a_pem_without_a_certificate_is_a_config_error() {
    for pem in [
        "",
        "not a pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        let e = builder("https://auth.example/token".into())
            .root_certificates_pem(pem)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{e}");
        assert!(e.to_string().contains("root certificate PEM #1"), "{e}");
    }
}
