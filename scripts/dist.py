#!/usr/bin/env python3
"""`make dist`: the registry artifacts we can build on one Linux x86_64 machine.

Into target/dist/:
  python/  an abi3 wheel per Linux platform (manylinux_2_17 and musllinux_1_2, x86_64 and
           aarch64) and the sdist;
  node/    the `tokenfetch` tarball and one @tokenfetch/binding-<platform> tarball per Linux
           platform, the napi-rs layout;
  kotlin/  the jar with the linux-x86-64 and linux-aarch64 natives, and its sources jar.

Every native is cross-linked by zig (the ziglang wheel) against glibc 2.17 or musl, so a
binary built here runs on any distribution from CentOS 7 on and on Alpine. macOS and Windows
natives come from .github/workflows/release.yml, which runs the same steps on those hosts.
scripts/check_dist.py checks what this writes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "target" / "dist"
BIN = Path(sys.executable).parent
# Where cargo puts what it builds; a relative CARGO_TARGET_DIR is read from the workspace root.
CARGO_TARGET = ROOT / os.environ.get("CARGO_TARGET_DIR", "target")
GLIBC = "2.17"
MUSLLINUX = "musllinux_1_2"
MANYLINUX = "manylinux_2_17"
PARTS = ("python", "node", "kotlin", "node-tarballs")


@dataclass(frozen=True)
class Platform:
    triple: str  # what rustc calls it
    npm: str  # what napi-rs calls it: the suffix of the @tokenfetch/binding-<npm> package
    jna: str | None  # JNA's resource prefix, for the natives the jar carries

    @property
    def musl(self) -> bool:
        return self.triple.endswith("-musl")

    @property
    def arch(self) -> str:
        return self.triple.split("-", 1)[0]

    @property
    def zig_target(self) -> str:
        """The triple cargo-zigbuild reads; the glibc suffix pins the symbol versions."""
        return self.triple if self.musl else f"{self.triple}.{GLIBC}"


PLATFORMS = [
    Platform("x86_64-unknown-linux-gnu", "linux-x64-gnu", "linux-x86-64"),
    Platform("aarch64-unknown-linux-gnu", "linux-arm64-gnu", "linux-aarch64"),
    Platform("x86_64-unknown-linux-musl", "linux-x64-musl", None),
    Platform("aarch64-unknown-linux-musl", "linux-arm64-musl", None),
]


def run(*argv: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in argv), flush=True)
    subprocess.run([str(a) for a in argv], cwd=cwd, env=env, check=True)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def build_env() -> dict[str, str]:
    """The venv's tools (maturin, cargo-zigbuild, python -m ziglang) first on PATH.

    RUSTFLAGS from the caller's shell would change every target's link flags, so it goes.
    """
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    for name in ("RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_TARGET"):
        env.pop(name, None)
    return env


def musl_libc_soname(platform: Platform) -> str:
    return f"libc.musl-{platform.arch}.so.1"


def name_musl_libc(library: Path, platform: Platform, env: dict[str, str]) -> None:
    """Record musl's libc by the soname Alpine gives it, as a musllinux build image would.

    zig links against a libc stub called `libc.so`. musl's loader accepts that name too,
    but auditwheel's musllinux policy (and any tool that follows Alpine) expects
    `libc.musl-<arch>.so.1`.
    """
    needed = subprocess.run(
        [str(BIN / "patchelf"), "--print-needed", str(library)], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    if "libc.so" in needed:
        run(BIN / "patchelf", "--replace-needed", "libc.so", musl_libc_soname(platform), library, env=env)


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def patch_musl_wheel(wheel: Path, platform: Platform, env: dict[str, str]) -> None:
    """name_musl_libc on the extension inside a wheel, with its RECORD line rewritten."""
    with zipfile.ZipFile(wheel) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with tempfile.TemporaryDirectory() as tmp:
        rewritten: dict[str, bytes] = {}
        for info, data in entries:
            if info.filename.endswith(".so"):
                library = Path(tmp) / Path(info.filename).name
                library.write_bytes(data)
                name_musl_libc(library, platform, env)
                rewritten[info.filename] = library.read_bytes()
    record_lines = []
    for info, data in entries:
        if info.filename.endswith(".dist-info/RECORD"):
            for line in data.decode().splitlines():
                path = line.split(",", 1)[0]
                if path in rewritten:
                    line = f"{path},{record_hash(rewritten[path])},{len(rewritten[path])}"
                record_lines.append(line)
    patched = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            if info.filename in rewritten:
                data = rewritten[info.filename]
            elif info.filename.endswith(".dist-info/RECORD"):
                data = ("\n".join(record_lines) + "\n").encode()
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    patched.replace(wheel)


def recompress_wheel(wheel: Path) -> None:
    """Rewrites a wheel with zlib's deflate at level 9: the same files, 40 kB (3%) less to
    download than maturin's own deflate at its default level. Entries keep their order,
    dates and modes, so RECORD still matches."""
    with zipfile.ZipFile(wheel) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    packed = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(packed, "w") as out:
        for info, data in entries:
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    packed.replace(wheel)


def python_wheels(env: dict[str, str]) -> None:
    out = DIST / "python"
    shutil.rmtree(out, ignore_errors=True)
    for platform in PLATFORMS:
        policy = MUSLLINUX if platform.musl else MANYLINUX
        run(BIN / "maturin", "build", "--quiet", "--release", "--zig", "--compatibility", policy,
            "--target", platform.triple, "-m", "bindings-python/Cargo.toml", "-o", out, env=env)
        (wheel,) = out.glob(f"*{policy}_{platform.arch}.whl")
        if platform.musl:
            patch_musl_wheel(wheel, platform, env)
        else:
            recompress_wheel(wheel)
    run(BIN / "maturin", "sdist", "-m", "bindings-python/Cargo.toml", "-o", out, env=env)


def node_addons(env: dict[str, str]) -> None:
    addons = DIST / "node" / "addons"
    shutil.rmtree(addons, ignore_errors=True)
    napi = ROOT / "bindings-node" / "node_modules" / ".bin" / "napi"
    for platform in PLATFORMS:
        # --no-js: the committed loader (bindings-node/index.js) already names every platform.
        run(napi, "build", "--platform", "--release", "--cross-compile", "--target", platform.zig_target,
            "--manifest-path", "Cargo.toml", "--output-dir", addons, "--no-js",
            cwd=ROOT / "bindings-node", env=env)


def node_tarballs(env: dict[str, str]) -> None:
    """A tarball per addon in target/dist/node/addons/, and the main package's.

    The release workflow downloads the addons built on macOS and Windows runners into the same
    folder and packs them here, so every platform package is made the same way.
    """
    out = DIST / "node"
    addons, stage = out / "addons", out / "stage"
    for old in [*out.glob("*.tgz"), stage]:
        remove(old)
    for platform_dir in sorted((ROOT / "bindings-node" / "npm").iterdir()):
        addon = addons / f"tokenfetch.{platform_dir.name}.node"
        if not addon.exists():
            continue
        musl = next((p for p in PLATFORMS if p.npm == platform_dir.name and p.musl), None)
        if musl is not None:
            name_musl_libc(addon, musl, env)
        package = stage / platform_dir.name
        shutil.copytree(platform_dir, package)
        shutil.copy2(addon, package)
        shutil.copy2(ROOT / "LICENSE", package)
        run("npm", "pack", "--silent", "--pack-destination", out, cwd=package, env=env)
    main_package(stage / "tokenfetch", env)
    run("npm", "pack", "--silent", "--pack-destination", out, cwd=stage / "tokenfetch", env=env)


def main_package(package: Path, env: dict[str, str]) -> None:
    """The published `tokenfetch`: the checkout's package without its build-from-source hook.

    npm installs the matching addon from the optional dependencies, one per directory in
    bindings-node/npm/, so nothing runs at install time.
    """
    source = ROOT / "bindings-node"
    manifest = json.loads((source / "package.json").read_text())
    manifest["scripts"].pop("install")
    manifest["files"] = [f for f in manifest["files"] if f != "scripts/install.js"]
    optional = {}
    for platform_manifest in sorted((source / "npm").glob("*/package.json")):
        dependency = json.loads(platform_manifest.read_text())
        optional[dependency["name"]] = dependency["version"]
    manifest["optionalDependencies"] = optional
    package.mkdir(parents=True)
    for entry in manifest["files"]:
        src = source / entry
        if src.is_dir():
            shutil.copytree(src, package / entry)
        else:
            shutil.copy2(src, package / entry)
    shutil.copy2(source / "README.md", package)
    shutil.copy2(ROOT / "LICENSE", package)
    (package / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")


# The release profile keeps tokenfetch-kotlin's symbol table for uniffi-bindgen (Cargo.toml);
# the libraries the jar ships need none.
STRIP_KOTLIN = 'profile.release.package.tokenfetch-kotlin.strip="symbols"'


def kotlin_jar(env: dict[str, str]) -> None:
    out = DIST / "kotlin"
    natives = out / "natives"
    # natives/ may hold other platforms' libraries (the release workflow puts them there).
    for old in [*out.glob("*.jar"), out / "build"]:
        remove(old)
    host: Path | None = None
    for platform in PLATFORMS:
        if platform.jna is None:
            continue
        # Stripped: the bindings are read from the host build, which keeps its symbol table.
        run(BIN / "cargo-zigbuild", "zigbuild", "--quiet", "--release", "-p", "tokenfetch-kotlin", "--lib",
            "--config", STRIP_KOTLIN, "--target", platform.zig_target, env=env)
        library = CARGO_TARGET / platform.triple / "release" / "libtokenfetch_kotlin.so"
        (natives / platform.jna).mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, natives / platform.jna)
        if platform.triple == "x86_64-unknown-linux-gnu":
            host = library
    assert host is not None
    # native.dir holds the jar's linux-x86-64 entry and natives.dir the other platforms;
    # uniffi-bindgen reads the pom's own host build (native.lib). The build directory keeps the dev jar apart.
    run("mvn", "-B", "-ntp", "-q", "-f", "bindings-kotlin/pom.xml", "-P", "release", "package", "-DskipTests",
        f"-Dnative.dir={host.parent}", f"-Dnatives.dir={natives}", f"-Dbuild.dir={out / 'build'}", env=env)
    for jar in (out / "build").glob("tokenfetch-*.jar"):
        shutil.copy2(jar, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parts", nargs="*", metavar="PART",
                        help="python, node, kotlin (default: all three), or node-tarballs: pack the addons already in target/dist/node/addons")
    parts = parser.parse_args().parts or ["python", "node", "kotlin"]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    env = build_env()
    if set(parts) - {"node-tarballs"}:
        run("rustup", "target", "add", *(p.triple for p in PLATFORMS), env=env)
    if "python" in parts:
        python_wheels(env)
    if "node" in parts:
        node_addons(env)
    if "node" in parts or "node-tarballs" in parts:
        node_tarballs(env)
    if "kotlin" in parts:
        kotlin_jar(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
