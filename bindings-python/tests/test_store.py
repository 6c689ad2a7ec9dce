"""Shared token stores from Python: FileStore and RedisStore, store_namespace, lease_time and
on_token. testkit counts the fetches that reach it, which is what a store is there to save.

The Redis tests need a server: `TOKENFETCH_REDIS_URL` (scripts/with-redis.sh sets it). Without
it they skip, unless `TOKENFETCH_REQUIRE_REDIS=1`, when a missing server is a failure.
"""

import asyncio
import base64
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

import tokenfetch
from tokenfetch import AsyncTokenManager, FileStore, RedisStore, TokenClient, TokenManager

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
WORKER = Path(__file__).resolve().parent / "store_worker.py"


def client(kit, delay_ms=0, client_id="py-store"):
    headers = {"X-Testkit-Delay-Ms": str(delay_ms)} if delay_ms else None
    return TokenClient(kit.token_url, client_id=client_id, client_secret="py-store-secret", headers=headers)


def unique_scope():
    # Tests that share one Redis (or a directory) must not see each other's entries.
    return f"store-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def redis_url():
    url = os.environ.get("TOKENFETCH_REDIS_URL")
    if not url:
        reason = "TOKENFETCH_REDIS_URL is not set: no Redis to share tokens through (scripts/with-redis.sh starts one)"
        if os.environ.get("TOKENFETCH_REQUIRE_REDIS") == "1":
            pytest.fail(f"TOKENFETCH_REQUIRE_REDIS=1, but {reason}")
        pytest.skip(reason)
    return url


# --- File store ------------------------------------------------------------------------------


def test_a_second_manager_adopts_the_first_ones_token_from_a_file_store(kit, tmp_path):
    store = FileStore(tmp_path)
    first = TokenManager(client(kit), scope="read", store=store)
    second = TokenManager(client(kit), scope="read", store=FileStore(str(tmp_path)))
    token = first.access_token()
    assert second.access_token() == token
    assert kit.token_requests() == 1
    assert first.last_error is None and second.last_error is None
    # Plain entries hold the token: that is what the docs warn about.
    assert any(token in p.read_text(errors="replace") for p in tmp_path.iterdir() if p.is_file())


def test_managers_with_other_scopes_keep_their_own_entries(kit, tmp_path):
    store = FileStore(tmp_path)
    read = TokenManager(client(kit), scope="read", store=store)
    write = TokenManager(client(kit), scope="write", store=store)
    assert read.access_token() != write.access_token()
    assert kit.token_requests() == 2


def test_threads_of_two_processes_over_one_directory_make_one_fetch(kit, tmp_path):
    # gunicorn's case: separate processes, one machine. Both start at the same moment and the
    # server answers slowly, so without the store's lease each would fetch.
    script = textwrap.dedent(
        """
        import sys, threading, time
        from tokenfetch import FileStore, TokenClient, TokenManager
        token_url, directory, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
        client = TokenClient(token_url, client_id="py-store", client_secret="s",
                             headers={"X-Testkit-Delay-Ms": "300"})
        manager = TokenManager(client, scope="processes", store=FileStore(directory))
        time.sleep(max(0.0, start_at - time.time()))
        tokens = set()
        threads = [threading.Thread(target=lambda: tokens.add(manager.access_token())) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("\\n".join(tokens))
        """
    )
    start_at = str(time.time() + 2.0)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, kit.token_url, str(tmp_path), start_at], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    tokens = {line for out in outputs for line in out.split()}
    assert len(tokens) == 1
    assert kit.token_requests() == 1


def test_a_sealed_entry_does_not_show_the_token_and_a_manager_without_the_key_fetches_its_own(kit, tmp_path):
    sealed = TokenManager(client(kit), scope="sealed", store=FileStore(tmp_path, key=KEY))
    token = sealed.access_token()
    files = [p for p in tmp_path.iterdir() if p.is_file()]
    assert files, "the manager wrote no entry"
    assert not any(token.encode() in p.read_bytes() for p in files)

    # The same key, as base64 text: it opens the entry.
    same_key = base64.b64encode(KEY).decode()
    assert TokenManager(client(kit), scope="sealed", store=FileStore(tmp_path, key=same_key)).access_token() == token
    assert kit.token_requests() == 1

    keyless = TokenManager(client(kit), scope="sealed", store=FileStore(tmp_path))
    other = keyless.access_token()
    assert other != token
    assert kit.token_requests() == 2
    # Sealed and plain managers keep separate salts, so separate entries: nothing to report.
    assert keyless.last_error is None

    # Another key is another deployment: a salt, and so entries, of its own.
    wrong_key = TokenManager(client(kit), scope="sealed", store=FileStore(tmp_path, key=OTHER_KEY))
    assert wrong_key.access_token() not in (token, other)
    assert wrong_key.last_error is None


def test_an_unusable_store_never_fails_a_call(kit, tmp_path):
    store = FileStore(tmp_path / "entries")
    manager = TokenManager(client(kit), scope="gone", store=store)
    # The directory goes away (a tmp cleaner, say) and a file takes its place.
    (tmp_path / "entries").rmdir()
    (tmp_path / "entries").write_text("not a directory")
    assert manager.access_token()
    assert manager.last_error is not None


# --- Bad input -------------------------------------------------------------------------------


def test_a_file_store_on_a_regular_file_is_a_config_error(tmp_path):
    regular = tmp_path / "file"
    regular.write_text("x")
    with pytest.raises(tokenfetch.ConfigError, match="directory"):
        FileStore(regular)


def test_a_key_of_the_wrong_length_is_a_config_error_that_does_not_quote_it(tmp_path):
    # A 32-character text is not taken as the key's bytes: text keys are base64.
    for key in (b"k" * 16, b"k" * 33, "c2hvcnQ=", "not base64 at all, and not 32 bytes", "k" * 32):
        with pytest.raises(tokenfetch.ConfigError, match="32 bytes") as raised:
            FileStore(tmp_path, key=key)
        shown = key.decode() if isinstance(key, bytes) else key
        assert shown not in str(raised.value)
        with pytest.raises(tokenfetch.ConfigError, match="32 bytes"):
            RedisStore("redis://127.0.0.1:1", key=key)
    with pytest.raises(TypeError, match="key"):
        FileStore(tmp_path, key=32)  # type: ignore[arg-type]


def test_a_redis_store_needs_a_redis_url():
    with pytest.raises(tokenfetch.ConfigError, match="scheme"):
        RedisStore("http://x")
    with pytest.raises(tokenfetch.ConfigError, match="not a valid URL"):
        RedisStore("not a url")


def test_a_password_in_the_redis_url_shows_neither_in_repr_nor_in_errors(kit):
    with pytest.raises(tokenfetch.ConfigError) as raised:
        RedisStore("http://ann:hunter2@x")
    assert "hunter2" not in str(raised.value) and "ann" not in str(raised.value)
    store = RedisStore("redis://ann:hunter2@127.0.0.1:1/0", key=KEY, timeout=0.2)
    assert repr(store) == "RedisStore('redis://127.0.0.1:1/0', timeout=0.2, sealed=True)"
    assert "hunter2" not in store.url and "hunter2" not in repr(store)
    manager = TokenManager(client(kit), scope=unique_scope(), store=store)
    assert manager.access_token()
    assert "hunter2" not in str(manager.last_error) and "hunter2" not in repr(manager)


def test_reprs_show_where_and_whether_sealed_never_the_key(tmp_path):
    text_key = base64.b64encode(KEY).decode()
    file_store = FileStore(tmp_path, key=text_key)
    assert repr(file_store) == f"FileStore({str(tmp_path)!r}, sealed=True)"
    assert file_store.directory == tmp_path and file_store.sealed
    assert repr(FileStore(tmp_path)) == f"FileStore({str(tmp_path)!r}, sealed=False)"
    redis = RedisStore("redis://127.0.0.1:6379", key=KEY)
    assert repr(redis) == "RedisStore('redis://127.0.0.1:6379', timeout=0.5, sealed=True)"
    assert (redis.url, redis.timeout, redis.sealed) == ("redis://127.0.0.1:6379", 0.5, True)
    for shown in (repr(file_store), repr(redis)):
        assert text_key not in shown and repr(KEY) not in shown


def test_stores_are_immutable(tmp_path):
    store = FileStore(tmp_path)
    with pytest.raises(AttributeError):
        store.directory = tmp_path / "elsewhere"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        RedisStore("redis://127.0.0.1:1").timeout = 3  # type: ignore[misc]


@pytest.mark.parametrize("value", [-1, 0, float("nan"), float("inf"), 61, 10**400])
def test_a_redis_timeout_out_of_range_is_a_config_error_naming_timeout(value):
    with pytest.raises(tokenfetch.ConfigError, match=r"\btimeout must be"):
        RedisStore("redis://127.0.0.1:1", timeout=value)


@pytest.mark.parametrize("value", [-1, 0, float("nan"), float("-inf"), 3601, 1e300, 10**400])
def test_a_lease_time_out_of_range_is_a_config_error_naming_lease_time(kit, tmp_path, value):
    with pytest.raises(tokenfetch.ConfigError, match="lease_time must be"):
        TokenManager(client(kit), store=FileStore(tmp_path), lease_time=value)


def test_wrong_types_and_misspelt_keywords_are_type_errors(kit, tmp_path):
    c = client(kit)
    with pytest.raises(TypeError, match="store must be a tokenfetch.FileStore or tokenfetch.RedisStore, not str"):
        TokenManager(c, store=str(tmp_path))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_token must be callable"):
        TokenManager(c, on_token="print")  # type: ignore[arg-type]
    # Python itself refuses an unknown keyword, naming it; type checkers flag it from the stubs.
    with pytest.raises(TypeError, match="stroe"):
        TokenManager(c, stroe=FileStore(tmp_path))  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="stroe"):
        AsyncTokenManager(c, stroe=FileStore(tmp_path))  # type: ignore[call-arg]
    assert kit.token_requests() == 0


def test_a_wrong_password_is_asked_of_the_server_never_served_the_stored_token(kit, tmp_path):
    for namespace in (None, "ann"):
        store = FileStore(tmp_path / str(namespace))

        def manager(password):
            return TokenManager(
                client(kit),
                grant_type="password",
                params={"username": "ann", "password": password},
                store=store,
                store_namespace=namespace,
            )

        manager("hunter2").access_token()
        with pytest.raises(tokenfetch.OAuthError) as caught:
            manager("wrong-password").access_token()
        assert caught.value.oauth_code == "invalid_grant"
    assert kit.token_requests() == 4


def test_tenants_told_apart_by_a_header_or_a_secret_parameter_never_share(kit, tmp_path):
    store = FileStore(tmp_path)

    def tenant(api_key):
        c = TokenClient(kit.token_url, client_id="public", auth_method="none", headers={"X-Api-Key": api_key})
        return TokenManager(c, store=store)

    def custom(api_key):
        return TokenManager(client(kit), grant_type="urn:testkit:api-key", params={"api_key": api_key}, store=store)

    for make in (tenant, custom):
        one, two = make("key-quxx").access_token(), make("key-zulu").access_token()
        assert one != two
        assert make("key-quxx").access_token() == one
    assert kit.token_requests() == 4
    assert not [p for p in tmp_path.iterdir() if "quxx" in p.name or "zulu" in p.name]


def test_an_entry_made_0644_never_makes_a_refresh_token_worker_replay(kit, tmp_path):
    url = kit.scenario_url("rotate_strict")
    c = TokenClient(url, client_id="py-store", client_secret="py-store-secret")
    rt0 = c.password("ann", "hunter2").refresh_token
    grant = {"grant_type": "refresh_token", "params": {"refresh_token": rt0}}
    TokenManager(c, store=FileStore(tmp_path), **grant).access_token()
    (entry,) = [p for p in tmp_path.glob("tokenfetch-v2-*.json")]
    entry.chmod(0o644)
    with pytest.raises(tokenfetch.ConfigError, match="chmod 600.*nothing was sent"):
        TokenManager(c, store=FileStore(tmp_path), **grant).access_token()
    stats = kit.stats()
    assert stats["reuse_detected"] == 0
    assert kit.requests_with_grant("refresh_token") == 1


def test_previous_keys_open_entries_during_a_rotation_and_plain_redis_needs_allow_insecure(kit, tmp_path):
    token = TokenManager(client(kit), store=FileStore(tmp_path, key=KEY)).access_token()
    rotating = TokenManager(client(kit), store=FileStore(tmp_path, key=OTHER_KEY, previous_keys=[KEY]))
    assert rotating.access_token() == token
    # Its next fetch seals the entry with the new key: a manager with that key alone reads it.
    rotating.invalidate()
    fresh = rotating.access_token()
    assert TokenManager(client(kit), store=FileStore(tmp_path, key=OTHER_KEY)).access_token() == fresh
    assert kit.token_requests() == 2
    with pytest.raises(tokenfetch.ConfigError, match="need a current key"):
        FileStore(tmp_path, previous_keys=[KEY])
    with pytest.raises(tokenfetch.ConfigError, match="rediss://") as caught:
        RedisStore("redis://:pw-9f3@redis.internal:6379")
    assert "pw-9f3" not in str(caught.value) and "allow_insecure" in str(caught.value)
    RedisStore("redis://redis.internal:6379", allow_insecure=True)


def test_namespaces_keep_managers_apart(kit, tmp_path):
    store = FileStore(tmp_path)
    ann = TokenManager(client(kit), scope="ns", store=store, store_namespace="ann")
    bob = TokenManager(client(kit), scope="ns", store=store, store_namespace="bob")
    also_ann = TokenManager(client(kit), scope="ns", store=store, store_namespace="ann")
    assert ann.access_token() != bob.access_token()
    assert also_ann.access_token() == ann.access_token()
    assert kit.token_requests() == 2


# --- on_token --------------------------------------------------------------------------------


def test_on_token_is_called_once_with_each_token_this_manager_fetched(kit, tmp_path):
    seen = []
    threads = []

    def record(token):
        seen.append(token)
        threads.append(threading.current_thread())

    manager = TokenManager(client(kit, delay_ms=200), scope="cb", store=FileStore(tmp_path), on_token=record)
    barrier = threading.Barrier(8)
    results = []

    def ask():
        barrier.wait()
        results.append(manager.access_token())

    workers = [threading.Thread(target=ask) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(set(results)) == 1 and kit.token_requests() == 1
    assert len(seen) == 1
    assert isinstance(seen[0], tokenfetch.TokenResponse)
    assert seen[0].access_token == results[0] == manager.token().access_token
    # On the Python thread that fetched (it released the GIL to fetch and took it back).
    assert threads[0] in workers

    # A token read from the store was not fetched by this manager: nothing to announce.
    adopted = []
    # The same client: its headers are part of whose token it is.
    reader = TokenManager(client(kit, delay_ms=200), scope="cb", store=FileStore(tmp_path), on_token=adopted.append)
    assert reader.access_token() == results[0]
    assert adopted == []

    manager.invalidate()
    assert manager.access_token() != results[0]
    assert len(seen) == 2 and seen[1].access_token == manager.access_token()


def test_on_token_works_without_a_store(kit):
    seen = []
    manager = TokenManager(client(kit), on_token=seen.append)
    token = manager.token()
    manager.access_token()
    assert seen == [token]


def test_an_exception_in_on_token_goes_to_the_unraisable_hook_and_the_call_succeeds(kit, tmp_path, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    def broken(token):
        raise RuntimeError("the callback broke")

    manager = TokenManager(client(kit), scope="broken", store=FileStore(tmp_path), on_token=broken)
    token = manager.access_token()
    assert token
    assert manager.last_error is None
    assert len(reported) == 1
    assert isinstance(reported[0].exc_value, RuntimeError) and reported[0].object is broken
    # The entry was written before the callback ran, so other processes were not held up.
    assert TokenManager(client(kit), scope="broken", store=FileStore(tmp_path)).access_token() == token
    assert kit.token_requests() == 1


def test_a_manager_held_by_its_own_callback_is_collected(kit):
    import gc
    import weakref

    class Holder:
        def __init__(self):
            self.manager = TokenManager(client(kit), on_token=self.save)

        def save(self, token):
            self.last = token

    holder = Holder()
    holder.manager.access_token()
    gone = weakref.ref(holder)
    del holder
    gc.collect()
    assert gone() is None


def test_the_async_manager_takes_the_same_keywords(kit, tmp_path):
    seen = []

    async def main():
        manager = AsyncTokenManager(client(kit), scope="async", store=FileStore(tmp_path), on_token=seen.append)
        tokens = await asyncio.gather(*(manager.access_token() for _ in range(8)))
        other = AsyncTokenManager(client(kit), scope="async", store=FileStore(tmp_path), lease_time=35)
        return tokens, await other.access_token()

    tokens, adopted = asyncio.run(main())
    assert len(set(tokens)) == 1 and adopted == tokens[0]
    assert [t.access_token for t in seen] == [tokens[0]]
    assert kit.token_requests() == 1


# --- Redis -----------------------------------------------------------------------------------


def test_an_unreachable_redis_still_gives_a_token_and_says_why(kit):
    manager = TokenManager(client(kit), scope=unique_scope(), store=RedisStore("redis://127.0.0.1:1", timeout=0.2))
    started = time.monotonic()
    assert manager.access_token()
    assert time.monotonic() - started < 5
    assert "Redis" in str(manager.last_error)
    assert kit.token_requests() == 1


def test_two_managers_over_one_redis_make_one_fetch(kit, redis_url):
    scope = unique_scope()
    first = TokenManager(client(kit), scope=scope, store=RedisStore(redis_url))
    second = TokenManager(client(kit), scope=scope, store=RedisStore(redis_url))
    assert first.access_token() == second.access_token()
    assert kit.token_requests() == 1
    assert first.last_error is None and second.last_error is None


def test_a_sealed_redis_entry_opens_only_with_its_key(kit, redis_url):
    scope = unique_scope()
    sealed = TokenManager(client(kit), scope=scope, store=RedisStore(redis_url, key=KEY))
    token = sealed.access_token()
    same = TokenManager(client(kit), scope=scope, store=RedisStore(redis_url, key=base64.urlsafe_b64encode(KEY).decode()))
    assert same.access_token() == token
    keyless = TokenManager(client(kit), scope=scope, store=RedisStore(redis_url))
    assert keyless.access_token() != token
    assert keyless.last_error is None, "a plain manager keeps entries of its own"
    assert kit.token_requests() == 2


def test_worker_processes_over_one_redis_make_one_fetch(kit, redis_url):
    # The cross-language check's Python worker (scripts/check_shared_store.py), twice.
    env = dict(
        os.environ,
        TF_TOKEN_URL=kit.token_url,
        TF_REDIS_URL=redis_url,
        TF_SCOPE=unique_scope(),
        TF_START_AT_MS=str(int(time.time() * 1000) + 1500),
    )
    workers = [
        subprocess.Popen([sys.executable, str(WORKER)], env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [w.communicate(timeout=60)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0]
    lines = [line for out in outputs for line in out.splitlines()]
    assert all(line.startswith("TOKEN ") for line in lines) and len(lines) == 2
    assert len(set(lines)) == 1
    assert kit.token_requests() == 1


def redis_connected_clients(url):
    """`connected_clients` from `INFO clients`, over a plain socket (an inline command)."""
    import socket
    from urllib.parse import urlparse

    where = urlparse(url)
    with socket.create_connection((where.hostname, where.port or 6379), timeout=5) as s:
        s.sendall(b"INFO clients\r\n")
        answer = b""
        while b"connected_clients:" not in answer or not answer.endswith(b"\r\n"):
            answer += s.recv(65536)
    line = next(l for l in answer.decode().splitlines() if l.startswith("connected_clients:"))
    return int(line.split(":")[1])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_worker_opens_its_own_redis_connection(kit, redis_url):
    # gunicorn --preload: the master used the store, then forked. A child that talked over the
    # master's pooled socket would read the master's answers (lease replies included).
    manager = TokenManager(client(kit), scope=unique_scope(), store=RedisStore(redis_url))
    manager.access_token()
    before = redis_connected_clients(redis_url)
    child = os.fork()
    if child == 0:
        try:
            manager.invalidate()
            manager.access_token()
            # Before: the master's pooled connection and that query's. Now the child's own as well.
            os._exit(0 if redis_connected_clients(redis_url) == before + 1 else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert manager.access_token()
