"""What crate tasks need offline, fetched once: the dependencies every task's `Cargo.toml` declares, vendored from
the crate registry into the cache (`cargo vendor`), a cargo home whose config replaces the registry with that
directory and forbids the network, and the test harness as a cargo package (`sigil_harness`, `runner/harness.rs`)
the judged crates' tests run under. Judging then runs `cargo --offline` in the sandbox (`judge`)."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import anyio

from sigil_eval.cargo_cache.warm import HARNESS_SOURCE, default_cache_root
from sigil_eval.crates.task import CrateTask
from sigil_eval.errors import StoreError
from sigil_eval.outputs.files import write_atomically

HARNESS_PACKAGE = "sigil_harness"
LIBC = "0.2"  # the harness's one dependency, as the function-level crate cache pins it
_SECTIONS = ("dependencies", "dev-dependencies", "build-dependencies")


@dataclass(frozen=True, slots=True)
class CrateCache:
    root: Path
    vendor: Path  # the vendored sources
    cargo_home: Path  # its config.toml: the vendor directory for crates.io, offline
    harness: Path  # the harness package

    @property
    def ready(self) -> bool:
        return (self.root / "ready").exists()


def declared(tasks: Iterable[CrateTask]) -> list[tuple[str, str]]:
    """Every (crate, version requirement) the tasks declare, sorted, once each."""
    found: set[tuple[str, str]] = set()
    for task in tasks:
        manifest = tomllib.loads(task.cargo_toml)
        for section in _SECTIONS:
            for name, spec in (manifest.get(section) or {}).items():
                version = spec if isinstance(spec, str) else (spec or {}).get("version", "*")
                package = name if isinstance(spec, str) else (spec or {}).get("package", name)
                found.add((str(package), str(version)))
    return sorted(found | {("libc", LIBC)})


def _dependencies_manifest(dependencies: list[tuple[str, str]]) -> str:
    lines = ['[package]\nname = "sigil_crate_dependencies"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n']
    lines.append("[dependencies]")
    for i, (package, version) in enumerate(dependencies):
        lines.append(f'dep{i} = {{ package = "{package}", version = "{version}" }}')
    return "\n".join(lines) + "\n"


def cache_for(tasks: Iterable[CrateTask], cache_root: Path | None = None) -> CrateCache:
    dependencies = declared(tasks)
    digest = hashlib.sha256(repr(dependencies).encode() + HARNESS_SOURCE.read_bytes()).hexdigest()[:12]
    root = (cache_root or default_cache_root()) / "crate-tasks" / digest
    return CrateCache(root, root / "vendor", root / "cargo-home", root / HARNESS_PACKAGE)


async def warm_crate_tasks(tasks: list[CrateTask], cache_root: Path | None = None) -> CrateCache:
    """The cache for `tasks`, fetched now if it is not there (the one step that needs the network)."""
    cache = cache_for(tasks, cache_root)
    if cache.ready:
        return cache
    dependencies = declared(tasks)
    project = cache.root / "dependencies"
    (project / "src").mkdir(parents=True, exist_ok=True)
    (project / "src" / "lib.rs").write_text("")
    (project / "Cargo.toml").write_text(_dependencies_manifest(dependencies))
    process = await anyio.run_process(
        ["cargo", "vendor", "--versioned-dirs", "--quiet", str(cache.vendor)], cwd=project, check=False
    )
    if process.returncode != 0:
        last = (process.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        names = ", ".join(f"{p} {v}" for p, v in dependencies)
        raise StoreError(f"cannot fetch the crate tasks' dependencies ({names}) from the crate registry: {last}")
    cache.cargo_home.mkdir(parents=True, exist_ok=True)
    write_atomically(
        cache.cargo_home / "config.toml",
        (
            '[source.crates-io]\nreplace-with = "vendored"\n\n'
            f'[source.vendored]\ndirectory = "{cache.vendor}"\n\n[net]\noffline = true\n'
        ).encode(),
    )
    (cache.harness / "src").mkdir(parents=True, exist_ok=True)
    (cache.harness / "src" / "lib.rs").write_bytes(HARNESS_SOURCE.read_bytes())
    (cache.harness / "Cargo.toml").write_text(
        f'[package]\nname = "{HARNESS_PACKAGE}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\nlibc = "{LIBC}"\n'
    )
    (cache.root / "ready").write_text("")
    return cache
