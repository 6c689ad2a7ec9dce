"""Checks each cross-built libtokenfetch_kotlin.so as bionic's loader would see it, and
derives the AAR's minimum SDK from what the libraries import.

Usage: python check_so.py <host .so> <report.json> <abi>=<android .so>...

For every Android library it asserts:
- NEEDED is a subset of {libc.so, libdl.so, libm.so, liblog.so};
- the soname is libtokenfetch_kotlin.so (bionic refuses a library without one from API 23);
- every LOAD segment is aligned to at least 16 KB (Android 15's 16 KB pages);
- no text relocations, no ELF TLS segment (before API 29), a non-executable stack;
- the exported symbols are exactly the host library's (the uniffi API, nothing lost or added);
- every undefined symbol is on bionic-symbols.tsv for that ABI.

The minimum SDK is the highest API level among the symbols imported strongly: a library
with a strong import newer than the device fails to load. A weak import newer than that
(getrandom, API 28) resolves to null on older devices, which its caller checks; it is
reported, not counted.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from toolchain import ABIS, read_allow_list  # noqa: E402

ALLOWED_NEEDED = {"libc.so", "libdl.so", "libm.so", "liblog.so"}
SONAME = "libtokenfetch_kotlin.so"
PAGE = 16384
# The 64-bit ABIs start at API 21, and Rust's Android targets support nothing older.
FLOOR_SDK = 21


def readelf(*args: str) -> str:
    try:
        result = subprocess.run(["readelf", "-W", *args], capture_output=True, text=True)
    except FileNotFoundError:
        sys.exit("readelf is missing: it comes with binutils (Debian: apt install binutils)")
    if result.returncode != 0:
        sys.exit(f"readelf {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def dynamic_symbols(path: Path) -> tuple[set[str], dict[str, str]]:
    """(exported names, {imported name: binding}) from .dynsym."""
    exported: set[str] = set()
    imported: dict[str, str] = {}
    for line in readelf("--dyn-syms", str(path)).splitlines():
        parts = line.split()
        if len(parts) < 8 or not parts[0].rstrip(":").isdigit():
            continue
        _, _, _, kind, binding, visibility, ndx, name = parts[:8]
        name = name.split("@")[0]
        if not name:
            continue
        if ndx == "UND":
            imported[name] = binding
        elif binding in ("GLOBAL", "WEAK") and visibility == "DEFAULT" and kind in ("FUNC", "OBJECT"):
            exported.add(name)
    return exported, imported


def check(abi_name: str, path: Path, host_exports: set[str]) -> tuple[dict[str, object], list[str]]:
    problems: list[str] = []
    dynamic = readelf("-d", str(path))
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic))
    if not needed <= ALLOWED_NEEDED:
        problems.append(f"NEEDED {sorted(needed - ALLOWED_NEEDED)} is outside {sorted(ALLOWED_NEEDED)}")
    soname = re.findall(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", dynamic)
    if soname != [SONAME]:
        problems.append(f"soname is {soname or 'missing'}, want {SONAME}")

    if "(TEXTREL)" in dynamic or re.search(r"\(FLAGS\).*TEXTREL", dynamic):
        problems.append("has text relocations, which bionic refuses from API 23")

    segments = [line.split() for line in readelf("-l", str(path)).splitlines()]
    aligns = [int(parts[-1], 16) for parts in segments if parts and parts[0] == "LOAD"]
    if not aligns or min(aligns) < PAGE:
        problems.append(f"LOAD alignments {[hex(a) for a in aligns]} are below {hex(PAGE)}")
    if any(parts and parts[0] == "TLS" for parts in segments):
        problems.append("has a TLS segment (ELF TLS), which bionic supports only from API 29")
    stack = [parts for parts in segments if parts and parts[0] == "GNU_STACK"]
    if not stack or "E" in stack[0][-2]:
        problems.append("the stack is executable or GNU_STACK is missing")

    exported, imported = dynamic_symbols(path)
    if exported != host_exports:
        problems.append(
            f"exports differ from the host library: missing {sorted(host_exports - exported)[:10]}, "
            f"extra {sorted(exported - host_exports)[:10]}"
        )

    allowed = read_allow_list(ABIS[abi_name])
    strong_levels: dict[str, int] = {}
    weak_newer: dict[str, int] = {}
    for symbol, binding in sorted(imported.items()):
        if symbol not in allowed:
            problems.append(f"imports {symbol} ({binding}), which bionic-symbols.tsv does not list for {abi_name}")
            continue
        level = allowed[symbol].api
        if binding == "WEAK":
            weak_newer[symbol] = level
        else:
            strong_levels[symbol] = level
    min_sdk = max([FLOOR_SDK, *strong_levels.values()])
    newest = sorted((lvl, s) for s, lvl in strong_levels.items())[-3:]
    report: dict[str, object] = {
        "path": str(path.resolve()),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "bytes": path.stat().st_size,
        "needed": sorted(needed),
        "soname": soname[0] if soname else None,
        "load_alignment": min(aligns) if aligns else None,
        "exports": len(exported),
        "imports": len(imported),
        "min_sdk": min_sdk,
        "newest_strong_imports": [f"{s} (API {lvl})" for lvl, s in reversed(newest)],
        "weak_imports_newer_than_min_sdk": {s: lvl for s, lvl in weak_newer.items() if lvl > min_sdk},
    }
    return report, problems


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(f"usage: {sys.argv[0]} <host .so> <report.json> <abi>=<android .so>...")
    report_path = Path(sys.argv[2])
    # A report left from an earlier run must not outlive a failed check.
    report_path.unlink(missing_ok=True)
    host = Path(sys.argv[1])
    host_exports, _ = dynamic_symbols(host)
    if not any(name.startswith("uniffi_") for name in host_exports):
        sys.exit(f"{host} exports no uniffi_ symbols; is it the tokenfetch-kotlin cdylib?")
    reports: dict[str, object] = {}
    failed = False
    for arg in sys.argv[3:]:
        abi_name, _, so = arg.partition("=")
        if abi_name not in ABIS:
            sys.exit(f"unknown ABI {abi_name!r}; known: {', '.join(ABIS)}")
        report, problems = check(abi_name, Path(so), host_exports)
        reports[abi_name] = report
        status = "FAILED" if problems else "ok"
        print(
            f"{abi_name}: {status}, {report['bytes']:,} bytes, NEEDED {report['needed']}, "
            f"min SDK {report['min_sdk']} (newest strong imports: {', '.join(report['newest_strong_imports'])})"  # type: ignore[arg-type]
        )
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        failed |= bool(problems)
    if failed:
        sys.exit("android: a native library failed its checks (above)")
    min_sdk = max(int(r["min_sdk"]) for r in reports.values())  # type: ignore[index]
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps({"min_sdk": min_sdk, "abis": reports}, indent=2) + "\n", encoding="utf-8")
    print(f"android: every library passed; the AAR's minimum SDK is {min_sdk}")


if __name__ == "__main__":
    main()
