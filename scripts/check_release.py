#!/usr/bin/env python3
"""`make test-release`: what of the release workflow can be tried without a hosted CI.

- actionlint (installed from the Go module proxy into target/tools) checks both workflow
  files: syntax, expressions, job dependencies, action inputs, and the shell in `run:`
  blocks when shellcheck is on PATH.
- Every script and file the release workflow names exists.
- scripts/central_bundle.py signs the jar make dist built, with a throwaway GPG key, and each
  file in the bundle verifies against it, sits where Maven Central expects it, and has the
  md5 and sha1 Central requires.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from checks import Checks

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
TOOLS = ROOT / "target" / "tools"

check = Checks("check_release")


def actionlint() -> None:
    binary = TOOLS / "actionlint"
    if not binary.exists():
        env = dict(os.environ, GOBIN=str(TOOLS), GOFLAGS="-mod=mod")
        subprocess.run(["go", "install", ACTIONLINT], env=env, check=True)
    files = sorted(WORKFLOWS.glob("*.yml"))
    # shellcheck comes with the venv (scripts/dist-requirements.txt); without it actionlint
    # would skip the run: blocks without a word.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    check(shutil.which("shellcheck", path=path) is not None, "shellcheck is there for actionlint")
    result = subprocess.run([str(binary), "-no-color", *map(str, files)], capture_output=True, text=True,
                            env=dict(os.environ, PATH=path))
    sys.stdout.write(result.stdout + result.stderr)
    check(result.returncode == 0 and len(files) == 2, f"actionlint: {', '.join(f.name for f in files)}")


def named_paths() -> None:
    text = (WORKFLOWS / "release.yml").read_text()
    for path in sorted(set(re.findall(r"\b((?:scripts|bindings-[a-z]+)/[\w./-]+\.(?:py|txt|toml|xml))\b", text))):
        check((ROOT / path).exists(), f"release.yml names {path}, which exists")


def bundle_round_trip() -> None:
    version = subprocess.run([sys.executable, ROOT / "scripts" / "check_packages.py", "--print-version"],
                             capture_output=True, text=True, check=True).stdout.strip()
    dist = ROOT / "target" / "dist" / "kotlin"
    jars = {"": dist / f"tokenfetch-{version}.jar", "sources": dist / f"tokenfetch-{version}-sources.jar",
            "javadoc": dist / f"tokenfetch-{version}-javadoc.jar"}
    # A short path: gpg-agent's socket name must fit in a sockaddr_un.
    home = Path(tempfile.mkdtemp(prefix="gpg-", dir="/tmp"))
    env = dict(os.environ, GNUPGHOME=str(home))
    env.pop("GPG_PASSPHRASE", None)
    try:
        subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "tokenfetch release check <check@invalid>",
                        "ed25519", "sign", "1d"], env=env, check=True, capture_output=True)
        bundle = home / "bundle.zip"
        argv = [sys.executable, str(ROOT / "scripts" / "central_bundle.py"), "--pom", str(ROOT / "bindings-kotlin" / "pom.xml"),
                "--out", str(bundle)]
        for classifier, jar in jars.items():
            argv += ["--artifact", f"{classifier}={jar}" if classifier else str(jar)]
        made = subprocess.run(argv, env=env, capture_output=True, text=True)
        check(made.returncode == 0, f"central_bundle.py bundles the jar, sources and javadoc {made.stderr.strip()}")
        if made.returncode != 0:
            return
        folder = f"io/tokenfetch/tokenfetch/{version}/"
        with zipfile.ZipFile(bundle) as zf:
            names = set(zf.namelist())
            mains = sorted(n for n in names if not n.endswith((".asc", ".md5", ".sha1")))
            wanted = sorted(folder + f"tokenfetch-{version}{suffix}" for suffix in (".pom", ".jar", "-sources.jar", "-javadoc.jar"))
            check(mains == wanted, f"the bundle lays out {', '.join(Path(w).name for w in wanted)} under {folder}")
            for name in mains:
                data = zf.read(name)
                sums = zf.read(name + ".md5").decode() == hashlib.md5(data).hexdigest() and \
                    zf.read(name + ".sha1").decode() == hashlib.sha1(data).hexdigest()
                (home / "file").write_bytes(data)
                (home / "file.asc").write_bytes(zf.read(name + ".asc"))
                verified = subprocess.run(["gpg", "--batch", "--verify", str(home / "file.asc"), str(home / "file")],
                                          env=env, capture_output=True).returncode == 0
                check(sums and verified, f"{Path(name).name}: md5, sha1 and a signature that verifies")
        # The signature must fail on other bytes, or the check above proves nothing.
        (home / "file").write_bytes(b"tampered")
        tampered = subprocess.run(["gpg", "--batch", "--verify", str(home / "file.asc"), str(home / "file")],
                                  env=env, capture_output=True).returncode
        check(tampered != 0, "a signature does not verify other bytes")
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    actionlint()
    named_paths()
    bundle_round_trip()
    return check.verdict("the workflows lint clean and a signed Central bundle verifies")


if __name__ == "__main__":
    sys.exit(main())
