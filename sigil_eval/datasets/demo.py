"""Demo samples: every canonical solution of a problem set, plus a few wrong answers of each kind (for the
built-in set), so a first run shows passes, every failure type and the metrics."""

from __future__ import annotations

from collections.abc import Iterator

from sigil_eval.inputs.problemsets import ProblemSet

# task_id, completion, what it shows
WRONG_ANSWERS = (
    ("HumanEval/0", "    true\n}\n", "wrong answer"),
    ("HumanEval/2", "    number as i64\n}\n", "does not compile (returns i64, not f64)"),
    ("HumanEval/13", "    loop {}\n}\n", "never returns"),
    ("HumanEval/23", "    std::process::exit(0)\n}\n", "exits before the tests can report"),
    ("HumanEval/55", "    unimplemented!()\n}\n", "panics"),
    ("HumanEval/1", "I'm sorry, but I can't write that function.", "no code at all (prose only)"),
    (
        "HumanEval/53",
        "Sure! Here it is:\n```rust\nfn add(x: i64, y: i64) -> i64 {\n    x + y\n}\n```\n",
        "right answer wrapped in markdown (cleaned, then passes)",
    ),
)


def demo_samples(problem_set: ProblemSet) -> Iterator[dict[str, str]]:
    for problem in problem_set.problems.values():
        if problem.canonical_solution is not None:
            yield {"task_id": problem.task_id, "completion": problem.canonical_solution, "completion_id": "reference"}
    for task_id, completion, shows in WRONG_ANSWERS:
        if task_id in problem_set.problems:
            yield {"task_id": task_id, "completion": completion, "completion_id": f"demo: {shows}"}
