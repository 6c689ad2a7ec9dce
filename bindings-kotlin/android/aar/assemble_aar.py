"""Zips the Android library: what the Android Gradle Plugin would put in an AAR.

    AndroidManifest.xml   the package and minSdk
    classes.jar           the compiled Kotlin (this module's jar, unchanged)
    R.txt                 empty: the library has no resources
    proguard.txt          consumer rules, applied to every app that depends on the AAR
    jni/<abi>/libtokenfetch_kotlin.so

The minimum SDK is the higher of what the native libraries import (the native report
written by ../cross/check_so.py) and what the Kotlin needs (--kotlin-min-sdk, which
animal-sniffer checks in pom.xml: CompletableFuture, in the await twins, is API 24).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from pathlib import Path

NAMESPACE = "io.tokenfetch"
# Every 64-bit device runs one of these; the 32-bit ABIs are added when they build.
REQUIRED_ABIS = {"arm64-v8a", "x86_64"}
LIBRARY = "libtokenfetch_kotlin.so"

MANIFEST = """\
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="{namespace}">
    <uses-sdk android:minSdkVersion="{min_sdk}" />
    <!-- Token requests go over the network. -->
    <uses-permission android:name="android.permission.INTERNET" />
</manifest>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=Path, required=True)
    parser.add_argument("--native-report", type=Path, required=True)
    parser.add_argument("--kotlin-min-sdk", type=int, required=True)
    parser.add_argument("--consumer-rules", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    if not args.native_report.exists():
        sys.exit(f"{args.native_report} is missing: run `make android`, which cross-builds and checks the native libraries first")
    report = json.loads(args.native_report.read_text(encoding="utf-8"))
    min_sdk = max(int(report["min_sdk"]), args.kotlin_min_sdk)
    abis = report["abis"]
    missing = REQUIRED_ABIS - set(abis)
    if missing:
        sys.exit(f"the native report lacks {sorted(missing)}; the AAR needs at least {sorted(REQUIRED_ABIS)}")
    for abi, native in abis.items():
        digest = hashlib.sha256(Path(native["path"]).read_bytes()).hexdigest()
        if digest != native["sha256"]:
            sys.exit(f"{native['path']} changed after it was checked; run `make android` again")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(args.out, "w", compression=zipfile.ZIP_DEFLATED) as aar:
        aar.writestr("AndroidManifest.xml", MANIFEST.format(namespace=NAMESPACE, min_sdk=min_sdk))
        aar.write(args.classes, "classes.jar")
        aar.writestr("R.txt", "")
        aar.write(args.consumer_rules, "proguard.txt")
        for abi, native in sorted(abis.items()):
            aar.write(native["path"], f"jni/{abi}/{LIBRARY}")
    sizes = ", ".join(f"{abi} {Path(n['path']).stat().st_size:,} bytes" for abi, n in sorted(abis.items()))
    print(f"AAR {args.out.name}: {args.out.stat().st_size:,} bytes, minSdk {min_sdk}; {sizes}")


if __name__ == "__main__":
    main()
