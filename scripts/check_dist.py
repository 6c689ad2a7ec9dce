#!/usr/bin/env python3
"""Checks what `make dist` wrote to target/dist/, as a registry and a user would meet it.

- Python: four abi3 wheels whose platform tag `auditwheel show` confirms, musl's libc named as
  Alpine names it, and an sdist that carries the core. The x86_64 manylinux wheel installs into
  a clean venv and fetches a token.
- Node: five tarballs. Each platform package carries its addon, for the right machine and
  libc; the main package carries no addon and no install script, and names every platform
  package as an optional dependency. The main and linux-x64-gnu tarballs install into an empty
  project with --ignore-scripts and fetch a token from CommonJS and from ESM.
- musl: the x86_64 musl wheel and addon load under musl's own dynamic loader (Debian's musl
  package, fetched with apt-get download): every symbol resolves except those the host
  process provides (Python's Py*, Node's napi_*).
- Kotlin: the jar carries linux-x86-64/ and linux-aarch64/, checked with unzip -l and readelf:
  the machine, glibc 2.17 at most, and every function the bindings call exported. The sources
  and javadoc jars Maven Central requires are there.

Runs under scripts/with-testkit.sh, which exports TESTKIT_URL.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from checks import Checks

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "target" / "dist"
WORK = ROOT / "target" / "dist-check"
BIN = Path(sys.executable).parent
# Where cargo puts what it builds; a relative CARGO_TARGET_DIR is read from the workspace root.
CARGO_TARGET = ROOT / os.environ.get("CARGO_TARGET_DIR", "target")
MAX_GLIBC = (2, 17)

# (rustc's arch, readelf's machine, auditwheel's arch)
ARCHES = {"x86_64": "Advanced Micro Devices X86-64", "aarch64": "AArch64"}
NPM_ARCH = {"x64": "x86_64", "arm64": "aarch64"}
JNA_ARCH = {"linux-x86-64": "x86_64", "linux-aarch64": "aarch64"}

check = Checks("check_dist")


def run(*argv: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"check_dist: {' '.join(str(a) for a in argv)} exited with {result.returncode}")
    return result.stdout


def readelf(library: Path, *flags: str) -> str:
    return run("readelf", "--wide", *flags, library)


def machine(library: Path) -> str:
    match = re.search(r"Machine:\s+(.+)", readelf(library, "-h"))
    return match.group(1).strip() if match else "?"


def needed(library: Path) -> list[str]:
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", readelf(library, "-d"))


def newest_glibc(library: Path) -> tuple[int, ...]:
    versions = re.findall(r"GLIBC_(\d+(?:\.\d+)+)", readelf(library, "-V"))
    return max((tuple(int(p) for p in v.split(".")) for v in versions), default=(0,))


def exports(library: Path, prefix: str) -> set[str]:
    names = set()
    for line in readelf(library, "--dyn-syms").splitlines():
        fields = line.split()
        # Num: Value Size Type Bind Vis Ndx Name; defined (Ndx not UND) global functions.
        if len(fields) >= 8 and fields[3] == "FUNC" and fields[6] != "UND" and fields[7].startswith(prefix):
            names.add(fields[7])
    return names


def check_native(library: Path, arch: str, musl: bool, what: str) -> None:
    check(machine(library) == ARCHES[arch], f"{what}: built for {ARCHES[arch]} (readelf -h: {machine(library)})")
    if musl:
        wanted = [f"libc.musl-{arch}.so.1"]
        check(needed(library) == wanted, f"{what}: needs only musl's libc, by Alpine's name {wanted} ({needed(library)})")
    else:
        newest = newest_glibc(library)
        check(
            newest <= MAX_GLIBC,
            f"{what}: no glibc symbol newer than {'.'.join(map(str, MAX_GLIBC))} (newest {'.'.join(map(str, newest))})",
        )


def musl_loader() -> Path:
    """Debian's musl, unpacked into target/tools/musl; no root needed, nothing installed."""
    folder = ROOT / "target" / "tools" / "musl"
    loader = folder / "root" / "lib" / "ld-musl-x86_64.so.1"
    if not loader.exists():
        fresh(folder)
        run("apt-get", "download", "musl", cwd=folder)
        (deb,) = folder.glob("musl_*.deb")
        run("dpkg-deb", "-x", deb, folder / "root")
    return loader


def check_loads_under_musl(library: Path, host_symbols: str, what: str) -> None:
    """musl's loader in ldd mode maps the library and binds every symbol, as at import."""
    result = subprocess.run([str(musl_loader()), "--list", str(library)], capture_output=True, text=True)
    lines = (result.stdout + result.stderr).splitlines()
    missing = [line.rsplit(": ", 2)[-2] for line in lines if line.endswith("symbol not found")]
    unexpected = [name for name in missing if not re.match(host_symbols, name)]
    resolved = any("libc.musl-x86_64.so.1 =>" in line for line in lines)
    check(resolved and not unexpected and bool(missing),
          f"{what}: loads under musl's loader; unresolved only the host's {len(missing)} symbols {unexpected[:5]}")


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


# --- Python ---------------------------------------------------------------------------------
def python_artifacts(token_url: str) -> None:
    wheels = sorted((DIST / "python").glob("*.whl"))
    expected = {
        f"{policy}_{arch}" for policy in ("manylinux_2_17", "musllinux_1_2") for arch in ARCHES
    }
    found = {}
    for wheel in wheels:
        report = json.loads(run(BIN / "auditwheel", "show", "--json", wheel))
        tag = report["overall_tag"]
        found[tag] = wheel
        check(wheel.name.startswith("tokenfetch-") and "-cp39-abi3-" in wheel.name, f"{wheel.name}: an abi3 wheel for Python 3.9+")
        check(wheel.name.endswith(f"{tag}.whl"), f"{wheel.name}: auditwheel show confirms {tag}")
        check(not report["external_libs"], f"{wheel.name}: no external library to graft ({report['external_libs']})")
        with zipfile.ZipFile(wheel) as zf:
            (native,) = [n for n in zf.namelist() if n.endswith(".so")]
            extracted = Path(zf.extract(native, fresh(WORK / "wheel" / tag)))
        arch = "aarch64" if tag.endswith("aarch64") else "x86_64"
        check_native(extracted, arch, tag.startswith("musllinux"), wheel.name)
        if tag == "musllinux_1_2_x86_64":
            check_loads_under_musl(extracted, r"_?Py", wheel.name)
    check(set(found) == expected, f"four wheels, one per platform: {sorted(found)}")

    (sdist,) = (DIST / "python").glob("tokenfetch-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
    for member in ("core/src/lib.rs", "bindings-python/src/lib.rs", "python/tokenfetch/py.typed", "LICENSE"):
        check(any(n.endswith("/" + member) for n in names), f"{sdist.name} carries {member}")

    venv = WORK / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "pip", "install", "--quiet", "--no-index", found["manylinux_2_17_x86_64"])
    # Run from an empty folder so only the installed wheel can be imported.
    demo = run(venv / "bin" / "python", ROOT / "bindings-python" / "examples" / "demo.py", token_url, cwd=fresh(WORK / "py-cwd"))
    check("python token_type    Bearer" in demo, "the manylinux x86_64 wheel installs into a clean venv and fetches a token")


# --- Node -----------------------------------------------------------------------------------
def npm_members(tarball: Path) -> dict[str, bytes]:
    with tarfile.open(tarball) as tf:
        return {
            m.name.removeprefix("package/"): tf.extractfile(m).read()  # type: ignore[union-attr]
            for m in tf.getmembers()
            if m.isfile()
        }


def node_artifacts(token_url: str) -> None:
    source = ROOT / "bindings-node"
    platforms = {
        d.name: json.loads((d / "package.json").read_text()) for d in sorted((source / "npm").iterdir()) if d.is_dir()
    }
    version = json.loads((source / "package.json").read_text())["version"]
    tarballs = {t.name: t for t in (DIST / "node").glob("*.tgz")}
    linux = [p for p in platforms if p.startswith("linux-")]
    expected = {f"tokenfetch-{version}.tgz"} | {f"tokenfetch-binding-{p}-{version}.tgz" for p in linux}
    check(set(tarballs) == expected, f"five npm tarballs: {sorted(tarballs)}")

    for platform in linux:
        name = f"tokenfetch-binding-{platform}-{version}.tgz"
        if name not in tarballs:
            continue
        members = npm_members(tarballs[name])
        manifest = json.loads(members["package.json"])
        addon = f"tokenfetch.{platform}.node"
        check(manifest["name"] == platforms[platform]["name"] and manifest["main"] == addon, f"{name}: {manifest['name']}, main {addon}")
        check(addon in members and "LICENSE" in members, f"{name} carries {addon} and LICENSE")
        path = fresh(WORK / "npm" / platform) / addon
        path.write_bytes(members.get(addon, b""))
        _, cpu, libc = platform.split("-")
        check(manifest["os"] == ["linux"] and manifest["cpu"] == [cpu] and manifest["libc"] == [{"gnu": "glibc"}.get(libc, libc)],
              f"{name}: os, cpu and libc fields let npm skip it elsewhere")
        check_native(path, NPM_ARCH[cpu], libc == "musl", name)
        if platform == "linux-x64-musl":
            check_loads_under_musl(path, r"napi_", name)

    main_name = f"tokenfetch-{version}.tgz"
    members = npm_members(tarballs[main_name])
    manifest = json.loads(members["package.json"])
    check("install" not in manifest.get("scripts", {}), f"{main_name}: no install script")
    check(not any(n.endswith(".node") for n in members), f"{main_name}: no addon of its own")
    wanted = {p["name"]: p["version"] for p in platforms.values()}
    check(manifest.get("optionalDependencies") == wanted, f"{main_name}: an optional dependency on each platform package")
    for member in ("lib/index.js", "lib/index.mjs", "lib/index.d.ts", "index.js", "index.d.ts", "README.md", "LICENSE"):
        check(member in members, f"{main_name} carries {member}")

    project = fresh(WORK / "npm-project")
    run("npm", "init", "-y", cwd=project)
    run("npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--silent",
        tarballs[main_name], tarballs[f"tokenfetch-binding-linux-x64-gnu-{version}.tgz"], cwd=project)
    fetch = (
        "const client = new TokenClient({ tokenUrl: process.argv[1], clientId: 'demo-client', clientSecret: 'demo-secret' })\n"
        "client.clientCredentials().then((t) => console.log(t.tokenType, typeof t.accessToken, resolved))\n"
    )
    cjs = (
        "const { TokenClient } = require('tokenfetch')\n"
        "const resolved = require.resolve('@tokenfetch/binding-linux-x64-gnu')\n" + fetch
    )
    esm = (
        "import { TokenClient } from 'tokenfetch'\nimport { createRequire } from 'node:module'\n"
        "const resolved = createRequire(import.meta.url).resolve('@tokenfetch/binding-linux-x64-gnu')\n" + fetch
    )
    addon = str(project / "node_modules" / "@tokenfetch" / "binding-linux-x64-gnu" / "tokenfetch.linux-x64-gnu.node")
    for kind, code, flags in (("CommonJS", cjs, []), ("ESM", esm, ["--input-type=module"])):
        out = run("node", *flags, "-e", code, token_url, cwd=project).split()
        check(out == ["Bearer", "string", addon], f"installed with --ignore-scripts, {kind} fetches a token through {addon}")

    # What a user sees when the addon does not load: each case gets its own advice.
    load = "try { require('tokenfetch'); console.log('loaded') } catch (e) { console.log(e.message) }"
    binding_manifest = project / "node_modules" / "@tokenfetch" / "binding-linux-x64-gnu" / "package.json"
    original = binding_manifest.read_text()
    binding_manifest.write_text(original.replace(f'"version": "{version}"', '"version": "0.0.1"'))
    enforce = {**os.environ, "NAPI_RS_ENFORCE_VERSION_CHECK": "1"}
    said = run("node", "-e", load, cwd=project, env=enforce).strip()
    check(said.startswith(f"tokenfetch {version}: the installed @tokenfetch/binding package for linux-x64 is another version")
          and "0.0.1" in said,
          f"a platform package of another version is named as such: {said[:90]}...")
    binding_manifest.write_text(original)

    addon_bytes = Path(addon).read_bytes()
    Path(addon).write_bytes(b"not an ELF file" * 512)
    said = run("node", "-e", load, cwd=project).strip()
    check(said.startswith("tokenfetch: the native addon for linux-x64 was found but does not load:")
          and addon in said and "invalid ELF header" in said,
          f"an addon that is there but broken says which and why: {said[:75]}...")
    Path(addon).write_bytes(addon_bytes)

    bare = fresh(WORK / "npm-no-optional")
    run("npm", "init", "-y", cwd=bare)
    run("npm", "install", "--ignore-scripts", "--omit=optional", "--no-audit", "--no-fund", "--silent",
        tarballs[main_name], cwd=bare)
    said = run("node", "-e", load, cwd=bare).strip()
    check(said.startswith("tokenfetch: no native addon loads on linux-x64") and "--omit=optional" in said,
          f"without the optional platform package, the error says how to get one: {said[:70]}...")


# --- Kotlin ---------------------------------------------------------------------------------
def kotlin_artifacts() -> None:
    version = re.search(r"<version>(.+?)</version>", (ROOT / "bindings-kotlin" / "pom.xml").read_text())
    assert version is not None
    jar = DIST / "kotlin" / f"tokenfetch-{version.group(1)}.jar"
    listing = run("unzip", "-l", jar)
    natives = sorted(set(re.findall(r"\s(\S+/libtokenfetch_kotlin\.so)\n", listing)))
    check(natives == ["linux-aarch64/libtokenfetch_kotlin.so", "linux-x86-64/libtokenfetch_kotlin.so"],
          f"{jar.name}: unzip -l lists linux-x86-64/ and linux-aarch64/ ({natives})")
    host = CARGO_TARGET / "release" / "libtokenfetch_kotlin.so"
    wanted = exports(host, "uniffi_tokenfetch_kotlin_") | exports(host, "ffi_tokenfetch_kotlin_")
    out = fresh(WORK / "jar")
    with zipfile.ZipFile(jar) as zf:
        for native in natives:
            library = Path(zf.extract(native, out))
            check_native(library, JNA_ARCH[native.split("/")[0]], False, f"{jar.name}!{native}")
            exported = exports(library, "uniffi_tokenfetch_kotlin_") | exports(library, "ffi_tokenfetch_kotlin_")
            check(bool(wanted) and exported == wanted, f"{jar.name}!{native}: exports the {len(wanted)} functions the bindings call")
    sources = run("unzip", "-l", DIST / "kotlin" / f"tokenfetch-{version.group(1)}-sources.jar")
    check("io/tokenfetch/TokenClient.kt" in sources and "io/tokenfetch/ffi/tokenfetch_kotlin.kt" in sources,
          "the sources jar carries the hand-written layer and the generated bindings")
    javadoc = run("unzip", "-l", DIST / "kotlin" / f"tokenfetch-{version.group(1)}-javadoc.jar")
    check(" index.html\n" in javadoc and "io/tokenfetch/TokenClient.html" in javadoc,
          "the javadoc jar (Dokka) documents TokenClient")


def main() -> int:
    token_url = os.environ["TESTKIT_URL"].rstrip("/") + "/token"
    python_artifacts(token_url)
    node_artifacts(token_url)
    kotlin_artifacts()
    return check.verdict("every artifact in target/dist checks out")


if __name__ == "__main__":
    sys.exit(main())
