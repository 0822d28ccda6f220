"""`--tests plus`: a problem set with the plus inputs rendered into every problem that is a HumanEval problem
(by its number, in any derived set), as cases after its own (`Problem.plus_from` marks the first)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import msgspec

from sigil_eval.datasets.humaneval.plus.build import inputs_of_row
from sigil_eval.datasets.humaneval.plus.render import humaneval_numbers, plus_cases
from sigil_eval.inputs.problemsets import ProblemSet


@dataclass(slots=True)
class PlusSummary:
    problems: int = 0  # problems that gained plus cases
    cases: int = 0
    without: dict[str, str] = field(default_factory=dict)  # task_id → why it has no plus cases
    left_out: Counter[str] = field(default_factory=Counter)  # inputs not rendered, by why

    def line(self) -> str:
        reasons = Counter(why.split(" (")[0].split(":")[0] for why in self.without.values())
        without = "; ".join(f"{n} {why}" for why, n in reasons.most_common())
        left = sum(self.left_out.values())
        return (
            f"plus tests: {self.cases} cases added to {self.problems} problems"
            + (f"; {len(self.without)} without ({without})" if self.without else "")
            + (f"; {left} inputs that do not fit a set's types left out" if left else "")
        )


def with_plus(
    problem_set: ProblemSet, plus_rows: list[dict[str, Any]], *, mini: bool = False
) -> tuple[ProblemSet, PlusSummary]:
    """The set with plus cases (`mini`: the reduced suite's only, `reduce`); the summary says which problems got
    none and why."""
    if mini:
        plus_rows = [row | {"plus": [row["plus"][i] for i in row.get("mini", ())]} for row in plus_rows]
    by_number = {int(row["task_id"].split("/")[1]): row for row in plus_rows}
    summary = PlusSummary()
    problems = {}
    for task_id, problem in problem_set.problems.items():
        numbers, by_name = humaneval_numbers(task_id, problem.entry_point)
        candidates = [n for n in numbers if n in by_number]
        if not candidates:
            summary.without[task_id] = "not a HumanEval problem"
            problems[task_id] = problem
            continue
        for number in candidates:  # the first whose base inputs the problem's own tests agree with
            rendered = plus_cases(problem, number, *inputs_of_row(by_number[number]), by_name=by_name)
            if not rendered.refused:
                break
        summary.left_out.update(rendered.left_out)
        if rendered.refused or not rendered.cases:
            summary.without[task_id] = rendered.refused or (
                "none of its plus inputs fit its types"
                if by_number[number]["plus"]
                else "no plus inputs (none grown in its domain)"
            )
            problems[task_id] = problem
            continue
        problems[task_id] = msgspec.structs.replace(
            problem, cases=problem.cases + tuple(rendered.cases), plus_from=len(problem.cases)
        )
        summary.problems += 1
        summary.cases += len(rendered.cases)
    digest = hashlib.sha256(problem_set.sha256.encode() + msgspec.json.encode(plus_rows)).hexdigest()
    name = f"{problem_set.name} ({'plus-mini' if mini else 'plus'})"
    plus_set = msgspec.structs.replace(problem_set, name=name, sha256=digest, problems=problems)
    return plus_set, summary
