"""Whose compile error is it: a batch's diagnostics mapped to its members by the primary span's file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sigil_eval.program.shared_tests import SHARED_MODULE_PREFIX
from sigil_eval.runner.batch.crate import ROOT_NAME
from sigil_eval.runner.batch.members import listing, member_of
from sigil_eval.runner.batch.source import member_at_root_line
from sigil_eval.runner.diagnostics import Diagnostics
from sigil_eval.runner.jobs import BatchItem


def unshared(diagnostics: Diagnostics, members: list[BatchItem], unshareable: set[str]) -> set[int]:
    """The members running shared tests that must take their own: every user of a shared tests module with an
    error in it (the module is then added to `unshareable`), and each member with an error in its shims or at
    its lines of the root. Such an error comes from sharing, never from the sample: it is no verdict."""
    listed = listing(members)
    back: set[int] = set()
    for error in diagnostics.errors:
        for file_name, line, _ in error.primary_lines:
            name = Path(file_name).name
            if name.startswith(SHARED_MODULE_PREFIX):
                broken = name.removesuffix(".rs")
                unshareable.add(broken)
                back |= {position for position, item in enumerate(members) if _runs_shared(item, broken)}
            elif name == ROOT_NAME:
                member = member_at_root_line(line, listed)
                if member is not None and members[member].own is not None:
                    back.add(member)
            elif (position := member_of(name, members)) is not None:
                module = members[position].module
                if module.shared is not None and line >= module.shim_line:
                    back.add(position)
    return back


def _runs_shared(item: BatchItem, module_name: str) -> bool:
    return item.module.shared is not None and item.module.shared.module_name == module_name


def attribute(diagnostics: Diagnostics, members: list[BatchItem]) -> tuple[dict[int, Diagnostics], set[int]]:
    """Errors per member position, and the members to isolate: those with an error located in the
    generated root (at their `mod` line or harness entry) or a clippy-coded error (rustc must decide)."""
    listed = listing(members)
    per_member: dict[int, Diagnostics] = {}
    isolate: set[int] = set()
    for error in diagnostics.errors:
        for file_name, line, _ in error.primary_lines:
            name = Path(file_name).name
            if name == ROOT_NAME:
                if (member := member_at_root_line(line, listed)) is not None:
                    isolate.add(member)
                continue
            position = member_of(name, members)
            if position is None:
                continue
            if error.is_clippy:
                isolate.add(position)
            else:
                # as the isolated path would show it: the sample's program is its `src.rs`
                located = replace(error, rendered=error.rendered.replace(name, "src.rs"))
                per_member.setdefault(position, Diagnostics()).items.append(located)
    return per_member, isolate
