"""What `import tokenfetch` costs a program that never uses asyncio, and that nothing is lost."""

import subprocess
import sys

import pytest

import tokenfetch


def run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def test_import_does_not_load_asyncio_or_typing() -> None:
    loaded = run("import sys, tokenfetch; print(sorted(m for m in ('asyncio', 'typing') if m in sys.modules))")
    assert loaded == "[]"


def test_the_async_twins_load_on_first_use() -> None:
    assert run("from tokenfetch import AsyncTokenClient, AsyncTokenManager; print(AsyncTokenClient.__name__)") == (
        "AsyncTokenClient"
    )
    assert run("import tokenfetch; print(tokenfetch.AsyncTokenManager.__module__)") == "tokenfetch._async"


def test_star_import_and_dir_list_every_public_name() -> None:
    names = run("from tokenfetch import *; print(sorted(k for k in dir() if not k.startswith('_')))")
    assert "AsyncTokenClient" in names and "TokenManager" in names
    assert set(tokenfetch.__all__) <= set(dir(tokenfetch))


def test_a_misspelt_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'AsyncTokenClinet'"):
        tokenfetch.AsyncTokenClinet  # noqa: B018
    with pytest.raises(ImportError):
        run_import = "from tokenfetch import TokenClinet"
        exec(run_import, {})
