"""Build the workspace template's crates once per toolchain into a shared target dir, then hand out
`--extern name=…rlib -L dependency=…` so every compile links them without cargo or its lock. The batch
harness (`runner/harness.rs`) is built there too, as the `sigil_harness` crate: a batch crate links it instead
of compiling it again (a fifth of a small batch's compile)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import anyio
import structlog

from sigil_eval.cargo_cache.toolchain import Toolchain
from sigil_eval.errors import StoreError, ToolchainError

TEMPLATE = Path(__file__).parent / "template"
HARNESS_SOURCE = Path(__file__).parents[1] / "runner" / "harness.rs"
HARNESS_CRATE = "sigil_harness"
SAMPLE_CRATES = ("rand", "regex", "md5")  # what programs under evaluation may `use`
HARNESS_CRATES = ("libc", HARNESS_CRATE)
# optimised, so that it exports none of its generic instantiations (rustc shares them from crates built at
# opt-level 0): a batch crate then instantiates std's generics itself, as the isolated program does, and a
# sample's calls into them compile to the same code (`binary_size_bytes`)
HARNESS_FLAGS = ("--edition", "2021", "-C", "opt-level=2", "-C", "debuginfo=0")
log = structlog.get_logger("sigil_eval.cargo_cache")


def default_cache_root() -> Path:
    if env := os.environ.get("SIGIL_EVAL_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sigil-eval"


@dataclass(frozen=True, slots=True)
class WarmCache:
    deps_dir: Path
    rlibs: dict[str, Path]

    def extern_args(self, crates: tuple[str, ...] = SAMPLE_CRATES) -> list[str]:
        args = ["-L", f"dependency={self.deps_dir}"]
        for name in crates:
            args += ["--extern", f"{name}={self.rlibs[name]}"]
        return args


def _template_digest() -> str:
    h = hashlib.sha256()
    for path in [*(TEMPLATE / name for name in ("Cargo.toml", "Cargo.lock", "lib.rs")), HARNESS_SOURCE]:
        h.update(path.read_bytes())
    h.update(" ".join(HARNESS_FLAGS).encode())
    return h.hexdigest()[:12]


def cache_dir_for(toolchain: Toolchain, root: Path | None = None) -> Path:
    return (root or default_cache_root()) / f"{toolchain.key}-{_template_digest()}"


def _load_manifest(path: Path) -> WarmCache | None:
    try:
        data = json.loads(path.read_text())
        rlibs = {name: Path(p) for name, p in data["rlibs"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    wanted = SAMPLE_CRATES + HARNESS_CRATES
    if not all(name in rlibs and rlibs[name].is_file() for name in wanted):
        return None
    return WarmCache(deps_dir=Path(data["deps_dir"]), rlibs=rlibs)


async def warm(toolchain: Toolchain, root: Path | None = None) -> WarmCache:
    """Return the warm cache, building it first if needed. Concurrent callers wait on a file lock."""
    directory = cache_dir_for(toolchain, root)
    with _lock_file(directory) as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await anyio.sleep(0.2)
        manifest = directory / "manifest.json"
        if cached := _load_manifest(manifest):
            return cached
        return await _build(toolchain, directory, manifest)


async def _build(toolchain: Toolchain, directory: Path, manifest: Path) -> WarmCache:
    if toolchain.cargo is None:
        raise ToolchainError(
            "cargo not found: needed once to build the rand/regex/md5 crates of the workspace template"
        )
    crate = directory / "template"
    crate.mkdir(exist_ok=True)
    for name in ("Cargo.toml", "Cargo.lock", "lib.rs"):
        shutil.copyfile(TEMPLATE / name, crate / name)
    log.info("warming crate cache", dir=str(directory))
    env = dict(os.environ, RUSTC=str(toolchain.rustc))
    proc = await anyio.run_process(
        [str(toolchain.cargo), "build", "--locked", "--message-format=json", "--target-dir", str(directory / "target")],
        cwd=crate,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise ToolchainError(f"cannot build the crate cache in {directory} (cargo exit {proc.returncode}): {tail[0]}")
    rlibs: dict[str, str] = {}
    for line in proc.stdout.decode().splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and "lib" in message["target"]["kind"]:
            rlib = next((f for f in message["filenames"] if f.endswith(".rlib")), None)
            if rlib:
                rlibs[message["target"]["name"]] = rlib
    deps_dir = directory / "target" / "debug" / "deps"
    rlibs[HARNESS_CRATE] = str(await _build_harness(toolchain, deps_dir, Path(rlibs["libc"])))
    _write_manifest(manifest, {"deps_dir": str(deps_dir), "rlibs": rlibs, "rustc": toolchain.version})
    cached = _load_manifest(manifest)
    if cached is None:
        raise ToolchainError(f"crate cache in {directory} lacks one of {SAMPLE_CRATES + HARNESS_CRATES} after building")
    return cached


async def _build_harness(toolchain: Toolchain, deps_dir: Path, libc: Path) -> Path:
    """The batch harness as an rlib (see HARNESS_FLAGS)."""
    rlib = deps_dir / f"lib{HARNESS_CRATE}.rlib"
    proc = await anyio.run_process(
        [
            str(toolchain.rustc),
            *("--crate-type", "rlib", "--crate-name", HARNESS_CRATE, *HARNESS_FLAGS),
            *("--extern", f"libc={libc}", "-L", f"dependency={deps_dir}"),
            str(HARNESS_SOURCE),
            *("-o", str(rlib)),
        ],
        check=False,
    )
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise ToolchainError(f"cannot build the batch harness in {deps_dir}: {tail[0]}")
    return rlib


# Small local file operations of the one-off build, kept synchronous (microseconds; no event loop is waiting).
def _lock_file(directory: Path) -> IO[str]:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        return open(directory / "warm.lock", "w")  # held for the whole build
    except OSError as exc:
        raise StoreError(f"cache dir {directory} is not writable: {exc}") from None


def _write_manifest(manifest: Path, data: dict[str, Any]) -> None:
    manifest.write_text(json.dumps(data))
