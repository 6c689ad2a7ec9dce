"""TokenManager from Python: single flight across threads, GIL released, asyncio twins."""

import asyncio
import threading
import time

import pytest

import tokenfetch
from tokenfetch import AsyncTokenClient, AsyncTokenManager, TokenClient, TokenManager


def slow_client(kit, delay_ms=300, **headers):
    return TokenClient(
        kit.token_url, client_id="py", client_secret="py-secret", headers={"X-Testkit-Delay-Ms": str(delay_ms), **headers}
    )


def test_single_flight_across_python_threads(kit):
    manager = TokenManager(slow_client(kit))
    barrier = threading.Barrier(32)
    tokens = []

    def ask():
        barrier.wait()
        tokens.append(manager.access_token())

    threads = [threading.Thread(target=ask) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tokens) == 32 and len(set(tokens)) == 1
    assert kit.token_requests() == 1


def test_network_io_releases_the_gil(kit):
    # Eight fetches of 500 ms each: run one after another they take 4 s; with the GIL
    # released during I/O they overlap and take about 0.5 s.
    client = slow_client(kit, delay_ms=500)
    barrier = threading.Barrier(8)

    def fetch():
        barrier.wait()
        client.client_credentials()

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert kit.token_requests() == 8
    assert elapsed < 2.0, f"8 x 500 ms fetches took {elapsed:.2f} s: they did not overlap"


def test_invalidate_fetches_a_new_token(kit):
    manager = TokenManager(TokenClient(kit.token_url, client_id="py", client_secret="s"), scope="read")
    first = manager.authorization_header()
    assert manager.authorization_header() == first
    manager.invalidate()
    assert manager.authorization_header() != first
    assert kit.token_requests() == 2
    assert manager.token().scope == "read"


def test_params_without_a_grant_type_is_a_config_error(kit):
    # The same rule as Node's and Kotlin's, from the core: params are not guessed onto the
    # client's own grant.
    c = TokenClient(kit.token_url, client_id="py", client_secret="s")
    with pytest.raises(tokenfetch.ConfigError, match="params need a grant_type"):
        TokenManager(c, params={"audience": "x"})
    assert kit.token_requests() == 0


def test_custom_grant_and_last_error(kit):
    c = TokenClient(kit.scenario_url("invalid_client"), client_id="py", client_secret="s", max_retries=0)
    manager = TokenManager(c, grant_type="password", params={"username": "ann", "password": "pw"})
    assert manager.last_error is None
    try:
        manager.access_token()
    except tokenfetch.OAuthError as e:
        assert e.oauth_code == "invalid_client"
    else:
        raise AssertionError("expected an OAuthError")
    assert isinstance(manager.last_error, tokenfetch.OAuthError)
    assert kit.stats()["by_grant"] == {"password": 1}


def test_async_manager_shares_one_fetch_without_blocking_the_loop(kit):
    async def main():
        manager = AsyncTokenManager(AsyncTokenClient(client=slow_client(kit)))
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick_task = asyncio.create_task(ticker())
        tokens = await asyncio.gather(*(manager.access_token() for _ in range(20)))
        tick_task.cancel()
        return tokens, ticks

    tokens, ticks = asyncio.run(main())
    assert len(set(tokens)) == 1
    assert kit.token_requests() == 1
    assert ticks >= 5, "the event loop kept running during the 300 ms fetch"


def test_async_client_grants(kit):
    async def main():
        c = AsyncTokenClient(kit.token_url, client_id="py", client_secret="s")
        user = await c.password("ann", "pw")
        refreshed = await c.refresh(user.refresh_token)
        answer = await c.request_token("client_credentials", scope="x")
        return user, refreshed, answer

    user, refreshed, answer = asyncio.run(main())
    assert refreshed.access_token != user.access_token
    assert answer.token_response.scope == "x"


def test_async_waiters_share_one_fetch_and_hold_no_thread(kit):
    """Forty tasks wait on one 3 s fetch. Were each in its own worker thread, the loop's
    default executor (a handful of threads) would make getaddrinfo wait the whole 3 s."""
    manager = AsyncTokenManager(slow_client(kit, 3000))

    async def main():
        loop = asyncio.get_running_loop()
        waiting = [asyncio.create_task(manager.access_token()) for _ in range(40)]
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await loop.getaddrinfo("localhost", 80)
        lookup = time.monotonic() - started

        cancelled = asyncio.create_task(manager.access_token())
        await asyncio.sleep(0.05)
        started = time.monotonic()
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        release = time.monotonic() - started
        return await asyncio.gather(*waiting), lookup, release

    tokens, lookup, release = asyncio.run(main())
    assert len(set(tokens)) == 1
    assert kit.token_requests() == 1
    # Generous bounds for a loaded machine; without the shared future each is about 3 s.
    assert lookup < 1.0, f"getaddrinfo took {lookup:.3f} s"
    assert release < 1.0, f"the cancelled task was released after {release:.3f} s"
