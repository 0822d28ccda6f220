"""Find the Rust toolchain once: the real `rustc` in the sysroot (the rustup proxy costs ~10 ms a call); the
sysroot as the directory it is (the compile jail sees it, not a link to it), tools as `tool_paths` finds them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import anyio

from sigil_eval.errors import ToolchainError
from sigil_eval.tool_paths import find_tool


@dataclass(frozen=True, slots=True)
class Toolchain:
    rustc: Path
    sysroot: Path
    version: str  # first line of `rustc -vV`, e.g. "rustc 1.95.0 (59807616e 2026-04-14)"
    host: str
    clippy_driver: Path | None
    cargo: Path | None

    @property
    def key(self) -> str:
        return "".join(c if c.isalnum() or c in ".-" else "_" for c in f"{self.version.split(' (')[0]}-{self.host}")


async def resolve_toolchain(rustc: str | None = None) -> Toolchain:
    candidate = rustc or os.environ.get("RUSTC") or find_tool("rustc")
    if not candidate:
        raise ToolchainError("rustc not found on PATH: install a Rust toolchain (https://rustup.rs) or set RUSTC")
    try:
        sysroot_out = await anyio.run_process([candidate, "--print", "sysroot"])
        version_out = await anyio.run_process([candidate, "-vV"])
    except (OSError, Exception) as exc:  # CalledProcessError or exec failure: either way, no usable rustc
        raise ToolchainError(f"rustc at {candidate} does not run: {exc}") from None
    return _toolchain(candidate, sysroot_out.stdout.decode().strip(), version_out.stdout.decode().splitlines())


def _toolchain(candidate: str, sysroot_text: str, lines: list[str]) -> Toolchain:
    sysroot = Path(sysroot_text).resolve()
    host = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("host:")), "unknown")
    real_rustc = sysroot / "bin" / "rustc"
    clippy = sysroot / "bin" / "clippy-driver"
    cargo = sysroot / "bin" / "cargo"
    cargo_path = cargo if cargo.exists() else (Path(p) if (p := find_tool("cargo")) else None)
    return Toolchain(
        rustc=real_rustc if real_rustc.exists() else Path(candidate),
        sysroot=sysroot,
        version=lines[0] if lines else "rustc (unknown version)",
        host=host,
        clippy_driver=clippy if clippy.exists() else None,
        cargo=cargo_path,
    )
