"""Starts the testkit token server once per session and stops it by its PID."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Kit:
    def __init__(self, url: str, process: "subprocess.Popen[str]") -> None:
        self.url = url
        self.token_url = f"{url}/token"
        self._process = process

    def stop(self) -> None:
        """Stops the server (by its PID); what is sent to it afterwards fails to connect."""
        self._process.kill()
        self._process.wait(timeout=10)

    def scenario_url(self, name: str) -> str:
        """The token endpoint playing one scenario. The scenario goes in the path, since
        tokenfetch treats header values as credentials and scrubs them from answers."""
        return f"{self.url}/scenario/{name}/token"

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/__stats") as r:
            return json.load(r)

    def tls(self) -> dict:
        """The CA (PEM) and the HTTPS token URLs: good, expired and wrong_host."""
        with urllib.request.urlopen(f"{self.url}/__tls") as r:
            return json.load(r)

    def proxy(self) -> dict:
        """testkit's proxies: `connect_url` and `socks_url` (with their user and password),
        `password`, and the `tunnels` they opened and their `targets` so far."""
        with urllib.request.urlopen(f"{self.url}/__proxy") as r:
            return json.load(r)

    def proxy_saw(self, text: str) -> bool:
        """Whether `text` crossed a proxy's tunnel in clear."""
        query = urllib.parse.urlencode({"text": text})
        with urllib.request.urlopen(f"{self.url}/__proxy/saw?{query}") as r:
            return bool(json.load(r)["saw"])

    def token_requests(self) -> int:
        return int(self.stats()["token_requests"])

    def requests_with_grant(self, grant: str) -> int:
        return int(self.stats()["by_grant"].get(grant, 0))

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/__reset", method="POST")).close()


def start_testkit() -> Kit:
    binary = os.environ.get("TESTKIT_BIN") or str(ROOT / "target" / "debug" / "testkit")
    if not Path(binary).exists():
        subprocess.run(["cargo", "build", "--quiet", "-p", "tokenfetch-testkit"], cwd=ROOT, check=True)
    proc = subprocess.Popen(
        [binary, "--exit-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("TESTKIT_URL="), f"testkit printed {line!r}"
        return Kit(line.split("=", 1)[1], proc)
    except BaseException:
        proc.kill()
        proc.wait(timeout=10)
        raise


@pytest.fixture(scope="session")
def testkit() -> Iterator[Kit]:
    kit = start_testkit()
    try:
        yield kit
    finally:
        kit.stop()


@pytest.fixture
def own_testkit() -> Iterator[Kit]:
    """A testkit for one test alone, which the test may stop."""
    kit = start_testkit()
    try:
        yield kit
    finally:
        kit.stop()


@pytest.fixture
def kit(testkit: Kit) -> Kit:
    testkit.reset()
    return testkit
