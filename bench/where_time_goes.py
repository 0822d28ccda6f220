"""Where the time of a batched run goes, on one batch: the 164 built-in reference solutions in one crate.

    python bench/where_time_goes.py [--repeat 3]

Compiles the batch crate exactly as the batch path writes it, outside any sandbox, with clippy-driver and
with plain rustc, and runs the whole batched evaluation of the same samples (workers 1, batch size 164, the
evaluator's own process included); every figure is CPU measured with wait4(2), the median of `--repeat` runs.
The difference between the evaluation and the clippy-driver compile is everything that is not the compiler:
the jail, the harness run, the evaluator.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import anyio

from sigil_eval.cargo_cache import resolve_toolchain, warm
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.program.assemble import assemble
from sigil_eval.records import Sample
from sigil_eval.runner.batch.crate import batch_compiler_args, write_batch_crate
from sigil_eval.runner.batch.source import batch_module
from sigil_eval.runner.jobs import BatchItem
from sigil_eval.runner.results import base_result

sys.path.insert(0, str(Path(__file__).parent))
from run import _measure


def batch_items() -> list[BatchItem]:
    problems = load_problem_set(get_human_eval_dataset())
    items = []
    for index, problem in enumerate(problems.problems.values()):
        assert problem.canonical_solution is not None
        program = assemble(problem, problem.canonical_solution)
        module = batch_module(program, problem.test_style, f"sigil_{index:016x}")
        assert module is not None, problem.task_id
        sample = Sample(task_id=problem.task_id, completion=problem.canonical_solution)
        items.append(BatchItem(problem=problem, program=program, module=module, result=base_result(sample, index)))
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    toolchain = anyio.run(resolve_toolchain)
    cache = anyio.run(warm, toolchain)
    items = batch_items()
    n = len(items)
    rows: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp)
        write_batch_crate(job, items)
        compilers = {"rustc": [str(toolchain.rustc)]}
        if toolchain.clippy_driver is not None:
            compilers["clippy-driver"] = [str(toolchain.clippy_driver), "-W", "clippy::correctness"]
        for name, argv in compilers.items():
            for _ in range(args.repeat):
                measured, code = _measure(
                    ["sh", "-c", 'cd "$0" && exec "$@" 2>/dev/null', tmp, *argv, *batch_compiler_args("2021", cache)]
                )
                assert code == 0, f"{name} failed on the batch crate"
                rows.setdefault(f"{name} compiling the batch crate", []).append(1000 * measured.cpu_s / n)
        run = Path(__file__).with_name("run.py")
        for _ in range(args.repeat):
            with tempfile.NamedTemporaryFile(suffix=".json") as counts:
                measured, code = _measure(
                    [
                        sys.executable,
                        str(run),
                        "--measure",
                        "builtin-once",
                        "batched",
                        "--workers",
                        "1",
                        "--counts",
                        counts.name,
                    ]
                )
            assert code == 0
            rows.setdefault("whole batched evaluation (evaluator included)", []).append(1000 * measured.cpu_s / n)
    print(f"{n} samples in one batch, CPU ms per sample, median of {args.repeat} [min-max]")
    whole = statistics.median(rows["whole batched evaluation (evaluator included)"])
    for label, values in rows.items():
        median = statistics.median(values)
        print(f"  {label:<50}{median:>7.1f} [{min(values):.1f}-{max(values):.1f}]  {100 * median / whole:>5.0f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
