from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

import sigil_eval
from sigil_eval.records import SHARED_TESTS, Report
from sigil_eval.records import judged_alone as judged_alone_because

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PROBLEMS = ROOT / "tests" / "data" / "example_problems.jsonl"
SHARED_DATA = Path(os.environ.get("SIGIL_SHARED_DATA", ROOT.parent / "shared" / "data"))

# human-eval-rust's own example (human-eval-rust data/example_rust_*.jsonl): one problem, four samples, two correct.
RETURN_ONE = {
    "task_id": "test_rust/0",
    "prompt": "fn return_one() -> i32 {\n",
    "canonical_solution": "    1\n}\n",
    "test": "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn test_return_one() {\n"
    "        assert_eq!(return_one(), 1);\n    }\n}\n",
    "entry_point": "return_one",
}
RETURN_ONE_SAMPLES = [
    {"task_id": "test_rust/0", "completion": "    1\n}\n"},
    {"task_id": "test_rust/0", "completion": "    0\n}\n"},
    {"task_id": "test_rust/0", "completion": "    2\n}\n"},
    {
        "task_id": "test_rust/0",
        "completion": "    let mut value = 0;\n    for _ in 0..1 {\n        value += 1;\n    }\n    value\n}\n",
    },
]


def shared(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared dataset {relative} not present")
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def evaluate(samples: list[dict[str, Any]], problems: Any, **options: Any) -> Report:
    """Through the API; the verdict store is off unless asked for: these tests are about judging."""
    options.setdefault("reuse_verdicts", False)

    async def run() -> Report:
        return await sigil_eval.evaluate(samples, problems, **options)

    return anyio.run(run)


def judge(samples: list[dict[str, Any]], problems: Any, **options: Any) -> list[sigil_eval.Result]:
    """Results in input order; the verdict store is off unless asked for."""
    options.setdefault("reuse_verdicts", False)

    async def run() -> list[sigil_eval.Result]:
        async with sigil_eval.Evaluator(problems, **options) as ev:
            results = [r async for r in ev.results(samples)]
        return sorted(results, key=lambda r: r.sample_index)

    return anyio.run(run)


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("sigil-eval")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=timeout, check=False)


def problem(task_id: str, signature: str, test_body: str, *, main_style: bool = False) -> dict[str, Any]:
    """A human-eval-rust-shape problem whose test runs `test_body`."""
    entry = signature.split("fn ")[1].split("(")[0]
    if main_style:
        test = f"\nfn main() {{\n{test_body}\n}}\n"
    else:
        test = (
            "\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn check() {\n"
            f"{test_body}\n    }}\n}}\n"
        )
    return {"task_id": task_id, "prompt": signature + " {\n", "test": test, "entry_point": entry}


requires_firejail = pytest.mark.skipif(shutil.which("firejail") is None, reason="firejail not installed")


TIMED_OUT_IN_BATCH = judged_alone_because("compile timeout in its batch")
SHARED = SHARED_TESTS  # `judged_by` of a sample judged with its problem's tests shared in its batch


def judged_alone(results: dict[str, sigil_eval.Result], blowup: str) -> dict[str, str]:
    """Batched mode: the samples not judged by the batch harness, and why. The compile blow-up `blowup` and the
    few neighbours left with it when bisection stops (`batch.run.ISOLATE_AT_MOST`) go alone for its timeout; those
    neighbours are left out, the blow-up itself is checked."""
    from sigil_eval.runner.batch.run import ISOLATE_AT_MOST

    with_blowup = {name for name, r in results.items() if r.judged_by == TIMED_OUT_IN_BATCH}
    assert blowup in with_blowup and len(with_blowup) <= ISOLATE_AT_MOST, with_blowup
    in_batch = {"batch", SHARED, TIMED_OUT_IN_BATCH}
    alone = {name: r.judged_by for name, r in results.items() if r.judged_by not in in_batch}
    return alone | {blowup: TIMED_OUT_IN_BATCH}


def on_a_terminal(argv: list[str]) -> tuple[int, str]:
    """Run `argv` with a pseudo-terminal as stdout and stderr: its exit code and everything it drew."""
    leader, follower = pty.openpty()
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower) as proc:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
    os.close(leader)
    return proc.returncode, seen.decode(errors="replace")
