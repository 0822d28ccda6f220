"""Every record that crosses a boundary: problems and samples in, results and reports out."""

from __future__ import annotations

from typing import Literal

import msgspec

TestStyle = Literal["cfg_test", "main"]

ERROR_TYPES = (
    "compile_error",
    "compile_timeout",
    "assertion_failure",
    "runtime_error",
    "test_timeout",
    "early_exit",
    "lint_failure",
    "clippy_timeout",
    "invalid_sample",
    "no_code",
    "infra_missing_toolchain",
    "infra_sandbox",
)


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """A problem normalised from any supported shape (see `sigil_eval.problemsets`)."""

    task_id: str
    prompt: str  # what the model was shown
    entry_point: str
    test: str
    code_prefix: str  # what the completion is appended to; ends with the entry point's open signature
    prelude: str = ""  # `use` lines placed before the program behind a shadowable glob import
    test_style: TestStyle = "cfg_test"
    edition: str = "2021"
    canonical_solution: str | None = None
    buggy_solution: str | None = None
    shape: str = ""


class Sample(msgspec.Struct, kw_only=True):
    task_id: str
    completion: str
    completion_id: int | str | None = None


class Result(msgspec.Struct, kw_only=True, omit_defaults=False):
    """One verdict. The seed's fields, plus `sample_index` (0-based input position) and timings."""

    task_id: str
    completion: str
    sample_index: int
    completion_id: int | str | None = None
    compile_ok: bool | None = None
    test_ok: bool | None = None
    clippy_ok: bool | None = None
    compile_time_ms: float | None = None
    run_time_ms: float | None = None
    binary_size_bytes: int | None = None
    error_type: str | None = None
    stderr: str = ""
    main_free: bool = True
    passed: bool = False
    result: str = ""


class Rejection(msgspec.Struct, kw_only=True):
    """An input line that could not become a sample: where it is and why."""

    source: str
    line: int  # 1-based
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


class ProblemTally(msgspec.Struct, kw_only=True):
    n: int
    passed: int


class Report(msgspec.Struct, kw_only=True):
    pass_at_k: dict[str, float]
    n_samples: int
    n_problems: int
    n_rejected: int
    compile_rate: float | None
    main_free_rate: float | None
    clippy_pass_rate: float | None
    avg_compile_time_ms: float | None
    avg_binary_size_bytes: float | None
    error_types: dict[str, int]
    per_problem: dict[str, ProblemTally]
    rustc_version: str = ""
    problem_set: str = ""
    problem_set_sha256: str = ""
    prelude_applied: int = 0  # problems that received the HumanEval-X `use` prelude
    mode: str = "batched"
    routed_isolated: dict[str, int] = msgspec.field(default_factory=dict)  # batched mode: why samples ran alone
    cache_hits: int = 0  # verdicts reused from earlier runs
    deduplicated: int = 0  # samples whose program another sample of this run already had
    verified: int = 0  # batched mode, --verify-fraction: samples re-judged alone
    verify_mismatches: int = 0  # …whose isolated verdict differed (the isolated one is reported)
    syntax_batched: int = 0  # batched mode: samples that did not parse, judged in batches of their own
    sandbox: str = ""
    clippy: str = ""
    elapsed_s: float = 0.0
    samples_per_s: float = 0.0
    rejections: list[Rejection] = msgspec.field(default_factory=list)
