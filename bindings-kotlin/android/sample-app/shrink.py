"""Dexes and shrinks the sample app as an Android release build would, with R8 from Maven
Central, and leaves class files for the Robolectric tests.

1. D8 dexes the AAR's classes.jar and its runtime dependencies at the AAR's minSdk. Any
   warning fails: it would be an app developer's warning (or a desugaring gap) too.
2. R8 shrinks and obfuscates the app: its classes, the AAR's classes.jar and every runtime
   dependency, with the AAR's proguard.txt, the app's own proguard-app.pro, and the rules
   the dependencies embed for R8 (as the Android Gradle Plugin applies them). It runs twice:
   to dex, as a release build ships, and to class files (`--classfile`), which the
   Robolectric tests then run in place of the originals.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import NoReturn


def fail(message: str) -> NoReturn:
    sys.exit(f"shrink.py: {message}")


def min_sdk_of(aar_dir: Path) -> int:
    manifest = (aar_dir / "AndroidManifest.xml").read_text(encoding="utf-8")
    match = re.search(r'android:minSdkVersion="(\d+)"', manifest)
    if not match:
        fail(f"no minSdkVersion in {aar_dir / 'AndroidManifest.xml'}")
    return int(match.group(1))


def check_robolectric_sdks(properties: Path, min_sdk: int) -> None:
    """The tests must run at the AAR's minSdk; robolectric.properties names the SDKs."""
    match = re.search(r"^sdk=([\d,]+)", properties.read_text(encoding="utf-8"), re.M)
    sdks = [int(s) for s in match.group(1).split(",")] if match else []
    if not sdks or sdks[0] != min_sdk:
        fail(f"{properties} runs SDKs {sdks}, but the AAR's minSdk is {min_sdk}: make the first one {min_sdk}")


def embedded_rules(jar: Path, scratch: Path) -> list[Path]:
    """The keep rules a library ships for R8 (META-INF/com.android.tools/r8*), else for
    ProGuard (META-INF/proguard), as the Android Gradle Plugin picks them."""
    out: list[Path] = []
    with zipfile.ZipFile(jar) as z:
        names = [n for n in z.namelist() if n.endswith(".pro")]
        r8 = [n for n in names if re.match(r"META-INF/com\.android\.tools/r8(-from-[^/]*)?/", n) and "-upto-" not in n]
        chosen = r8 or [n for n in names if n.startswith("META-INF/proguard/")]
        for name in chosen:
            target = scratch / f"{jar.stem}--{name.replace('/', '_')}"
            target.write_bytes(z.read(name))
            out.append(target)
    return out


def run(cmd: list[str], what: str) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        fail(f"{what} failed:\n{output}")
    return output


def class_count(path: Path) -> int:
    if path.is_dir():
        return sum(1 for _ in path.rglob("*.class"))
    with zipfile.ZipFile(path) as z:
        return sum(1 for n in z.namelist() if n.endswith(".class"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--r8", type=Path, required=True)
    parser.add_argument("--android-jar", type=Path, required=True)
    parser.add_argument("--aar-dir", type=Path, required=True)
    parser.add_argument("--app-classes", type=Path, required=True)
    parser.add_argument("--classpath-file", type=Path, required=True)
    parser.add_argument("--app-rules", type=Path, required=True)
    parser.add_argument("--robolectric-properties", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    classes_jar = args.aar_dir / "classes.jar"
    consumer_rules = args.aar_dir / "proguard.txt"
    for needed in (classes_jar, consumer_rules, args.aar_dir / "AndroidManifest.xml"):
        if not needed.exists():
            fail(f"{needed} is missing; is the AAR unpacked in {args.aar_dir}?")
    min_sdk = min_sdk_of(args.aar_dir)
    check_robolectric_sdks(args.robolectric_properties, min_sdk)
    libraries = [Path(p) for p in args.classpath_file.read_text(encoding="utf-8").strip().split(":") if p]
    java = shutil.which("java")
    if java is None:
        fail("java is not on PATH")
    r8 = [str(java), "-cp", str(args.r8)]
    # The library to compile against: android.* from android-all, and java.* from the JDK
    # running this build, since Robolectric's android-all leaves java.* to the host JVM.
    java_home = Path(java).resolve().parent.parent
    library = ["--lib", str(args.android_jar), "--lib", str(java_home)]

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)

        # 1. D8 over what the AAR brings into an app.
        dex_out = scratch / "dex"
        dex_out.mkdir()
        output = run(
            [*r8, "com.android.tools.r8.D8", "--release", "--min-api", str(min_sdk), *library,
             "--output", str(dex_out), str(classes_jar), *map(str, libraries)],
            "D8",
        )
        warnings = [line for line in output.splitlines() if line.strip()]
        if warnings:
            fail("D8 warned while dexing the AAR and its dependencies:\n" + "\n".join(warnings))
        dex_bytes = sum(f.stat().st_size for f in dex_out.glob("*.dex"))
        print(f"D8 --min-api {min_sdk}: the AAR and {len(libraries)} dependencies dex without warnings ({dex_bytes:,} bytes of dex)")

        # 2. R8, as a release build of the app: once to dex at the minSdk, as the app would
        # ship, and once to class files (R8 takes no --min-api there) for Robolectric.
        rules = [consumer_rules, args.app_rules]
        for jar in libraries:
            rules += embedded_rules(jar, scratch)
        rule_args = [arg for rule in rules for arg in ("--pg-conf", str(rule))]
        app_jar = scratch / "app.jar"  # R8 reads jars, not class directories
        with zipfile.ZipFile(app_jar, "w") as z:
            for f in sorted(args.app_classes.rglob("*.class")):
                z.write(f, f.relative_to(args.app_classes).as_posix())
        program = [app_jar, classes_jar, *libraries]
        app_dex = scratch / "app-dex"
        app_dex.mkdir()
        shrink_output = run(
            [*r8, "com.android.tools.r8.R8", "--release", "--min-api", str(min_sdk), *library,
             "--output", str(app_dex), *rule_args, *map(str, program)],
            "R8 (dex)",
        )
        shrunk_jar = scratch / "shrunk.jar"
        shrink_output += run(
            [*r8, "com.android.tools.r8.R8", "--release", "--classfile", *library,
             "--output", str(shrunk_jar), *rule_args, *map(str, program)],
            "R8 (class files)",
        )
        # Several input jars carry the same META-INF files (MANIFEST.MF, module-info); R8
        # keeps the first, as an app's packaging would. Every other message is shown.
        duplicates = 0
        for line in shrink_output.splitlines():
            if re.match(r"Warning: Resource 'META-INF/.*' already exists\.$", line):
                duplicates += 1
            elif line.strip():
                print(f"R8: {line}")
        if duplicates:
            print(f"R8: {duplicates} duplicate META-INF resources across the input jars; the first of each is kept")
        app_dex_bytes = sum(f.stat().st_size for f in app_dex.glob("*.dex"))
        before = sum(class_count(p) for p in program)
        after = class_count(shrunk_jar)
        if args.out.exists():
            shutil.rmtree(args.out)
        with zipfile.ZipFile(shrunk_jar) as z:
            z.extractall(args.out)
        print(
            f"R8 with the AAR's consumer rules: {before:,} classes in, {after:,} out ({args.out}); "
            f"the shrunk app dexes to {app_dex_bytes:,} bytes at --min-api {min_sdk}"
        )


if __name__ == "__main__":
    main()
