"""Batches of samples whose brackets do not close (`runner.batch`): rustc stops at the first such file, so each
is compiled as a crate of its own, all in one jail. Their verdicts must be the isolated path's; a member that
compiles after all (routing thought its brackets open) goes on to an ordinary batch."""

from __future__ import annotations

import pytest

from sigil_eval.records import AGREED_FIELDS
from sigil_eval.runner import route

from ..helpers import judge, problem, requires_firejail

ADD = problem("U/add", "fn add(a: i64, b: i64) -> i64", "        assert_eq!(add(2, 3), 5);")
UNCLOSED = {
    "bracket_open": "    let v = [a, b;\n    v[0] + v[1]\n}\n",
    "call_open": "    add(a, (b\n}\n",
    "string_open": '    let s = "never closed;\n    a + b\n}\n',
    "comment_open": "    /* never closed\n    a + b\n}\n",
    "mismatched": "    (a + b]\n}\n",
    "extra_close": "    a + b\n}\n}\n",
}
# routed as unclosed by the test, though they compile: they must leave for an ordinary batch
FLAGGED = {"flagged_correct": "    a + b // flagged\n}\n", "flagged_wrong": "    a - b // flagged\n}\n"}


@requires_firejail
def test_unclosed_samples_are_compiled_each_alone_and_judged_as_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    real = route.delimiters_unbalanced
    monkeypatch.setattr(route, "delimiters_unbalanced", lambda mask: "flagged" in mask or real(mask))
    answers = {**UNCLOSED, **FLAGGED}
    samples = [{"task_id": "U/add", "completion": code, "completion_id": name} for name, code in answers.items()]
    batched = judge(samples, {"U/add": ADD}, mode="batched", workers=1, clippy="advisory")
    isolated = judge(samples, {"U/add": ADD}, mode="isolated", workers=1, clippy="advisory")
    for b, i in zip(batched, isolated, strict=True):
        assert [getattr(b, f) for f in AGREED_FIELDS] == [getattr(i, f) for f in AGREED_FIELDS], b.completion_id
    results = {str(r.completion_id): r for r in batched}
    for name in UNCLOSED:
        assert results[name].error_type == "compile_error" and results[name].judged_by == "batch", name
        assert "src.rs" in results[name].stderr, name
    assert results["flagged_correct"].passed and results["flagged_wrong"].error_type == "assertion_failure"
