"""Judge one answer to a crate task, alone (the batched workspace comes later).

The crate is the task's files with the answer's editable ones over them. Every test file runs under our forking
harness (`runner/harness.rs`, as a `harness = false` test target), one harness entry per `#[test]` function, so each
test is its own child and its verdict comes from the harness's report on a private pipe, never from what the
test process prints or its exit code. `#[ignore]`d tests run too (`--include-ignored`); `#[should_panic]` and
tests returning `Result` are wrapped to keep libtest's meaning. Compiling is `cargo build --tests --offline
--all-features` in the sandbox, against the vendored dependencies (`warm`), with no network.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from sigil_eval.crates.answer import answer_files
from sigil_eval.crates.task import CrateTask
from sigil_eval.crates.warm import HARNESS_PACKAGE, CrateCache
from sigil_eval.errors import InputError
from sigil_eval.program.rust_lexer import code_mask
from sigil_eval.records import CrateTaskResult, Sample
from sigil_eval.runner.batch.source import exposed_tests
from sigil_eval.runner.context import JobContext
from sigil_eval.runner.harness_protocol import harness_settings, parse_records
from sigil_eval.runner.limits import HARNESS_CPU_SECONDS, TEST_FILE_SIZE, harness_uid_base, wall_backstop
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.sandbox import Limits
from sigil_eval.runner.verdict import judge_child

BUILD_TIMEOUT_FACTOR = 6  # a crate's build (its dependencies are compiled too) gets this many run budgets
_SHOULD_PANIC = re.compile(r"#\s*\[\s*should_panic\s*(?:\(\s*expected\s*=\s*(\"(?:[^\"\\]|\\.)*\")\s*\))?\s*\]")
_IGNORE = re.compile(r"#\s*\[\s*ignore\s*(?:=\s*\"(?:[^\"\\]|\\.)*\"\s*)?\]")


@dataclass(frozen=True, slots=True)
class _Test:
    path: str  # in its file's crate (`module::name`)
    should_panic: str | None  # None: must not panic; "": any panic; else the text the panic must contain
    returns: bool  # returns a Result


def _tests_of(text: str) -> tuple[str, list[_Test]] | None:
    """The test file with its tests reachable from its root, and its tests; None when a test cannot be reached."""
    exposed = exposed_tests(text)
    if exposed is None:
        return None
    rewritten, paths = exposed
    mask = code_mask(text)
    tests = []
    for path in paths:
        name = path.rsplit("::", 1)[-1]
        head = re.search(rf"\bfn\s+{re.escape(name)}\s*\(\s*\)\s*(->)?", mask)
        start = head.start() if head else 0
        attributes = text[max(0, mask.rfind("}", 0, start), mask.rfind(";", 0, start)) + 1 : start]
        panic = _SHOULD_PANIC.search(attributes)
        expected = None if panic is None else json.loads(panic.group(1)) if panic.group(1) else ""
        tests.append(_Test(path, expected, bool(head and head.group(1))))
    return _IGNORE.sub("", rewritten), tests


def _runner_main(tests: list[_Test]) -> str:
    """Appended to a test file: one wrapper per test, and `main` handing them to the harness, one entry each."""
    out = ["\n#[allow(dead_code)]\nfn main() {\n    ::sigil_harness::run(&["]
    wrappers = []
    for i, test in enumerate(tests):
        out.append(
            f"        ::sigil_harness::Entry {{ index: {i}, main_style: false, oracle: false, "
            f"tests: &[({json.dumps(test.path)}, __sigil_test_{i})] }},"
        )
        call = f"{test.path}()"
        if test.returns:
            call = f'if let ::core::result::Result::Err(e) = {call} {{ ::core::panic!("{{e:?}}") }}'
        if test.should_panic is None:
            wrappers.append(f"fn __sigil_test_{i}() {{ {call}; }}")
            continue
        wrappers.append(
            f"fn __sigil_test_{i}() {{\n"
            f"    let outcome = ::std::panic::catch_unwind(|| {{ {call}; }});\n"
            "    let payload = match outcome {\n"
            '        ::core::result::Result::Ok(()) => ::core::panic!("the test did not panic"),\n'
            "        ::core::result::Result::Err(payload) => payload,\n"
            "    };\n"
            "    let message = payload.downcast_ref::<&str>().map(|s| s.to_string())"
            ".or_else(|| payload.downcast_ref::<::std::string::String>().cloned()).unwrap_or_default();\n"
            f"    if !message.contains({json.dumps(test.should_panic)}) {{\n"
            '        ::core::panic!("the panic did not hold the expected text");\n'
            "    }\n}"
        )
    out.append("    ]);\n}\n")
    return "\n".join(out) + "\n".join(wrappers) + "\n"


def _manifest(cargo_toml: str, test_names: list[str], harness: Path) -> str:
    """The crate's Cargo.toml with its test targets run by our harness and the harness as a dev-dependency."""
    dependency = f'{HARNESS_PACKAGE} = {{ path = "{harness}" }}'
    lines = cargo_toml.rstrip("\n").split("\n")
    header = next((i for i, line in enumerate(lines) if line.strip() == "[dev-dependencies]"), None)
    if header is None:
        lines += ["", "[dev-dependencies]", dependency]
    else:
        lines.insert(header + 1, dependency)
    for name in test_names:
        lines += ["", "[[test]]", f'name = "{name}"', f'path = "tests/{name}.rs"', "harness = false"]
    return "\n".join(lines) + "\n"


async def judge_crate(
    task: CrateTask, sample: Sample, index: int, ctx: JobContext, cache: CrateCache, slot: int = 0
) -> CrateTaskResult:
    """The verdict on `sample` (input line `index`) as an answer to `task`: every test by name, `passed` only when
    all pass."""
    answer = answer_files(sample.completion, task)
    result = CrateTaskResult(
        task_id=task.task_id,
        completion=sample.completion,
        sample_index=index,
        completion_id=sample.completion_id,
        ignored_files=list(answer.ignored),
    )
    try:
        return await _judge(task, answer.files, ctx, cache, slot, result) if not answer.no_code else _no_code(result)
    finally:
        result.tests_total = len(result.tests_passed) + len(result.tests_failed)


def _no_code(result: CrateTaskResult) -> CrateTaskResult:
    result.error_type, result.result = "no_code", "the answer holds no code"
    return result


async def _judge(
    task: CrateTask, written: dict[str, str], ctx: JobContext, cache: CrateCache, slot: int, result: CrateTaskResult
) -> CrateTaskResult:
    job = Path(tempfile.mkdtemp(prefix="crate-", dir=ctx.scratch_root))
    try:
        return await _build_and_run(task, written, job, ctx, cache, slot, result)
    finally:
        if not ctx.options.keep_scratch:  # a crate's target dir holds its dependencies' builds: tens of MB
            shutil.rmtree(job, ignore_errors=True)


async def _build_and_run(
    task: CrateTask,
    written: dict[str, str],
    job: Path,
    ctx: JobContext,
    cache: CrateCache,
    slot: int,
    result: CrateTaskResult,
) -> CrateTaskResult:
    files = {**task.sources, **written}
    # the task's manifest, always: one written by an answer could rename its package to the harness's, point a
    # `[patch]` at its own code or add crates the offline cache lacks (said in `ignored_files`)
    if files.pop("Cargo.toml", None) is not None:
        result.ignored_files.append("Cargo.toml")
    cargo_toml = task.cargo_toml
    names, tests_by_file = [], {}
    for path, text in sorted(task.tests.items()):
        found = _tests_of(text)
        if found is None:
            raise InputError(f"crate task {task.task_id}: {path}: a test sits where the harness cannot reach it")
        name = Path(path).stem
        names.append(name)
        tests_by_file[name] = found
        files[f"tests/{name}.rs"] = found[0] + _runner_main(found[1])
    files["Cargo.toml"] = _manifest(cargo_toml, names, cache.harness)
    for path, text in files.items():
        (job / path).parent.mkdir(parents=True, exist_ok=True)
        (job / path).write_text(text)
    sandbox = replace(ctx.sandbox, visible=(*ctx.sandbox.visible, cache.root))
    cargo = ctx.toolchain.sysroot / "bin" / "cargo"
    home = job / ".cargo-home"  # cargo writes its locks in its home: a copy of the cache's config, in the job
    home.mkdir()
    (home / "config.toml").write_bytes((cache.cargo_home / "config.toml").read_bytes())
    env = {
        **sandbox.environment(job),
        "CARGO_HOME": str(home),
        "CARGO_TARGET_DIR": str(job / "target"),
        "RUSTC": str(ctx.toolchain.rustc),
        "CARGO_TERM_COLOR": "never",
    }
    budget = ctx.options.compile_budget * BUILD_TIMEOUT_FACTOR
    build = [str(cargo), "build", "--tests", "--offline", "--all-features", "--message-format=json", "--quiet"]
    limits = Limits(cpu_seconds=budget, address_space=ctx.options.compile_memory, file_size=1 << 30, processes=256)
    compiled = await run_limited(
        sandbox.compile_argv(build, job, limits), cwd=job, env=env, wall_timeout=budget * 2 + 10, output_cap=4 << 20
    )
    if compiled.wall_timeout or compiled.cpu_limit_hit:
        result.error_type, result.result, result.compile_ok = "compile_timeout", f"build exceeded {budget:g} s", False
        return result
    executables = _test_executables(compiled.stdout)
    if compiled.returncode != 0 or set(executables) != set(names):
        result.compile_ok, result.error_type = False, "compile_error"
        result.result, result.stderr = "failed: compile_error", _rendered_errors(compiled.stdout)[-8000:]
        return result
    result.compile_ok = True
    _readable_to_tests(job, files)
    for name in names:
        await _run_tests(executables[name], tests_by_file[name][1], job, ctx, slot, result)
    result.passed = not result.tests_failed and bool(result.tests_passed)
    if not result.passed:
        result.error_type = result.error_type or "assertion_failure"
        failed = ", ".join(result.tests_failed[:5])
        total = len(result.tests_passed) + len(result.tests_failed)
        result.result = f"failed: {len(result.tests_failed)} of {total} tests: {failed}"
    else:
        result.result = f"passed: {len(result.tests_passed)} tests"
    return result


def _readable_to_tests(job: Path, files: dict[str, str]) -> None:
    """The crate's own files readable (not writable) to the tests' uids, which run in it as cargo's tests do
    (some read `Cargo.toml`): nothing in them is secret, the tests are in the binary."""
    job.chmod(0o755)
    for path in files:
        target = job / path
        for directory in list(target.relative_to(job).parents)[:-1]:
            (job / directory).chmod(0o755)
        target.chmod(0o644)


def _test_executables(stdout: bytes) -> dict[str, Path]:
    found = {}
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        target = message.get("target") or {}
        if (
            message.get("reason") == "compiler-artifact"
            and "test" in target.get("kind", [])
            and message.get("executable")
        ):
            found[target["name"]] = Path(message["executable"])
    return found


def _rendered_errors(stdout: bytes) -> str:
    rendered = []
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("reason") == "compiler-message" and message["message"].get("level") == "error":
            rendered.append(message["message"].get("rendered") or message["message"].get("message", ""))
    return "".join(rendered)


async def _run_tests(
    binary: Path, tests: list[_Test], job: Path, ctx: JobContext, slot: int, result: CrateTaskResult
) -> None:
    budget = ctx.options.run_budget
    uid_base = harness_uid_base(slot) if ctx.sandbox.setpriv is not None else 0
    settings = harness_settings(ctx.options, children=1, uid_base=uid_base)
    limits = Limits(cpu_seconds=HARNESS_CPU_SECONDS, address_space=ctx.options.run_memory, file_size=TEST_FILE_SIZE)
    process = await run_limited(
        ctx.sandbox.harness_argv([str(binary), *settings.argv()], job, limits),
        cwd=job,
        env=ctx.sandbox.environment(job),
        wall_timeout=len(tests) * (wall_backstop(budget) + 2) + 10,
        signal_in_exit_code=ctx.sandbox.reports_signal_as_exit_code,
    )
    records = parse_records(process.stdout)
    for i, test in enumerate(tests):
        record = records.get(i)
        verdict = judge_child(record, False, budget) if record is not None else None
        if verdict is not None and verdict.passed:
            result.tests_passed.append(test.path)
        else:
            result.tests_failed.append(test.path)
            if verdict is not None and verdict.error_type != "assertion_failure":
                result.error_type = result.error_type or verdict.error_type
