"""One `cargo build --tests` in the sandbox — of a crate, or of a workspace of them — offline against the vendored
dependencies (`warm`), with what it built and what failed sorted by the crate it belongs to (cargo's JSON
messages name each one's manifest). Paths in a member's diagnostics are written as its crate alone would see them.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sigil_eval.crates.warm import CrateCache
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.sandbox import Limits

BUILD_TIMEOUT_FACTOR = 6  # a crate's build (its dependencies are compiled too) gets this many compile budgets
# cargo's dev profile less what no verdict depends on: debug info (the slowest part of linking each test binary)
# and incremental state (a crate is compiled once); debug assertions and overflow checks stay as `cargo test` has
# them. Every build — alone, in a workspace, the prebuilt templates — uses the same, so the templates stay fresh.
BUILD_PROFILE = {"CARGO_PROFILE_DEV_DEBUG": "0", "CARGO_INCREMENTAL": "0"}


@dataclass(slots=True)
class CrateBuild:
    """What one crate got out of a build."""

    executables: dict[str, Path] = field(default_factory=dict)  # test target → its binary
    lints: list[tuple[str, str]] = field(default_factory=list)  # clippy's (lint, file as alone) warnings
    clippy_denied: bool = False  # an error of clippy's own (a `#![deny(clippy::…)]`): built again without it
    # (where: its target, then its place in the source), rendered — as they came
    errors: list[tuple[tuple[int, str, int, str, int, int], str]] = field(default_factory=list)

    @property
    def rendered_errors(self) -> str:
        """The errors target by target (the library's first), each target's by place in the source, each once
        (the library is compiled twice, as itself and with its unit tests): the same text whichever unit cargo
        finished first, alone or in a workspace."""
        return "".join(dict.fromkeys(text for _, text in sorted(self.errors)))


@dataclass(frozen=True, slots=True)
class CargoBuild:
    clippy: bool  # the crates were compiled by clippy-driver (their dependencies never are)
    timed_out: bool
    budget: float  # CPU seconds each process of the build had
    returncode: int
    crates: dict[Path, CrateBuild]  # by crate directory; a crate that got nothing is absent
    stderr: str  # cargo's own words (why a build failed that no crate's messages explain)

    @property
    def reason(self) -> str:
        """Cargo's first error line (the cause; what follows it is context)."""
        lines = self.stderr.strip().splitlines()
        return next((line for line in lines if line.startswith("error")), lines[-1] if lines else "no output")


async def cargo_build(
    root: Path,
    ctx: JobContext,
    cache: CrateCache,
    *,
    crates: int = 1,
    prebuilt: Path | None = None,
    clippy: bool = True,
) -> CargoBuild:
    """Build the crate or workspace at `root` (`crates` of them: the wall-clock allowance grows with it), its
    target directory starting as a copy of `prebuilt` (`prebuilt.PrebuiltTargets`) when given. With `clippy` (and
    clippy-driver in the toolchain, and `--clippy` not off) the crates are compiled by clippy-driver — one build,
    as `cargo clippy` wraps them — with its correctness lints warnings, as for functions."""
    if prebuilt is not None and not (root / "target").exists():  # a copy, mtimes kept: cargo takes what it
        shutil.copytree(prebuilt, root / "target", symlinks=True)  # holds as fresh and writes only beside it
    sandbox = replace(ctx.sandbox, visible=(*ctx.sandbox.visible, cache.root))
    cargo = ctx.toolchain.sysroot / "bin" / "cargo"
    home = root / ".cargo-home"  # cargo writes its locks in its home: a copy of the cache's config, in the job
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_bytes((cache.cargo_home / "config.toml").read_bytes())
    env = {
        **sandbox.environment(root),
        "CARGO_HOME": str(home),
        "CARGO_TARGET_DIR": str(root / "target"),
        "RUSTC": str(ctx.toolchain.rustc),
        "CARGO_TERM_COLOR": "never",
        **BUILD_PROFILE,
    }
    driver = ctx.clippy_driver if clippy else None
    if driver is not None:
        env["RUSTC_WORKSPACE_WRAPPER"] = str(driver)
        env["CLIPPY_ARGS"] = "-W__CLIPPY_HACKERY__clippy::correctness__CLIPPY_HACKERY__"  # cargo-clippy's form
    budget = ctx.options.compile_budget * BUILD_TIMEOUT_FACTOR
    # `--keep-going`: a target that fails stops no other, so every crate's errors are all there, alone or not
    argv = [str(cargo), "build", "--tests", "--offline", "--all-features", "--keep-going", "--message-format=json"]
    argv.append("--quiet")
    limits = Limits(cpu_seconds=budget, address_space=ctx.options.compile_memory, file_size=1 << 30, processes=256)
    process = await run_limited(
        sandbox.compile_argv(argv, root, limits),
        cwd=root,
        env=env,
        wall_timeout=(budget * 2 + 10) * max(1, crates // 2),
        output_cap=(4 << 20) * crates,
    )
    timed_out = process.wall_timeout or process.cpu_limit_hit
    stderr = process.stderr.decode(errors="replace")[-4000:]
    crates_built = _by_crate(process.stdout, root)
    return CargoBuild(driver is not None, timed_out, budget, process.returncode, crates_built, stderr)


def _by_crate(stdout: bytes, root: Path) -> dict[Path, CrateBuild]:
    crates: dict[Path, CrateBuild] = {}
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        manifest = message.get("manifest_path")
        if not isinstance(manifest, str):
            continue
        directory = Path(manifest).parent
        if directory != root and root not in directory.parents:
            continue  # a dependency's message
        target = message.get("target") or {}
        if message.get("reason") == "compiler-artifact" and "test" in target.get("kind", []):
            if message.get("executable"):
                crates.setdefault(directory, CrateBuild()).executables[target["name"]] = Path(message["executable"])
        elif message.get("reason") == "compiler-message":
            _diagnostic(message["message"], target, crates.setdefault(directory, CrateBuild()), directory, root)
    return crates


def _diagnostic(
    message: dict[str, Any], target: dict[str, Any], crate: CrateBuild, directory: Path, root: Path
) -> None:
    code = str((message.get("code") or {}).get("code") or "")
    level = message.get("level")
    primary = next((span for span in message.get("spans") or [] if span.get("is_primary")), None) or {}
    file = _as_alone(str(primary.get("file_name", "")), directory, root)
    if level == "error":
        rendered = _as_alone(message.get("rendered") or message.get("message", ""), directory, root)
        kind = 0 if "lib" in target.get("kind", []) else 1
        where = (kind, str(target.get("name", "")), 0 if primary else 1, file, primary.get("line_start", 0))
        crate.errors.append(((*where, primary.get("column_start", 0)), rendered))
        crate.clippy_denied |= code.startswith("clippy::")
    if level in ("error", "warning") and code.startswith("clippy::") and primary:
        crate.lints.append((code, file))


def _as_alone(rendered: str, directory: Path, root: Path) -> str:
    """A member's diagnostic with its paths (`--> member/src/lib.rs:3:5`) as its crate alone has them."""
    if directory == root:
        return rendered
    prefix = f"{directory.relative_to(root).as_posix()}/"
    return re.sub(rf"(?<![\w./-]){re.escape(prefix)}", "", rendered)
