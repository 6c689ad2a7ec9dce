#!/usr/bin/env python3
"""`make test-checkout`: install each package from a clean checkout, as the guides tell a user.

The checkout is copied (every file git tracks or would track; nothing built, so no target/,
node_modules/ or .venv/) to a new temporary folder, and from that copy:
- `pip install <checkout>/bindings-python` into a new venv; the demo fetches a token;
- `npm install <checkout>/bindings-node` into an empty project, before anything has run in
  bindings-node: its install script builds the addon through `npx -p @napi-rs/cli napi`;
  CommonJS and ESM fetch a token;
- `mvn install` in <checkout>/bindings-kotlin, then a copy of examples/consumer depends on
  the installed jar, builds, and runs its test.

cargo keeps its output in the workspace's target directory (CARGO_TARGET_DIR), so crates from
crates.io compiled by the suites before are not compiled again; tokenfetch's own crates are
compiled from the copy. Runs under scripts/with-testkit.sh, which exports TESTKIT_URL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str | Path, cwd: Path, env: dict[str, str]) -> str:
    print("+", " ".join(str(a) for a in argv), flush=True)
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        raise SystemExit(f"check_checkout: {argv[0]} exited with {result.returncode} (in {cwd})")
    return result.stdout


def copy_checkout(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet in a commit
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # New mtimes: cargo must compile the copy's sources, not trust the workspace's output.
        shutil.copy(source, target, follow_symlinks=False)


def expect(output: str, wanted: str, what: str) -> None:
    if wanted not in output:
        sys.stdout.write(output)
        raise SystemExit(f"check_checkout: {what}: the output lacks {wanted!r}")
    print(f"ok    {what}", flush=True)


def main() -> int:
    token_url = os.environ["TESTKIT_URL"].rstrip("/") + "/token"
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", str(ROOT / "target"))
    # As a user's shell would be: none of the workspace's tools on PATH.
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    env.pop("VIRTUAL_ENV", None)

    work = Path(tempfile.mkdtemp(prefix="tokenfetch-checkout-"))
    checkout = work / "tokenfetch"
    copy_checkout(checkout)
    print(f"check_checkout: a clean copy of the checkout in {checkout}", flush=True)

    # Python
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work, env=env)
    run(venv / "bin" / "pip", "install", "--quiet", checkout / "bindings-python", cwd=work, env=env)
    out = run(venv / "bin" / "python", checkout / "bindings-python" / "examples" / "demo.py", token_url, cwd=work, env=env)
    expect(out, "python token_type    Bearer", "pip install <checkout>/bindings-python, then a token")

    # Node
    project = work / "node-project"
    project.mkdir()
    run("npm", "init", "-y", cwd=project, env=env)
    run("npm", "install", "--no-audit", "--no-fund", checkout / "bindings-node", cwd=project, env=env)
    fetch = (
        "new TokenClient({ tokenUrl: process.argv[1], clientId: 'demo-client', clientSecret: 'demo-secret' })"
        ".clientCredentials().then((t) => console.log('token', t.tokenType))"
    )
    out = run("node", "-e", f"const {{ TokenClient }} = require('tokenfetch'); {fetch}", token_url, cwd=project, env=env)
    expect(out, "token Bearer", "npm install <checkout>/bindings-node, then a token from CommonJS")
    out = run("node", "--input-type=module", "-e", f"import {{ TokenClient }} from 'tokenfetch'; {fetch}", token_url,
              cwd=project, env=env)
    expect(out, "token Bearer", "npm install <checkout>/bindings-node, then a token from ESM")

    # Kotlin: the jar into the local Maven repository, then a project that depends on it.
    mvn = ["mvn", "-B", "-ntp", "-q"]
    run(*mvn, "-f", checkout / "bindings-kotlin" / "pom.xml", "install", "-DskipTests", cwd=checkout, env=env)
    consumer = work / "consumer"
    shutil.copytree(checkout / "bindings-kotlin" / "examples" / "consumer", consumer)
    run("mvn", "-B", "-ntp", "-f", consumer / "pom.xml", "verify", cwd=consumer, env=env)
    print("ok    mvn install in <checkout>/bindings-kotlin, then a Maven project that depends on the jar", flush=True)

    shutil.rmtree(work)
    print("check_checkout: pip, npm and Maven each install from a clean checkout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
