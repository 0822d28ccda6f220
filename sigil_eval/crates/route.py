"""Which crates may share a workspace, and with whom.

A crate built as a workspace member must build and behave as it would alone. Three things differ there, and each
is closed here: cargo unifies dependency features across the members it builds together, so a batch only holds
crates that declare the same dependencies under the same resolver (`batch_key`); a member's manifest sections
that only a workspace root may hold (`[profile]`, `[patch]`, …), its lockfile, build script or binaries would be
ignored, renamed or merged, so such a crate is judged alone; and a member's package is renamed (two members may
not share a name) and its files sit one directory down, so code that can see its package name, its own file paths
or another member's files at compile time (`env!`, `include!`, `#[path]`, `file!`, panic locations) is judged alone
(`alone_reason`) — a sample must not read a neighbour's answer into its own crate.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Literal

from sigil_eval.crates.task import CrateTask
from sigil_eval.program.rust_lexer import code_mask

AloneReason = Literal[
    "root_only_manifest",  # `[workspace]`, `[patch]`, `[replace]`, `[profile]`, or `[package]` `build`, `links` …
    "unusual_manifest",  # a manifest whose package this cannot rename
    "lockfile",
    "build_script",
    "not_a_library",  # no `src/lib.rs`, or a proc-macro crate
    "binaries",
    "place_aware",  # code that can see its package name, its paths or its neighbours' files
    "unattributed",  # its build failed in the workspace with no error of its own: judged again alone
    "workspace_timeout",  # the workspace's build ran out of time: every member judged again alone
    "clippy_denied",  # its code made a clippy lint an error: judged alone, built again without clippy
]

_ROOT_ONLY = ("workspace", "patch", "replace", "profile")  # top-level tables a member's manifest may not bring
_PACKAGE_KEYS = ("build", "links", "workspace", "default-run")  # [package] keys that tie a crate to its place
_RESOLVER_OF_EDITION = {"2015": "1", "2018": "1", "2021": "2"}  # later editions: "3"
_DEPENDENCY_TABLES = ("dependencies", "dev-dependencies", "build-dependencies", "target")
# code that can tell where its crate sits or what its package is called, or read files beside it while compiling
_PLACE_AWARE = re.compile(
    r"\b(?:include|include_str|include_bytes|option_env|Location|Backtrace)\b"
    r"|\b(?:env|file)\s*(?:!|as\b)"
    r"|\.\s*location\s*\("
    r"|#\s*!?\s*\[[^\]]*\bpath\s*="
)


def batch_key(task: CrateTask) -> str:
    """Crates with equal keys may share a workspace: the same resolver, the same dependency declarations."""
    manifest = tomllib.loads(task.cargo_toml)
    declared = {name: manifest[name] for name in _DEPENDENCY_TABLES if manifest.get(name)}
    if declared:  # `--all-features` switches dependencies' features on through `[features]`
        declared["features"] = manifest.get("features") or {}
    return json.dumps({"resolver": resolver(task), "declared": declared}, sort_keys=True)


def resolver(task: CrateTask) -> str:
    """The feature resolver cargo uses for the task's crate alone (its edition's, unless it names one)."""
    package = tomllib.loads(task.cargo_toml).get("package") or {}
    return str(package.get("resolver") or _RESOLVER_OF_EDITION.get(str(package.get("edition", "2015")), "3"))


def alone_reason(task: CrateTask, files: dict[str, str]) -> AloneReason | None:
    """Why the crate of `files` (the task's with an answer's over them) must be built alone; None when it may
    share a workspace."""
    manifest = tomllib.loads(task.cargo_toml)
    package = manifest.get("package") or {}
    if any(name in manifest for name in _ROOT_ONLY) or any(key in package for key in _PACKAGE_KEYS):
        return "root_only_manifest"
    if "Cargo.lock" in files:
        return "lockfile"
    if "build.rs" in files:
        return "build_script"
    lib = manifest.get("lib") or {}
    if lib.get("proc-macro") or ("path" not in lib and "src/lib.rs" not in files):
        return "not_a_library"
    if "bin" in manifest or "src/main.rs" in files or any(path.startswith("src/bin/") for path in files):
        return "binaries"
    rust = [text for path, text in files.items() if path.endswith(".rs")]
    if any(_PLACE_AWARE.search(code_mask(text)) for text in [*rust, *task.tests.values()]):
        return "place_aware"
    return None
