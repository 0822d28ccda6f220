"""Every record that crosses a boundary: problems and samples in, results and reports out."""

from __future__ import annotations

from typing import Any, Literal, get_args

import msgspec

TestStyle = Literal["cfg_test", "main"]

# What a failed sample's `error_type` says (None is a pass). Infrastructure failures are not among them: they
# stop the run (`errors.InfraError`) instead of being scored.
ErrorType = Literal[
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
]
ERROR_TYPES: tuple[ErrorType, ...] = get_args(ErrorType)


# Which path judged a sample (`Result.judged_by`): in a batch, in a batch with its problem's tests compiled once for
# the batch, alone (isolated mode), or in an earlier run (the verdict store). Batched mode's samples judged alone
# say why: `judged_alone(reason)` is "isolated: <reason>".
JudgedBy = Literal["batch", "batch: shared tests", "isolated", "store"]
BATCH: JudgedBy = "batch"
SHARED_TESTS: JudgedBy = "batch: shared tests"
ISOLATED: JudgedBy = "isolated"
STORE: JudgedBy = "store"

# Why batched mode judges a sample alone (`RunStats.routed_isolated`, and `judged_by` "isolated: <reason>"). Routing
# (`runner.route`) sends alone what a batch would judge differently; a batch hands back what it could not judge.
IsolationReason = Literal[
    # routing: constructs whose meaning changes inside a module of a bigger crate, or that reach the neighbours
    "crate-relative path",
    "$crate",
    "macro export",
    "symbol attribute",
    "global allocator or panic handler",
    "extern block or crate",
    "inner attribute",
    "file inclusion",
    "out-of-line module",
    "module or file path",
    "libc",
    "the harness crate",
    "test attributes the harness does not implement",
    "super path",
    "own test attribute",
    "unsafe code",
    "impl of a trait for a type the program does not define",
    "tests the harness cannot drive",
    # handed back by a batch
    "compile timeout in its batch",
    "unattributable compile failure",
    "compile error the batch cannot attribute",
    "compiled alone after failing beside others",
    "no record from the batch harness",
    "the batch harness could not start its test",
    # --verify-fraction: a batched verdict checked alone
    "verification",
]
ISOLATION_REASONS: tuple[IsolationReason, ...] = get_args(IsolationReason)


def judged_alone(reason: IsolationReason | None) -> str:
    """`judged_by` of a sample judged alone: "isolated", or in batched mode "isolated: <reason>"."""
    return f"{ISOLATED}: {reason}" if reason else ISOLATED


CaseComparison = Literal["eq", "rust_eq", "rust_ne", "abs_lt", "abs_le", "poly_root"]


class Case(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One recorded test: the entry point called with literal arguments, and the value it must return."""

    expected: Any  # JSON, in the form `sigil_eval.program.oracle.canonical` gives
    call: str = ""  # a Rust expression, e.g. `add(2, 3)`; empty for a case whose arguments are data
    # the arguments as data (JSON in the form `oracle.canonical` gives, one per parameter), read by the compiled
    # test at run time instead of compiled into it (`program.case_data`): the plus inputs. A problem's data cases
    # come after its call cases.
    args: tuple[Any, ...] | None = None
    # how the returned value is compared with `expected` (`sigil_eval.program.oracle.compares`): "eq", the set's
    # equality (f64 within 1e-6); "rust_eq"/"rust_ne", Rust's `==`/`!=` (an `assert_eq!`/`assert_ne!` converted);
    # "abs_lt"/"abs_le", |returned - expected| below (or at most) `tolerance`; "poly_root", a property: the
    # polynomial whose coefficients are `expected` is below `tolerance` in absolute value at the returned x
    compare: CaseComparison = "eq"
    tolerance: float = 0.0


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """A problem normalised from any supported shape (see `sigil_eval.inputs.problemsets`)."""

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
    # recorded (arguments, result) pairs: when present, these are the tests, judged out of process (`oracle`);
    # `test` is then only what tools that judge in process run
    cases: tuple[Case, ...] = ()
    result_type: str = ""
    # without `cases`: why the row's tests could not be read as cases (they then run in the sample's process,
    # where a sample that reads its own memory could find what they expect; its results say `oracle_proof: false`)
    in_process: str = ""
    stop: tuple[str, ...] = ()  # stop sequences for completion-style generation (MultiPL-E's `stop_tokens`)
    # `--tests plus`: the index of the first of the cases added by the plus inputs (`datasets.humaneval.plus`);
    # the cases before it are the problem's own (its base tests). None: the problem has no plus cases
    plus_from: int | None = None


class Sample(msgspec.Struct, kw_only=True):
    task_id: str
    completion: str
    completion_id: int | str | None = None


class GeneratedSample(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A line of a samples file written by `sigil-eval generate`: a sample plus how it was generated, or the
    generation error that left it without one (never judged, retried by a rerun)."""

    task_id: str
    completion_id: int
    completion: str | None = None  # the raw answer (with the response prefix, if one was sent)
    model: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float | None = None
    generation_error: str | None = None


class Result(msgspec.Struct, kw_only=True, omit_defaults=False):
    """One verdict. human-eval-rust's fields, plus `sample_index` (0-based input position) and timings."""

    task_id: str
    completion: str
    sample_index: int
    completion_id: int | str | None = None
    compile_ok: bool | None = None
    test_ok: bool | None = None
    clippy_ok: bool | None = None
    clippy_lints: list[str] = msgspec.field(default_factory=list)  # clippy's lints on the completion's lines
    compile_time_ms: float | None = None
    run_time_ms: float | None = None
    binary_size_bytes: int | None = None
    error_type: ErrorType | None = None
    stderr: str = ""
    main_free: bool = True
    passed: bool = False
    result: str = ""
    # which path judged it: a `JudgedBy`, or "isolated: <why>" (`judged_alone`: batched mode sent it alone, an
    # `IsolationReason`); empty when nothing was compiled (policy, no code)
    judged_by: str = ""
    # whether a pass needed values compared outside the sample's process (its problem's tests are cases): no
    # output, file, memory or exit code of the sample can fake it; false for tests that run in process
    oracle_proof: bool = False
    # `--tests plus`, for a problem with plus cases: the verdict on its base tests alone (`passed` is the verdict
    # on base + plus); None for a problem without plus cases
    base_passed: bool | None = None
    # a problem whose tests are recorded cases: how many of them returned the expected value (every case runs,
    # right or wrong, until the sample stops), of how many; None for tests that are not cases. The dense reward.
    cases_passed: int | None = None
    cases_total: int | None = None


class CrateTaskResult(msgspec.Struct, kw_only=True):
    """One verdict on an answer to a crate task (`sigil_eval.crates`): every test of the crate by name, `passed`
    only when all pass."""

    task_id: str
    completion: str
    sample_index: int
    completion_id: int | str | None = None
    passed: bool = False
    error_type: ErrorType | None = None
    result: str = ""
    compile_ok: bool | None = None
    tests_passed: list[str] = msgspec.field(default_factory=list)
    tests_failed: list[str] = msgspec.field(default_factory=list)
    tests_total: int = 0
    ignored_files: list[str] = msgspec.field(default_factory=list)  # files the answer wrote and may not edit
    clippy_ok: bool | None = None  # no clippy lint in the answer's files (None: clippy did not run)
    clippy_lints: list[str] = msgspec.field(default_factory=list)  # clippy's lints in the answer's files
    stderr: str = ""
    judged_by: str = "isolated"


# The fields of a Result both judging paths must agree on, sample by sample (what `--verify-fraction` checks).
# The others are the sample's own, measurements (timings) or path-specific diagnostics (stderr, the reason
# text in `result`, `judged_by`).
AGREED_FIELDS = (
    "passed",
    "base_passed",
    "cases_passed",
    "error_type",
    "compile_ok",
    "test_ok",
    "clippy_ok",
    "clippy_lints",
    "binary_size_bytes",
    "main_free",
)


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
    base_passed: int = 0  # `--tests plus`: samples that pass the problem's base tests alone


class RunSetting(msgspec.Struct, kw_only=True):
    """What a run judged with: the report's header."""

    rustc_version: str = ""
    problem_set: str = ""
    problem_set_sha256: str = ""
    prelude_applied: int = 0  # problems that received the HumanEval-X `use` prelude
    oracle_problems: int = 0  # problems judged out of process (their tests are cases); the rest run in process
    mode: str = "batched"
    sandbox: str = ""
    clippy: str = ""
    tests: str = "base"  # "plus": base + the plus inputs (`pass_at_k`), beside the base tests alone (`base_pass_at_k`)
    plus_problems: int = 0  # `--tests plus`: problems that gained plus cases
    plus_cases: int = 0


class RunStats(msgspec.Struct, kw_only=True):
    """How a run's verdicts came about: counted by the evaluator as it goes, printed by the report."""

    routed_isolated: dict[str, int] = msgspec.field(default_factory=dict)  # batched mode: why samples ran alone
    syntax_batched: int = 0  # batched mode: samples whose brackets do not close, judged in batches of their own
    reused_verdicts: int = 0  # verdicts served by the verdict store, judged in earlier runs
    deduplicated: int = 0  # samples whose program another sample of this run already had
    verified: int = 0  # batched mode, --verify-fraction: samples re-judged alone
    verify_mismatches: int = 0  # …whose isolated verdict differed (the isolated one is reported)
    batches: int = 0  # batch jobs (crates) compiled: fewer than requests shows the service pooling them
    shared_tests: int = 0  # batched mode: samples judged with their problem's tests compiled once for the batch
    peak_jobs_in_flight: int = 0  # the most jobs the executor ran at once (at most its capacity)

    def route(self, why: IsolationReason) -> None:
        self.routed_isolated[why] = self.routed_isolated.get(why, 0) + 1


class Report(msgspec.Struct, kw_only=True):
    pass_at_k: dict[str, float]  # `--tests plus`: on base + plus tests
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
    generation_errors: int = 0  # samples the model server never answered (rejected, not scored)
    oracle_proof_rate: float | None = None  # samples whose pass could only come from values compared outside
    base_pass_at_k: dict[str, float] = msgspec.field(default_factory=dict)  # `--tests plus`: on base tests alone
    # RunSetting's fields
    rustc_version: str = ""
    problem_set: str = ""
    problem_set_sha256: str = ""
    prelude_applied: int = 0
    oracle_problems: int = 0
    mode: str = "batched"
    sandbox: str = ""
    clippy: str = ""
    tests: str = "base"
    plus_problems: int = 0
    plus_cases: int = 0
    # RunStats' fields
    routed_isolated: dict[str, int] = msgspec.field(default_factory=dict)
    syntax_batched: int = 0
    reused_verdicts: int = 0
    deduplicated: int = 0
    verified: int = 0
    verify_mismatches: int = 0
    batches: int = 0
    shared_tests: int = 0
    peak_jobs_in_flight: int = 0
    elapsed_s: float = 0.0
    samples_per_s: float = 0.0
    rejections: list[Rejection] = msgspec.field(default_factory=list)
