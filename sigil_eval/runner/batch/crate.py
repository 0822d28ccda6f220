"""A batch crate on disk and its compile: one module file per member, the shared tests modules, the generated
root, the oracle; compiled by one rustc (or clippy-driver) under a budget that grows with the members."""

from __future__ import annotations

import shutil
from pathlib import Path

from sigil_eval.cargo_cache import WarmCache
from sigil_eval.cargo_cache.warm import HARNESS_CRATES, SAMPLE_CRATES
from sigil_eval.program.oracle import ORACLE_MODULE, ORACLE_RS
from sigil_eval.runner.batch.members import listing
from sigil_eval.runner.batch.source import module_name, root_source
from sigil_eval.runner.compile import run_compiler
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.diagnostics import Diagnostics
from sigil_eval.runner.jobs import BatchItem
from sigil_eval.runner.limits import BATCH_COMPILE_FILE_SIZE, BATCH_COMPILE_OUTPUT_CAP, BINARY_NAME, CODEGEN_FLAGS
from sigil_eval.runner.process import ProcessOutcome

ROOT_NAME = "main.rs"
CRATE_NAME = "prog"  # its symbols are `prog::s12::…` (`code_size.BATCH_OWNER`)
BATCH_BUDGET_BASE = 1.0  # CPU seconds
BATCH_BUDGET_PER_MEMBER = 0.05


def batch_compiler_args(edition: str, cache: WarmCache) -> list[str]:
    """rustc's (or clippy-driver's) arguments for a batch crate written by `write_batch_crate`."""
    return [
        *("--edition", edition, "--crate-name", CRATE_NAME, "--crate-type", "bin", "--cfg", "test"),
        *CODEGEN_FLAGS,
        *cache.extern_args((*SAMPLE_CRATES, *HARNESS_CRATES)),
        *(ROOT_NAME, "-o", BINARY_NAME),
    ]


def batch_compile_budget(sample_budget: float, members: int) -> float:
    """CPU seconds for compiling a batch: a clean member costs ~15 ms (20 with clippy), so a few times that,
    plus the compiler's fixed cost, is plenty. Tight on purpose: a batch that runs out is bisected, each half
    under its own budget, down to a few members, which go to the isolated path, where each gets the whole
    per-sample budget. One slow sample then costs a few short compiles, not its whole batch going isolated."""
    return min(sample_budget, BATCH_BUDGET_BASE) + BATCH_BUDGET_PER_MEMBER * members


def write_batch_crate(job_dir: Path, members: list[BatchItem], written: dict[str, str] | None = None) -> None:
    """The crate's files: one module per member (named by its position unless it has a name), the shared tests
    modules, the generated root; the oracle is copied in once per job dir (the harness is a prebuilt crate, see
    `cargo_cache`). `written` (file name → text) is what an earlier build of the same job dir wrote: a rebuild
    writes only what changed — the root, and the modules of members that took their own tests — since creating
    files is no longer cheap on a busy ext4; files of members dropped since are left, the root declares them no
    more."""
    written = {} if written is None else written
    files: dict[str, str] = {}
    for position, item in enumerate(members):
        item.name = item.name or module_name(position)
        files[f"{item.name}.rs"] = item.module.text
        if item.module.shared is not None:
            files[f"{item.module.shared.module_name}.rs"] = item.module.shared.text
    files[ROOT_NAME] = root_source(listing(members))
    for name, text in files.items():
        if written.get(name) != text:
            (job_dir / name).write_text(text)
            written[name] = text
    if not (job_dir / f"{ORACLE_MODULE}.rs").exists():
        shutil.copyfile(ORACLE_RS, job_dir / f"{ORACLE_MODULE}.rs")


async def compile_crate(
    job_dir: Path, members: list[BatchItem], written: dict[str, str], edition: str, ctx: JobContext, clippy: bool
) -> tuple[ProcessOutcome, Diagnostics, bool]:
    """Write the crate of `members` (see `write_batch_crate`) and compile it: the process, its diagnostics, and
    whether clippy ran."""
    write_batch_crate(job_dir, members, written)
    return await run_compiler(
        job_dir,
        batch_compiler_args(edition, ctx.cache),
        ctx,
        clippy=clippy,
        budget=batch_compile_budget(ctx.options.compile_budget, len(members)),
        address_space=ctx.options.compile_memory * 2,
        file_size=BATCH_COMPILE_FILE_SIZE,
        output_cap=BATCH_COMPILE_OUTPUT_CAP,
    )
