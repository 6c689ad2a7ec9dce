"""Proxies: a client's own `proxy` and `no_proxy`, the environment's variables (read when the
client is built; `trust_env=False` ignores them), and the errors of a proxy that refuses or
is down. testkit's proxies ask for a password, reach any name under `.proxied.test` (which
no resolver knows), and log every tunnel and every byte sent through it."""

import socket
from urllib.parse import urlsplit

import pytest

import tokenfetch
from tokenfetch import TokenClient

SECRET = "py-s3cret-through-the-proxy"


def proxied_url(kit, host="token.proxied.test"):
    return f"http://{host}:{urlsplit(kit.url).port}/token"


def client(url, **options):
    options.setdefault("trust_env", False)
    return TokenClient(url, client_id="py-proxied", client_secret=SECRET, allow_insecure_http=True, **options)


def test_a_clients_proxy_carries_its_fetch_and_resolves_the_name_itself(kit):
    kit.reset()
    proxies = kit.proxy()
    token = client(proxied_url(kit), proxy=proxies["connect_url"]).client_credentials()
    assert token.access_token.startswith("at-")
    assert kit.proxy()["targets"] == [urlsplit(proxied_url(kit)).netloc]


@pytest.mark.parametrize("which", ["connect_url", "tls_connect_url", "socks_url"])
def test_https_through_a_proxy_stays_end_to_end(kit, which):
    kit.reset()
    tls = kit.tls()
    token = TokenClient(
        tls["https_url"],
        client_id="py-proxied",
        client_secret=SECRET,
        root_certificates=tls["ca_pem"],
        proxy=kit.proxy()[which],
        trust_env=False,
    ).client_credentials()
    assert kit.proxy()["tunnels"] == 1
    for clear in [SECRET, "grant_type", token.access_token]:
        assert not kit.proxy_saw(clear), clear


def test_no_proxy_sends_its_hosts_direct(kit):
    kit.reset()
    proxy = kit.proxy()["connect_url"]
    for no_proxy in ["127.0.0.1", ["10.0.0.0/8", "127.0.0.0/8"], "*", f"127.0.0.1:{urlsplit(kit.url).port}"]:
        client(kit.token_url, proxy=proxy, no_proxy=no_proxy).client_credentials()
    assert kit.proxy()["tunnels"] == 0
    client(kit.token_url, proxy=proxy, no_proxy="127.0.0.1:1").client_credentials()
    assert kit.proxy()["tunnels"] == 1


def test_the_environment_applies_unless_trust_env_is_false(kit, monkeypatch):
    kit.reset()
    monkeypatch.setenv("HTTP_PROXY", kit.proxy()["connect_url"])
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    from_env = client(proxied_url(kit), trust_env=True)
    ignoring = client(kit.token_url, trust_env=False)
    # Read when the client was built: unset now, it still applies (and urllib, which the
    # helpers use, goes direct again).
    monkeypatch.delenv("HTTP_PROXY")
    from_env.client_credentials()
    ignoring.client_credentials()
    assert kit.proxy()["tunnels"] == 1


def test_a_bad_proxy_is_a_config_error_without_its_password(monkeypatch):
    for bad in ["ftp://me:hunter2@proxy.test:21", "proxy.test:3128", "http://me:hunter2@proxy.test/path"]:
        with pytest.raises(tokenfetch.ConfigError) as caught:
            client("https://auth.example.com/token", proxy=bad)
        assert "proxy" in str(caught.value) and "hunter2" not in str(caught.value)
    monkeypatch.setenv("HTTPS_PROXY", "gopher://me:hunter2@proxy.test:70")
    with pytest.raises(tokenfetch.ConfigError, match="HTTPS_PROXY.*trust_env") as caught:
        client("https://auth.example.com/token", trust_env=True)
    assert "hunter2" not in str(caught.value)
    with pytest.raises(tokenfetch.ConfigError, match="no_proxy entry"):
        client("https://auth.example.com/token", no_proxy="10.0.0.0/33")
    with pytest.raises(TypeError, match="proxy"):
        TokenClient("https://auth.example.com/token", client_id="c", client_secret="s", proxies="http://p:1")


def test_a_refusing_proxy_is_one_attempt_named_without_its_password(kit):
    kit.reset()
    at = kit.proxy()["connect_url"].rsplit("@", 1)[1]
    wrong = f"http://tf-proxy:wr0ng-p%40ss@{at}"
    proxied = client(proxied_url(kit), proxy=wrong, max_retries=3)
    assert "wr0ng" not in repr(proxied)
    with pytest.raises(tokenfetch.TransportError) as caught:
        proxied.client_credentials()
    text = f"{caught.value} {caught.value!r} {caught.value.http_meta!r}"
    assert f"the proxy http://{at} refused" in text and "407" in text, text
    assert "wr0ng" not in text
    assert kit.proxy()["refused"] == 1, "refused once, not retried"
    assert kit.token_requests() == 0


def test_a_proxy_that_is_down_is_named_with_the_request(kit):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = client("https://auth.example.com/oauth/token", proxy=f"http://me:hunter2@127.0.0.1:{port}", max_retries=0)
    with pytest.raises(tokenfetch.TransportError) as caught:
        down.client_credentials()
    text = str(caught.value)
    assert f"could not reach the proxy http://127.0.0.1:{port}" in text, text
    assert "POST https://auth.example.com/oauth/token" in text
    assert "hunter2" not in text
