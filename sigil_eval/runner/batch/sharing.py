"""Shared tests in a batch: the samples of a problem (at least `MIN_SHARING` of them) run one copy of its tests,
compiled once (`program.shared_tests`), through shim modules. `Sharing` is the state of one run: each problem's
shared tests, worked out once, and the modules that did not compile, whose problems' samples keep their own
tests from then on (an executor holds one for its lifetime, which is its evaluator's)."""

from __future__ import annotations

from sigil_eval.program.shared_tests import SharedTests, shared_tests, shares
from sigil_eval.records import Problem
from sigil_eval.runner.batch.source import shared_batch_module
from sigil_eval.runner.jobs import BatchItem

MIN_SHARING = 2  # samples of a problem in one batch for its tests to be shared: one alone gains nothing


class Sharing:
    def __init__(self, prelude: bool) -> None:
        self._prelude = prelude
        self._made: dict[str, tuple[Problem, SharedTests | None]] = {}  # by task id (one problem set per run)
        self.unshareable: set[str] = set()  # shared tests modules that did not compile

    def tests_of(self, problem: Problem) -> SharedTests | None:
        made = self._made.get(problem.task_id)
        if made is None or (made[0] is not problem and made[0] != problem):
            made = self._made[problem.task_id] = (problem, shared_tests(problem, self._prelude))
        return made[1]

    def share(self, items: list[BatchItem]) -> None:
        """Give the members that may share their problem's tests (at least MIN_SHARING of a problem) shims."""
        candidates: dict[str, list[tuple[BatchItem, SharedTests]]] = {}
        for item in items:
            if item.syntax_error or item.own is not None or not (item.module.wrapper or item.module.main_style):
                continue
            shared = self.tests_of(item.problem)
            if shared is None or shared.module_name in self.unshareable or not shares(shared, item.program):
                continue
            candidates.setdefault(shared.module_name, []).append((item, shared))
        for members in candidates.values():
            if len(members) < MIN_SHARING:
                continue
            for item, shared in members:
                item.own = item.module
                item.module = shared_batch_module(item.program, item.module, shared)


def own_tests(item: BatchItem) -> None:
    """Back to its own tests (a shared tests module or its shims did not compile)."""
    if item.own is not None:
        item.module, item.own = item.own, None
