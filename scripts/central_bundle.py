#!/usr/bin/env python3
"""A Maven Central upload bundle: one artifact's files, signed and checksummed, in a zip.

    central_bundle.py --pom POM --artifact FILE [--artifact CLASSIFIER=FILE ...] --out BUNDLE.zip

The Central Portal takes such a zip (https://central.sonatype.com/api/v1/publisher/upload). It
holds the files in the repository layout (group/artifact/version/), each with an ASCII-armoured
detached GPG signature and md5 and sha1 checksums, which Central requires. The coordinates come
from the POM. gpg signs with its default key (GNUPGHOME); GPG_PASSPHRASE is read if set.

The release workflow bundles the jar (with its sources and Dokka javadoc jars) and the AAR this
way; scripts/check_release.py signs a bundle with a throwaway key and verifies it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def coordinates(pom: Path) -> tuple[str, str, str, str]:
    """groupId, artifactId, version and packaging, as the POM declares them."""
    root = ET.parse(pom).getroot()

    def text(tag: str, default: str | None = None) -> str:
        element = root.find(f"m:{tag}", POM_NS)
        if element is not None and element.text:
            return element.text.strip()
        if default is None:
            raise SystemExit(f"central_bundle: {pom} declares no <{tag}>")
        return default

    values = (text("groupId"), text("artifactId"), text("version"), text("packaging", "jar"))
    for value in values:
        if "${" in value:
            raise SystemExit(f"central_bundle: {pom} leaves {value} unresolved; pass the resolved POM")
    return values


def sign(path: Path) -> Path:
    signature = path.with_name(path.name + ".asc")
    argv = ["gpg", "--batch", "--yes", "--armor", "--detach-sign", "--output", str(signature)]
    passphrase = os.environ.get("GPG_PASSPHRASE")
    if passphrase:
        argv += ["--pinentry-mode", "loopback", "--passphrase-fd", "0"]
    subprocess.run([*argv, str(path)], input=(passphrase or "").encode(), check=True)
    return signature


def bundle(pom: Path, artifacts: dict[str, Path], out: Path) -> list[str]:
    group, artifact, version, packaging = coordinates(pom)
    folder = f"{group.replace('.', '/')}/{artifact}/{version}"
    files: dict[str, Path] = {f"{artifact}-{version}.pom": pom}
    for classifier, path in artifacts.items():
        if not path.is_file():
            raise SystemExit(f"central_bundle: {path} does not exist")
        extension = packaging if classifier == "" and packaging in ("jar", "aar") else path.suffix.lstrip(".")
        suffix = f"-{classifier}" if classifier else ""
        files[f"{artifact}-{version}{suffix}.{extension}"] = path
    names: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in sorted(files.items()):
            staged = Path(tmp) / name
            staged.write_bytes(path.read_bytes())
            entries = {name: staged.read_bytes(), name + ".asc": sign(staged).read_bytes()}
            data = entries[name]
            entries[name + ".md5"] = hashlib.md5(data).hexdigest().encode()
            entries[name + ".sha1"] = hashlib.sha1(data).hexdigest().encode()
            for entry, content in entries.items():
                zf.writestr(f"{folder}/{entry}", content)
                names.append(f"{folder}/{entry}")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pom", type=Path, required=True, help="the POM to publish, with every value resolved")
    parser.add_argument("--artifact", action="append", default=[], metavar="[CLASSIFIER=]FILE",
                        help="the main file (no classifier), or sources=FILE, javadoc=FILE")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    artifacts: dict[str, Path] = {}
    for spec in args.artifact:
        classifier, _, file = spec.rpartition("=")
        if classifier and not re.fullmatch(r"[a-z][a-z0-9-]*", classifier):
            parser.error(f"--artifact {spec}: a classifier is lower-case letters, digits and dashes")
        if classifier in artifacts:
            parser.error(f"--artifact {spec}: {classifier or 'the main file'} given twice")
        artifacts[classifier] = Path(file)
    if "" not in artifacts:
        parser.error("give the main file: --artifact FILE")
    for name in bundle(args.pom, artifacts, args.out):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
