"""sigil-eval: a fast, sandboxed evaluator for HumanEval-style Rust completions.

report = await sigil_eval.evaluate(samples, problems)
async with sigil_eval.Evaluator(problems) as ev:
    async for result in ev.results(stream): ...
sigil_eval.write_report(["base_results.jsonl", "new_results.jsonl"], "report.html")
results = await sigil_eval.evaluate_crates(samples, sigil_eval.load_crate_tasks("exercism.jsonl.gz"))
"""

from sigil_eval.crates.evaluate import evaluate_crates
from sigil_eval.crates.task import CrateTask
from sigil_eval.engine.evaluator import Evaluator, evaluate
from sigil_eval.errors import (
    InfraError,
    InputError,
    MissingExtraError,
    SandboxError,
    SigilError,
    StoreError,
    ToolchainError,
)
from sigil_eval.generation.generate import Generation
from sigil_eval.generation.settings import GenerationSettings
from sigil_eval.inputs.crate_tasks import load_crate_tasks
from sigil_eval.inputs.problemsets import ProblemSet, load_problem_set
from sigil_eval.metrics import estimate_pass_at_k
from sigil_eval.options import EvalOptions
from sigil_eval.records import (
    Case,
    CrateTaskResult,
    ErrorType,
    GeneratedSample,
    Problem,
    ProblemTally,
    Rejection,
    Report,
    Result,
    Sample,
)
from sigil_eval.report import write_crate_report, write_report

__version__ = "0.1.0"

__all__ = [
    "Case",
    "CrateTask",
    "CrateTaskResult",
    "ErrorType",
    "EvalOptions",
    "Evaluator",
    "GeneratedSample",
    "Generation",
    "GenerationSettings",
    "InfraError",
    "InputError",
    "MissingExtraError",
    "Problem",
    "ProblemSet",
    "ProblemTally",
    "Rejection",
    "Report",
    "Result",
    "Sample",
    "SandboxError",
    "SigilError",
    "StoreError",
    "ToolchainError",
    "estimate_pass_at_k",
    "evaluate",
    "evaluate_crates",
    "load_crate_tasks",
    "load_problem_set",
    "write_crate_report",
    "write_report",
]
