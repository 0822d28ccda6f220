"""An answer to a crate task cannot rewrite what its tests mean: the tests `use` the answer's crate by glob, so
without care an answer's exported macros (`#[macro_export] macro_rules! assert_eq`) and items named like the
prelude's (`pub fn Err`) would replace std's in the tests. The tests' std macros are named by path and the
prelude's names the task's own crate does not export are imported by name (`crates.harnessed`)."""

from __future__ import annotations

import anyio
import pytest

import sigil_eval
from sigil_eval.crates.task import task_from_row
from sigil_eval.records import CrateTaskResult

from ..helpers import requires_firejail
from ..integration.test_crate_judge import ROW

RIGHT = ROW["example"][".meta/example.rs"]
WRONG = RIGHT.replace('"square" => 4', '"square" => 5').replace('"triangle" => 3', '"triangle" => 0')
ATTACKS = {
    "macros": WRONG
    + "#[macro_export]\nmacro_rules! assert_eq { ($($t:tt)*) => {} }\n"
    + "#[macro_export]\nmacro_rules! assert { ($($t:tt)*) => {} }\n"
    + "#[macro_export]\nmacro_rules! panic { ($($t:tt)*) => { loop {} } }\n",
    "prelude": WRONG + "#[allow(non_snake_case)]\npub fn Err(_: String) -> Result<(), String> { Ok(()) }\n",
}


@requires_firejail
@pytest.mark.parametrize("mode", ["batched", "isolated"])
def test_an_answer_cannot_replace_the_tests_macros_or_prelude(mode: str) -> None:
    task = task_from_row(ROW)
    samples = [{"task_id": "shapes", "completion": text, "completion_id": kind} for kind, text in ATTACKS.items()]
    samples.append({"task_id": "shapes", "completion": task.reference["src/lib.rs"], "completion_id": "right"})
    results = anyio.run(lambda: sigil_eval.evaluate_crates(samples, [task], mode=mode, clippy="off"))
    by_kind = {r.completion_id: r for r in results if isinstance(r, CrateTaskResult)}
    assert by_kind["right"].passed, by_kind["right"].stderr
    macros, prelude = by_kind["macros"], by_kind["prelude"]
    assert macros.compile_ok and "a_square_has_four_sides" in macros.tests_failed, macros.stderr
    assert "a_triangle_has_three" in macros.tests_failed
    assert prelude.compile_ok and "results_count_too" in prelude.tests_failed, prelude.stderr
