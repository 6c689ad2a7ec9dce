"""Events in Python's `logging`: logger `tokenfetch`, each record carrying
`tokenfetch_event` and the event's fields in `tokenfetch` (a dict). The core follows the
logger's level as it changes, and builds nothing below it. No record carries a secret."""

import base64
import logging
import urllib.parse

import pytest

from tokenfetch import TokenClient, TokenManager

SECRET = "py-log s3cret&+/=é"
API_KEY = "py-log-api-key-7f3a"


def records(caplog, event=None):
    found = [r for r in caplog.records if r.name == "tokenfetch"]
    return [r for r in found if event is None or r.tokenfetch_event == event]


def test_a_fetch_is_a_request_start_and_end_at_debug(kit, caplog):
    caplog.set_level(logging.DEBUG, logger="tokenfetch")
    TokenClient(kit.token_url + "?tenant=t1", client_id="py", client_secret="s").client_credentials()
    (start,) = records(caplog, "request.start")
    (end,) = records(caplog, "request.end")
    assert start.levelno == logging.DEBUG
    assert end.tokenfetch["endpoint"] == "token" and end.tokenfetch["method"] == "POST"
    assert end.tokenfetch["status"] == 200 and end.tokenfetch["outcome"] == "ok"
    assert end.tokenfetch["bytes"] > 0 and "duration_ms" in end.tokenfetch
    assert "t1" not in end.tokenfetch["url"], "query values are redacted"
    assert end.getMessage().startswith("request.end endpoint=token method=POST")


def test_the_loggers_level_is_followed_as_it_changes(kit, caplog, monkeypatch):
    client = TokenClient(kit.token_url, client_id="py", client_secret="s")
    caplog.set_level(logging.DEBUG, logger="tokenfetch")
    logger = logging.getLogger("tokenfetch")
    # Counts what the core hands to the logger: nothing below its level, not even a call.
    calls = []
    original_log = logger.log
    monkeypatch.setattr(logger, "log", lambda *a, **k: (calls.append(a[0]), original_log(*a, **k)))
    logger.setLevel(logging.WARNING)
    client.client_credentials()
    assert records(caplog) == [] and calls == []
    logger.setLevel(logging.DEBUG)
    client.client_credentials()
    assert len(records(caplog, "request.end")) == 1 and logging.DEBUG in calls
    heard = len(calls)
    logging.disable(logging.CRITICAL)
    try:
        client.client_credentials()
    finally:
        logging.disable(logging.NOTSET)
    assert len(records(caplog, "request.end")) == 1 and len(calls) == heard


def test_a_retry_and_the_cache_are_told(kit, caplog):
    caplog.set_level(logging.DEBUG, logger="tokenfetch")
    flaky = TokenClient(kit.scenario_url("flaky"), client_id="py", client_secret="s", headers={"X-Testkit-Fail-Times": "1"})
    manager = TokenManager(flaky)
    manager.access_token()
    manager.access_token()
    (retry,) = records(caplog, "retry")
    assert retry.levelno == logging.INFO
    assert retry.tokenfetch["reason"] == "http_status" and retry.tokenfetch["status"] == 503
    assert records(caplog, "cache.miss")[0].tokenfetch["why"] == "empty"
    assert len(records(caplog, "cache.hit")) == 1


def test_a_logger_that_raises_fails_no_fetch(kit, caplog):
    class Raises(logging.Filter):
        def filter(self, record):
            raise RuntimeError("a broken filter")

    logger = logging.getLogger("tokenfetch")
    caplog.set_level(logging.DEBUG, logger="tokenfetch")
    broken = Raises()
    logger.addFilter(broken)
    try:
        token = TokenClient(kit.token_url, client_id="py", client_secret="s").client_credentials()
    finally:
        logger.removeFilter(broken)
    assert token.access_token.startswith("at-")


def forms(secret):
    quoted = urllib.parse.quote(secret, safe="")
    return {secret, quoted, quoted.lower(), urllib.parse.quote_plus(secret), base64.b64encode(secret.encode()).decode()}


@pytest.mark.parametrize("scenario", ["echo_json", "echo_headers", "echo_text", "echo_form", "rotate"])
def test_no_record_carries_a_secret_with_debug_on(kit, caplog, scenario):
    caplog.set_level(logging.DEBUG, logger="tokenfetch")
    client = TokenClient(
        kit.scenario_url(scenario) + "?api_key=" + urllib.parse.quote(API_KEY),
        client_id="py-log",
        client_secret=SECRET,
        headers={"X-Api-Key": API_KEY},
        max_retries=0,
    )
    seen = []
    try:
        token = client.password("user", "pw-" + SECRET)
        seen += [token.access_token, token.refresh_token or ""]
        seen.append(client.refresh(token.refresh_token).access_token if token.refresh_token else "")
    except Exception:
        pass
    forbidden = set()
    for secret in [SECRET, API_KEY, "pw-" + SECRET, *filter(None, seen)]:
        forbidden |= forms(secret)
    basic = urllib.parse.quote_plus("py-log") + ":" + urllib.parse.quote_plus(SECRET)
    forbidden |= forms(basic)
    logged = records(caplog)
    assert logged, "DEBUG logging heard the requests"
    for record in logged:
        shown = f"{record.getMessage()} {record.tokenfetch!r} {record.__dict__!r}"
        for form in forbidden:
            assert form not in shown, f"{form!r} in {shown}"


def test_logging_is_not_imported_by_tokenfetch_and_is_bound_once_in_use(kit):
    import subprocess
    import sys

    script = f"""
import sys
import tokenfetch
assert "logging" not in sys.modules, "importing logging costs more than tokenfetch itself"
import logging
logging.basicConfig(level=logging.DEBUG, format="%(name)s %(levelname)s %(tokenfetch_event)s %(message)s")
client = tokenfetch.TokenClient({kit.token_url!r}, client_id="py", client_secret="s")
client.client_credentials()
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "tokenfetch DEBUG request.end request.end endpoint=token" in done.stderr, done.stderr


def test_a_handler_that_asks_its_own_manager_for_a_token_gets_an_answer(kit, caplog):
    import tokenfetch

    caplog.set_level(logging.DEBUG, logger="tokenfetch")
    manager = TokenManager(TokenClient(kit.token_url, client_id="py", client_secret="s"))
    answers = []

    class AsksTheManager(logging.Handler):
        def emit(self, record):
            if getattr(record, "tokenfetch_event", None) == "cache.refresh":
                try:
                    answers.append(manager.access_token())
                except tokenfetch.ConfigError as e:
                    answers.append(e)

    handler = AsksTheManager()
    logger = logging.getLogger("tokenfetch")
    logger.addHandler(handler)
    try:
        token = manager.access_token()
    finally:
        logger.removeHandler(handler)
    assert token.startswith("at-")
    assert len(answers) == 1 and "would wait for itself" in str(answers[0]), answers
