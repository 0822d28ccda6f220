"""`sigil-eval dataset check`: does a problem set prove itself? Every canonical solution must pass (on every
repeat: a verdict that changes between runs means the tests draw random inputs), and trivial bodies
(`todo!()`, `unimplemented!()`, `Default::default()`) must fail."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sigil_eval.engine.evaluator import Evaluator
from sigil_eval.inputs.problemsets import ProblemSet
from sigil_eval.program.completion import defines_fn
from sigil_eval.program.rust_lexer import brace_depth, code_mask
from sigil_eval.records import Problem, Result

TRIVIAL_EXPRESSIONS = {"todo": "todo!()", "unimplemented": "unimplemented!()", "default": "Default::default()"}


def trivial_completion(problem: Problem, expression: str) -> str | None:
    """`expression` as the whole body, in the shape the problem's prompt expects: a body closing the open
    signature, a braced body after a signature without `{` (McEval), or the entry point's signature with that
    body (a program-shape problem, from its canonical solution). None when there is no signature to use."""
    open_braces, _ = brace_depth(code_mask(problem.code_prefix))
    if open_braces > 0:
        return f"    {expression}\n}}\n"
    if problem.code_prefix.strip():
        return f"{{\n    {expression}\n}}\n"
    solution = problem.canonical_solution or ""
    found = defines_fn(solution, problem.entry_point) if problem.entry_point else None
    if found is None:
        return None
    mask = code_mask(solution)
    body_at = mask.find("{", found.end())
    if body_at < 0:
        return None
    start = mask.rfind("\n", 0, found.start()) + 1
    return f"{solution[start:body_at].rstrip()} {{\n    {expression}\n}}\n"


@dataclass(frozen=True, slots=True)
class Defect:
    task_id: str
    check: str  # "canonical", "canonical (flaky)", "trivial: todo", …
    verdict: str
    detail: str


async def check_problem_set(
    problem_set: ProblemSet, *, repeats: int = 2, **options: object
) -> tuple[list[Defect], int]:
    """Defects, and the number of problems checked. The verdict store is off: repeats must really run."""
    samples: list[dict[str, object]] = []
    for problem in problem_set.problems.values():
        if problem.canonical_solution is not None:
            samples += [
                {
                    "task_id": problem.task_id,
                    "completion": problem.canonical_solution,
                    "completion_id": f"canonical#{i}",
                }
                for i in range(repeats)
            ]
        for name, expression in TRIVIAL_EXPRESSIONS.items():
            if (body := trivial_completion(problem, expression)) is not None:
                samples.append({"task_id": problem.task_id, "completion": body, "completion_id": f"trivial: {name}"})
    by_task: dict[str, list[Result]] = defaultdict(list)
    async with Evaluator(problem_set, **{**options, "reuse_verdicts": False}) as evaluator:  # type: ignore[arg-type]
        async for result in evaluator.results(samples):
            by_task[result.task_id].append(result)
    defects: list[Defect] = []
    for task_id in sorted(by_task):
        results = by_task[task_id]
        canonical = [r for r in results if str(r.completion_id).startswith("canonical")]
        verdicts = {r.passed for r in canonical}
        if verdicts == {True, False}:
            failed = next(r for r in canonical if not r.passed)
            defects.append(Defect(task_id, "canonical (flaky)", str(failed.error_type), _detail(failed)))
        elif verdicts == {False}:
            defects.append(Defect(task_id, "canonical", str(canonical[0].error_type), _detail(canonical[0])))
        for trivial in (r for r in results if str(r.completion_id).startswith("trivial") and r.passed):
            defects.append(Defect(task_id, str(trivial.completion_id), "passed", "the tests accept a trivial body"))
    return defects, len(by_task)


def _detail(result: Result) -> str:
    first = next((line.strip() for line in result.stderr.splitlines() if line.strip().startswith("error")), "")
    return (first or result.result).replace("\n", " ")[:160]


def format_defects(name: str, defects: list[Defect], checked: int) -> str:
    lines = [f"{name}: {checked} problems checked, {len(defects)} defects"]
    if defects:
        width = max(len(d.task_id) for d in defects)
        for d in defects:
            lines.append(f"  {d.task_id:<{width}}  {d.check:<22} {d.verdict:<18} {d.detail}")
    return "\n".join(lines)


def format_in_process(problem_set: ProblemSet) -> str:
    """How many problems are judged out of process (their tests are cases), and why each other one is not."""
    in_process = problem_set.in_process
    total = len(problem_set.problems)
    lines = [f"{problem_set.name}: {total - len(in_process)} of {total} problems judged out of process (cases)"]
    lines += [f"  in process: {task_id}: {reason}" for task_id, reason in sorted(in_process.items())]
    return "\n".join(lines)
