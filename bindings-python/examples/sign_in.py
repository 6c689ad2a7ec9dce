"""`python sign_in.py <testkit-url>`: a whole OpenID Connect sign-in against testkit's provider.

The browser's part (following the authorization URL to the redirect) is played here with
urllib; in a web app it is the user's browser, and the two halves are two requests (see the
guide's Flask example).
"""

import sys
import urllib.error
import urllib.request

import tokenfetch
from tokenfetch import AuthorizationRequest, TokenClient


class _Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def browser(url: str) -> str:
    """Where the provider redirects the user's browser (testkit signs the user in at once)."""
    try:
        urllib.request.build_opener(_Stop).open(url)
    except urllib.error.HTTPError as e:
        return str(e.headers["Location"])
    raise SystemExit("the provider did not redirect")


def main(base: str) -> int:
    client = TokenClient.discover(f"{base}/op/main", client_id="rp", client_secret="rp-secret")
    sign_in = client.authorization_url("http://app.example/callback", scope="openid profile")
    kept = sign_in.to_json()  # what a web app keeps in its session between the two requests
    callback_url = browser(sign_in.url)
    try:
        token = client.exchange_code(AuthorizationRequest.from_json(kept), callback_url)
    except tokenfetch.IdTokenError as e:
        print(f"python: sign-in refused ({e.id_token_check}): {e}", file=sys.stderr)
        return 1
    claims = token.id_token_claims
    assert claims is not None
    print(f"python signed in     sub={claims.sub} iss={claims.iss}")
    print(f"python name          {claims.extra.get('name')}")
    print(f"python nonce checked {claims.nonce == sign_in.nonce}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
