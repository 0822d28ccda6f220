"""Routing's syntax check against rustc: a sample is batched apart exactly when its program stops rustc at its
file (a bracket left open or closed wrongly, an unterminated string or comment), so that it cannot hide the
errors of every module after it. The ground truth: the program as a module of a crate whose other module has a
type error; rustc reports that error unless the program stopped it."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.program.assemble import assemble
from sigil_eval.runner.route import route

RUSTC = shutil.which("rustc")
NEIGHBOUR = 'pub fn neighbour() -> i32 {\n    "not an i32"\n}\n'


def stops_rustc(source: str, directory: Path) -> bool:
    (directory / "sample.rs").write_text(source)
    (directory / "neighbour.rs").write_text(NEIGHBOUR)
    (directory / "main.rs").write_text("#![allow(warnings)]\nmod sample;\nmod neighbour;\nfn main() {}\n")
    # our own reference programs, cut short: checked to the metadata only, nothing of them runs
    compiled = subprocess.run(
        [RUSTC, "--edition", "2021", "--emit=metadata", "--error-format=short", "main.rs"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    return "neighbour.rs:2:5: error[E0308]" not in compiled.stderr


@pytest.mark.skipif(RUSTC is None, reason="rustc not installed")
def test_batched_apart_exactly_when_rustc_stops_at_the_file(tmp_path: Path) -> None:
    problems = list(load_problem_set(get_human_eval_dataset()).problems.values())
    rng = random.Random(16)
    cases: list[tuple[str, str]] = []
    for problem in rng.sample(problems, 16):
        reference = problem.canonical_solution or ""
        cases.append((problem.task_id, reference))
        cases += [(problem.task_id, reference[: rng.randrange(1, len(reference))]) for _ in range(2)]
    cases += [(problems[0].task_id, '    let s = "open;\n}\n'), (problems[1].task_id, "    /* open\n}\n")]
    by_id = {p.task_id: p for p in problems}
    apart = agree = 0
    for task_id, completion in cases:
        program = assemble(by_id[task_id], completion)
        where = route(by_id[task_id], program, "batched")
        assert where.module is not None, (task_id, where.alone)
        truth = stops_rustc(program.source, tmp_path)
        assert where.syntax_error == truth, (task_id, completion)
        apart += truth
        agree += 1
    assert agree == len(cases) and apart >= 6 and len(cases) - apart >= 12  # both kinds, in numbers
