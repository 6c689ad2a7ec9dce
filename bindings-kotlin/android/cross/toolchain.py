"""An Android cross toolchain without the NDK, from pieces the registries serve.

No registry we build from serves the Android NDK, so `make android` puts together what
linking a Rust cdylib for bionic needs:

- the linker: `rust-lld`, which ships with every Rust toolchain;
- bionic's shared libraries as link-time stubs (`libc.so`, `libdl.so`, `libm.so`,
  `liblog.so`) with their real sonames. They define only the symbols in
  `bionic-symbols.tsv`, so linking with `-z defs` fails on any import that list does not
  vouch for;
- `crtbegin_so.o`, the little startup object every Android shared library carries;
- `libunwind.a`, built from the LLVM libunwind sources that the `ziglang` wheel ships
  (Rust's Android targets unwind with it);
- a C compiler for build scripts (ring's): `zig cc`, with musl's headers.

Usage: python toolchain.py <out-dir> <abi>...  writes <out-dir>/<abi>/, with the cargo
environment for that ABI as shell assignments in <out-dir>/<abi>/cargo.env.
"""

from __future__ import annotations

import functools
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

HERE = Path(__file__).resolve().parent
SYMBOLS = HERE / "bionic-symbols.tsv"
STUB_LIBRARIES = ("libc", "libdl", "libm", "liblog")


@dataclass(frozen=True)
class Abi:
    name: str  # Android's name, as in jni/<name>/
    rust_target: str
    zig_target: str  # zig's musl target: only its headers are used, never its libc
    map_arch: str  # the architecture as bionic's symbol maps spell it
    zig_cpu: str = ""


ABIS = {
    abi.name: abi
    for abi in (
        Abi("arm64-v8a", "aarch64-linux-android", "aarch64-linux-musl", "arm64"),
        Abi("x86_64", "x86_64-linux-android", "x86_64-linux-musl", "x86_64"),
        Abi("armeabi-v7a", "armv7-linux-androideabi", "arm-linux-musleabi", "arm", "generic+v7a"),
        Abi("x86", "i686-linux-android", "x86-linux-musl", "x86", "pentium4"),
    )
}


def fail(message: str) -> NoReturn:
    print(f"android toolchain: {message}", file=sys.stderr)
    sys.exit(1)


def zig() -> list[str]:
    """`python -m ziglang`, from the venv the Makefile installed it into."""
    try:
        import ziglang  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        fail("the ziglang package is missing; `make android` installs it into .venv")
    return [sys.executable, "-m", "ziglang"]


def run(cmd: list[str], **kwargs: object) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        fail(f"`{shlex.join(cmd)}` failed:\n{result.stdout}{result.stderr}")


@dataclass(frozen=True)
class BionicSymbol:
    name: str
    library: str  # one of STUB_LIBRARIES
    kind: str  # "func" or "object"
    api: int  # the API level it appeared in, on the ABI it was read for


def read_allow_list(abi: Abi) -> dict[str, BionicSymbol]:
    """bionic-symbols.tsv as it applies to `abi`. A malformed line fails with its number."""
    symbols: dict[str, BionicSymbol] = {}
    header_seen = False
    for number, line in enumerate(SYMBOLS.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if not header_seen:
            if columns != ["symbol", "library", "kind", "api"]:
                fail(f"{SYMBOLS.name}:{number}: the header must be symbol, library, kind, api")
            header_seen = True
            continue
        if len(columns) != 4:
            fail(f"{SYMBOLS.name}:{number}: want 4 tab-separated columns, got {len(columns)}")
        name, library, kind, spec = columns
        if library not in STUB_LIBRARIES or kind not in ("func", "object"):
            fail(f"{SYMBOLS.name}:{number}: library must be one of {STUB_LIBRARIES} and kind func or object")
        if name in symbols:
            fail(f"{SYMBOLS.name}:{number}: {name} is listed twice")
        level = api_level(spec, abi, f"{SYMBOLS.name}:{number}")
        if level is not None:
            symbols[name] = BionicSymbol(name, library, kind, level)
    return symbols


def api_level(spec: str, abi: Abi, where: str) -> int | None:
    """The `api` column: `21` for every ABI, or `abi=level` pairs in bionic's spelling (arm,
    arm64, x86, x86_64) with `*=level` for the others. An ABI that neither names nor `*`
    covers lacks the symbol (None)."""
    try:
        if "=" not in spec:
            return int(spec)
        levels = {key: int(value) for key, value in (part.split("=") for part in spec.split(","))}
    except ValueError:
        fail(f"{where}: api must be a level or abi=level pairs, got {spec!r}")
    if not set(levels) <= {"arm", "arm64", "x86", "x86_64", "*"}:
        fail(f"{where}: unknown ABI in {spec!r}")
    return levels.get(abi.map_arch, levels.get("*"))


def c_compile(abi: Abi, args: list[str]) -> None:
    cpu = [f"-mcpu={abi.zig_cpu}"] if abi.zig_cpu else []
    run([*zig(), "cc", "-target", abi.zig_target, *cpu, "-fPIC", "-O2", *args])


@functools.cache
def rust_lld() -> Path:
    """The linker that ships with the Rust toolchain cargo uses."""
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True, check=True).stdout.strip()
    host = next(
        line.split(": ", 1)[1]
        for line in subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("host: ")
    )
    lld = Path(sysroot) / "lib" / "rustlib" / host / "bin" / "rust-lld"
    if not lld.exists():
        fail(f"{lld} is missing; the Rust toolchain should ship it (rustup component add llvm-tools does not replace it)")
    return lld


def stub_library(abi: Abi, out: Path, library: str, symbols: list[tuple[str, str]]) -> None:
    """A shared library that defines `symbols` (functions that do nothing, zeroed objects)
    and carries bionic's soname. It is only ever linked against, never loaded.

    It is linked by rust-lld, not zig: zig's own link step adds its compiler runtime, which
    on 32-bit ARM turned the stub's memcpy and memset into local symbols."""
    source = out / "src" / f"{library}.c"
    obj = out / "obj" / f"{library}.o"
    lines = [f"/* Link-time stub of bionic's {library}.so, from bionic-symbols.tsv. */"]
    for symbol, kind in symbols:
        lines.append(f"char {symbol}[8];" if kind == "object" else f"void {symbol}(void) {{}}")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    c_compile(abi, ["-c", "-fno-builtin", "-fno-unwind-tables", "-fno-asynchronous-unwind-tables", "-w", "-o", str(obj), str(source)])
    stub = out / "lib" / f"{library}.so"
    run([str(rust_lld()), "-flavor", "gnu", "-shared", f"-soname={library}.so", "-o", str(stub), str(obj)])
    exported = set(
        parts[-1]
        for parts in (line.split() for line in subprocess.run(["nm", "-D", "--defined-only", str(stub)], capture_output=True, text=True, check=True).stdout.splitlines())
        if len(parts) == 3 and parts[1] in ("T", "B", "D")
    )
    missing = {name for name, _ in symbols} - exported
    if missing:
        fail(f"{abi.name}: the {library}.so stub does not export {sorted(missing)}")


def libunwind(abi: Abi, out: Path) -> None:
    """LLVM's libunwind as a static library, from the sources in the ziglang wheel."""
    import ziglang

    root = Path(ziglang.__file__).parent / "lib" / "libunwind"
    if not (root / "src" / "libunwind.cpp").exists():
        fail(f"no LLVM libunwind sources under {root}")
    sources = ["libunwind.cpp", "UnwindLevel1.c", "UnwindLevel1-gcc-ext.c", "UnwindRegistersRestore.S", "UnwindRegistersSave.S"]
    if abi.map_arch == "arm":
        sources.append("Unwind-EHABI.cpp")
    flags = [
        "-c",
        f"-I{root / 'include'}",
        "-D_LIBUNWIND_IS_NATIVE_ONLY",
        "-DNDEBUG",
        # musl's <errno.h> reads errno through __errno_location(); bionic names it __errno().
        "-D__errno_location=__errno",
        "-funwind-tables",
        "-fvisibility=hidden",
        "-w",
    ]
    cxx = ["-std=c++17", "-fno-rtti", "-fno-exceptions", "-nostdinc++", "-include", str(HERE / "bionic_rwlock.h")]
    objects = []
    for name in sources:
        obj = out / "obj" / (name + ".o")
        lang = cxx if name.endswith(".cpp") else []
        c_compile(abi, [*flags, *lang, "-o", str(obj), str(root / "src" / name)])
        objects.append(str(obj))
    check_lock_size(abi, out / "obj" / "libunwind.cpp.o")
    archive = out / "lib" / "libunwind.a"
    archive.unlink(missing_ok=True)
    run([*zig(), "ar", "rcs", str(archive), *objects])


# libunwind's one lock, the FDE cache's: bionic's pthread_rwlock_t (see bionic_rwlock.h).
FDE_CACHE_LOCK = "_ZN9libunwind13DwarfFDECacheINS_17LocalAddressSpaceEE5_lockE"


def check_lock_size(abi: Abi, obj: Path) -> None:
    """The headers are musl's and the library bionic's: a struct passed between them must have
    bionic's size, or bionic writes past it."""
    want = 40 if abi.map_arch in ("arm", "x86") else 56
    listing = subprocess.run(["nm", "-S", str(obj)], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        parts = line.split()
        if parts[-1] == FDE_CACHE_LOCK:
            if len(parts) < 4 or int(parts[1], 16) != want:
                fail(f"{abi.name}: libunwind's lock is {parts[1] if len(parts) >= 4 else '?'} bytes (hex), bionic's is {want}")
            return
    if abi.map_arch != "arm":  # ARM unwinds with EHABI tables and has no FDE cache
        fail(f"{abi.name}: {FDE_CACHE_LOCK} not found in {obj}; has libunwind changed?")


CRTBEGIN_SO = """\
/* What the NDK's crtbegin_so.o gives every shared library: its own __dso_handle, so that
   destructors registered by it run when it is unloaded, and an atexit() bound to it. */
extern int __cxa_atexit(void (*)(void *), void *, void *);
extern void __cxa_finalize(void *);

__attribute__((visibility("hidden"))) void *__dso_handle = &__dso_handle;

__attribute__((visibility("hidden"), destructor)) static void on_unload(void) {
    __cxa_finalize(&__dso_handle);
}

__attribute__((visibility("hidden"))) int atexit(void (*fn)(void)) {
    return __cxa_atexit((void (*)(void *))fn, 0, &__dso_handle);
}
"""


def crtbegin_so(abi: Abi, out: Path) -> None:
    source = out / "src" / "crtbegin_so.c"
    source.write_text(CRTBEGIN_SO, encoding="utf-8")
    c_compile(abi, ["-c", "-o", str(out / "lib" / "crtbegin_so.o"), str(source)])


def cc_wrapper(abi: Abi, out: Path) -> Path:
    """`zig cc` for build scripts. cc-rs passes `--target=<rust triple>`, which zig reads as
    its own target; the wrapper drops it in favour of the musl target it compiles for."""
    wrapper = out / "bin" / f"{abi.rust_target}-cc"
    cpu = f"-mcpu={abi.zig_cpu}" if abi.zig_cpu else ""
    wrapper.write_text(
        "#!/usr/bin/env bash\n"
        "# Generated by toolchain.py: zig cc for the musl headers, without cc-rs's --target.\n"
        "args=()\n"
        "skip=0\n"
        'for a in "$@"; do\n'
        '  if [ "$skip" = 1 ]; then skip=0; continue; fi\n'
        '  case "$a" in --target=*) ;; -target|--target) skip=1 ;; *) args+=("$a") ;; esac\n'
        "done\n"
        f'exec {shlex.join(zig())} cc -target {abi.zig_target} {cpu} -fPIC "${{args[@]}}"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    ar = out / "bin" / f"{abi.rust_target}-ar"
    ar.write_text(f'#!/usr/bin/env bash\nexec {shlex.join(zig())} ar "$@"\n', encoding="utf-8")
    ar.chmod(0o755)
    return wrapper


def cargo_env(abi: Abi, out: Path, cc: Path) -> dict[str, str]:
    lib = out / "lib"
    triple = abi.rust_target.upper().replace("-", "_")
    link_args = [
        f"-L{lib}",
        str(lib / "crtbegin_so.o"),
        # Bionic refuses a library without a soname from API 23 on.
        "-soname=libtokenfetch_kotlin.so",
        # Every import must resolve against the stubs, i.e. be on the allow-list.
        "-zdefs",
        # 16 KB pages (Android 15) need LOAD segments aligned to 16 KB.
        "-zmax-page-size=16384",
        "--hash-style=both",
        "--build-id=sha1",
    ]
    # Stripped: the AAR ships .dynsym, which is all the loader and JNA read; uniffi's
    # bindings come from the unstripped host build.
    flags = ["-Clinker=rust-lld", "-Clinker-flavor=ld.lld", "-Cstrip=symbols", *(f"-Clink-arg={a}" for a in link_args)]
    return {
        f"CARGO_TARGET_{triple}_RUSTFLAGS": " ".join(flags),
        f"CC_{abi.rust_target.replace('-', '_')}": str(cc),
        f"AR_{abi.rust_target.replace('-', '_')}": str(out / "bin" / f"{abi.rust_target}-ar"),
    }


def build(out_root: Path, abi: Abi) -> None:
    out = out_root / abi.name
    if out.exists():
        shutil.rmtree(out)
    for sub in ("src", "lib", "obj", "bin"):
        (out / sub).mkdir(parents=True)
    allow_list = read_allow_list(abi)
    for library in STUB_LIBRARIES:
        stub_library(abi, out, library, [(s.name, s.kind) for s in allow_list.values() if s.library == library])
    crtbegin_so(abi, out)
    libunwind(abi, out)
    cc = cc_wrapper(abi, out)
    env = cargo_env(abi, out, cc)
    (out / "cargo.env").write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in env.items()), encoding="utf-8")
    print(f"android toolchain: {abi.name} ready in {out}")


def main() -> None:
    if len(sys.argv) < 3:
        fail(f"usage: {sys.argv[0]} <out-dir> <abi>...  (abis: {', '.join(ABIS)})")
    out_root = Path(sys.argv[1]).resolve()
    for name in sys.argv[2:]:
        if name not in ABIS:
            fail(f"unknown ABI {name!r}; known: {', '.join(ABIS)}")
        build(out_root, ABIS[name])


if __name__ == "__main__":
    main()
