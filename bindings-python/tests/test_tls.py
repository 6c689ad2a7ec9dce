"""TLS against the testkit's HTTPS listeners, whose certificates a generated CA signed."""

import pytest

import tokenfetch
from tokenfetch import TokenClient


def https_client(url, **options):
    return TokenClient(url, client_id="py", client_secret="py-tls", max_retries=0, **options)


def test_a_private_ca_can_be_trusted_as_str_bytes_or_a_list(kit):
    tls = kit.tls()
    for roots in [tls["ca_pem"], tls["ca_pem"].encode(), [tls["ca_pem"]]]:
        token = https_client(tls["https_url"], root_certificates=roots).client_credentials()
        assert token.access_token.startswith("at-")


def test_without_the_ca_the_issuer_is_unknown(kit):
    with pytest.raises(tokenfetch.TransportError, match="unknown issuer"):
        https_client(kit.tls()["https_url"]).client_credentials()
    assert kit.token_requests() == 0


@pytest.mark.parametrize("which, says", [("expired_url", "expired"), ("wrong_host_url", "not valid for this host name")])
def test_bad_certificates_are_refused_even_with_the_ca(kit, which, says):
    tls = kit.tls()
    with pytest.raises(tokenfetch.TransportError, match=says):
        https_client(tls[which], root_certificates=tls["ca_pem"]).client_credentials()


def test_the_os_trust_store_takes_extra_cas(kit):
    tls = kit.tls()
    with pytest.raises(tokenfetch.TransportError, match="unknown issuer"):
        https_client(tls["https_url"], use_os_trust_store=True).client_credentials()
    https_client(tls["https_url"], use_os_trust_store=True, root_certificates=tls["ca_pem"]).client_credentials()


def test_a_pem_without_a_certificate_is_a_config_error():
    with pytest.raises(tokenfetch.ConfigError, match="root certificate PEM"):
        https_client("https://auth.example/token", root_certificates="not a pem")
