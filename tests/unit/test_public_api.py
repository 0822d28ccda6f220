"""The public surface, pinned: what `import sigil_eval` offers is a decision, not a side effect."""

from __future__ import annotations

import sigil_eval

PUBLIC = {
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
}


def test_the_exports_are_exactly_the_public_surface() -> None:
    assert set(sigil_eval.__all__) == PUBLIC
    assert all(hasattr(sigil_eval, name) for name in PUBLIC)


def test_every_infrastructure_error_is_an_infra_error_with_exit_code_3() -> None:
    for error in (
        sigil_eval.ToolchainError,
        sigil_eval.SandboxError,
        sigil_eval.StoreError,
        sigil_eval.MissingExtraError,
    ):
        assert issubclass(error, sigil_eval.InfraError) and error("x").exit_code == 3
