"""What every registry needs of our packages, checked before anything is published.
Run by `make lint`; prints each problem and fails.

- One version: every package carries the workspace's (Cargo.toml, [workspace.package]).
  The Python package reads it from Cargo through maturin (`dynamic = ["version"]`), so only
  that declaration is checked there; Node and Maven spell it out, and are compared.
- Complete metadata: PyPI's project URLs, classifiers and keywords; npm's repository,
  homepage, bugs and keywords; the url, licenses, scm and developers Maven Central requires
  of each POM; a LICENSE file, and a CHANGELOG.md entry for the version.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def workspace_version() -> str:
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text(encoding="utf-8"))
    return str(cargo["workspace"]["package"]["version"])


def places(version: str) -> list[tuple[str, str | None]]:
    """(where, the version found there); None where the version is not declared as it must be."""
    found: list[tuple[str, str | None]] = []

    pyproject = tomllib.loads((ROOT / "bindings-python/pyproject.toml").read_text(encoding="utf-8"))
    dynamic = "version" in pyproject["project"].get("dynamic", [])
    found.append(("bindings-python/pyproject.toml (dynamic, from Cargo)", version if dynamic else None))
    for crate in ("core", "bindings-python", "bindings-node", "bindings-kotlin", "testkit"):
        manifest = tomllib.loads((ROOT / crate / "Cargo.toml").read_text(encoding="utf-8"))
        inherited = manifest["package"].get("version") == {"workspace": True}
        found.append((f"{crate}/Cargo.toml (version.workspace)", version if inherited else None))

    for package in [ROOT / "bindings-node/package.json", *sorted((ROOT / "bindings-node/npm").glob("*/package.json"))]:
        data = json.loads(package.read_text(encoding="utf-8"))
        found.append((str(package.relative_to(ROOT)), data.get("version")))
        for name, wanted in data.get("optionalDependencies", {}).items():
            if name.startswith("@tokenfetch/"):
                found.append((f"{package.relative_to(ROOT)} optionalDependencies {name}", wanted))
    lock = json.loads((ROOT / "bindings-node/package-lock.json").read_text(encoding="utf-8"))
    found.append(("bindings-node/package-lock.json", lock.get("version")))
    loader = (ROOT / "bindings-node/index.js").read_text(encoding="utf-8")
    for loader_version in sorted(set(re.findall(r"bindingPackageVersion !== '([^']+)'", loader))):
        found.append(("bindings-node/index.js (generated loader)", loader_version))

    def pom_project_version(path: str) -> str | None:
        text = (ROOT / path).read_text(encoding="utf-8")
        body = re.sub(r"<parent>.*?</parent>|<dependencies>.*|<build>.*", "", text, flags=re.S)
        match = re.search(r"<artifactId>[^<]+</artifactId>\s*<version>([^<]+)</version>", body)
        return match.group(1) if match else None

    found.append(("bindings-kotlin/pom.xml", pom_project_version("bindings-kotlin/pom.xml")))
    found.append(("bindings-kotlin/android/aar/pom.xml", pom_project_version("bindings-kotlin/android/aar/pom.xml")))
    for project in ("consumer", "java-consumer"):
        consumer = (ROOT / f"bindings-kotlin/examples/{project}/pom.xml").read_text(encoding="utf-8")
        match = re.search(r"<artifactId>tokenfetch</artifactId>\s*<version>([^<]+)</version>", consumer)
        found.append((f"bindings-kotlin/examples/{project}/pom.xml (dependency)", match.group(1) if match else None))
    sample = (ROOT / "bindings-kotlin/android/sample-app/pom.xml").read_text(encoding="utf-8")
    match = re.search(r"<tokenfetch.version>([^<]+)</tokenfetch.version>", sample)
    found.append(("bindings-kotlin/android/sample-app/pom.xml (tokenfetch.version)", match.group(1) if match else None))
    gradle = (ROOT / "bindings-kotlin/android/build.gradle.kts").read_text(encoding="utf-8")
    match = re.search(r'version = "([^"]+)"', gradle)
    found.append(("bindings-kotlin/android/build.gradle.kts", match.group(1) if match else None))
    return found


def metadata_gaps(version: str) -> list[str]:
    gaps: list[str] = []
    license_text = ROOT / "LICENSE"
    if not license_text.exists() or "Apache License" not in license_text.read_text(encoding="utf-8")[:400]:
        gaps.append("LICENSE: missing, or not the Apache License 2.0 the manifests declare")
    changelog = ROOT / "CHANGELOG.md"
    if not changelog.exists() or not re.search(rf"^## \[?{re.escape(version)}\]?", changelog.read_text(encoding="utf-8"), re.M):
        gaps.append(f"CHANGELOG.md: no `## {version}` section")

    project = tomllib.loads((ROOT / "bindings-python/pyproject.toml").read_text(encoding="utf-8"))["project"]
    for url in ("Homepage", "Repository", "Issues", "Changelog"):
        if url not in project.get("urls", {}):
            gaps.append(f"bindings-python/pyproject.toml: [project.urls] lacks {url}")
    # PEP 639: an SPDX expression and the license file in the sdist and the wheel.
    if project.get("license") != "Apache-2.0" or "LICENSE" not in project.get("license-files", []):
        gaps.append('bindings-python/pyproject.toml: want license = "Apache-2.0" and license-files = ["LICENSE"]')
    python_license = ROOT / "bindings-python/LICENSE"
    if not python_license.exists() or python_license.read_bytes() != license_text.read_bytes():
        gaps.append("bindings-python/LICENSE: missing, or not the repository's LICENSE (it is a symlink to it)")
    if not project.get("keywords"):
        gaps.append("bindings-python/pyproject.toml: no keywords")

    package = json.loads((ROOT / "bindings-node/package.json").read_text(encoding="utf-8"))
    for field in ("license", "repository", "homepage", "bugs", "keywords"):
        if not package.get(field):
            gaps.append(f"bindings-node/package.json: no {field}")

    for manifest in sorted((ROOT / "bindings-node/npm").glob("*/package.json")):
        platform = json.loads(manifest.read_text(encoding="utf-8"))
        name = manifest.relative_to(ROOT)
        for field in ("license", "repository", "homepage", "bugs", "os", "cpu"):
            if not platform.get(field):
                gaps.append(f"{name}: no {field}")
        if platform.get("publishConfig", {}).get("access") != "public":
            gaps.append(f"{name}: a scoped package publishes as private unless publishConfig.access is public")
        if not platform["name"].startswith(package["napi"]["packageName"] + "-"):
            gaps.append(f"{name}: {platform['name']} is not a {package['napi']['packageName']}-<platform> package")

    for pom in ("bindings-kotlin/pom.xml", "bindings-kotlin/android/aar/tokenfetch-android.pom"):
        text = (ROOT / pom).read_text(encoding="utf-8")
        for element in ("url", "licenses", "scm", "developers", "description"):
            if f"<{element}>" not in text:
                gaps.append(f"{pom}: no <{element}> (Maven Central requires it)")
    return gaps


def main() -> None:
    version = workspace_version()
    if sys.argv[1:] == ["--print-version"]:
        print(version)  # for the release workflow: the tag must be v<this>
        return
    if sys.argv[1:]:
        sys.exit("usage: check_packages.py [--print-version]")
    problems = [
        f"{where}: {got or 'not declared as it must be'}, want the workspace's {version} (Cargo.toml [workspace.package])"
        for where, got in places(version)
        if got != version
    ]
    problems += metadata_gaps(version)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(f"packages: {len(problems)} problem(s) above")
    print(f"packages: every one is {version}, with complete registry metadata")


if __name__ == "__main__":
    main()
