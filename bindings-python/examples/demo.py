"""`python demo.py <token-url>`: fetch a token through the Python package and show it safely."""

import sys

import tokenfetch
from tokenfetch import TokenClient, TokenManager


def main(token_url: str) -> int:
    client = TokenClient(token_url, client_id="demo-client", client_secret="demo-secret", scope="read write")
    try:
        answer = client.request_token("client_credentials")
    except tokenfetch.TokenFetchError as e:
        print(f"python: token request failed ({e.kind}): {e}", file=sys.stderr)
        return 1
    token = answer.token_response
    assert token is not None
    meta = answer.http_meta
    print(f"python access_token  {token.access_token[:8]}… ({len(token.access_token)} chars)")
    print(f"python token_type    {token.token_type}")
    print(f"python expires_in    {token.expires_in}")
    print(f"python scope         {token.scope}")
    print(f"python request       {meta.request.method} {meta.request.url}")
    print(f"python response      HTTP {meta.response.status} in {meta.response.elapsed_ms} ms")
    manager = TokenManager(client)
    header = manager.authorization_header()
    print(f"python manager       {header[:15]}… (cached: {manager.authorization_header() == header})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
