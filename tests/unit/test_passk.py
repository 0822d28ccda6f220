import numpy as np
import pytest

from sigil_eval.metrics.passk import estimate_pass_at_k, pass_at_k_reference
from sigil_eval.metrics.report import Tally
from sigil_eval.records import Result


def test_vectorised_equals_the_reference_loop() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(1, 300, size=500)
    c = np.array([rng.integers(0, x + 1) for x in n])
    for k in (1, 2, 5, 10, 100):
        mask = n >= k
        got = estimate_pass_at_k(n[mask], c[mask], k)
        want = [pass_at_k_reference(int(a), int(b), k) for a, b in zip(n[mask], c[mask], strict=True)]
        assert np.max(np.abs(got - np.array(want))) < 1e-12


def test_large_n_stays_finite_and_bounded() -> None:
    got = estimate_pass_at_k([5000, 5000, 5000, 4000], [0, 1, 4999, 2000], 100)
    assert np.all(np.isfinite(got)) and np.all((got >= 0) & (got <= 1))
    assert got[0] == 0.0 and got[2] == 1.0
    assert abs(got[1] - 100 / 5000) < 1e-12


def test_k_larger_than_some_n_is_refused() -> None:
    with pytest.raises(ValueError):
        estimate_pass_at_k([3, 10], [1, 1], 5)


def _result(task: str, passed: bool, index: int) -> Result:
    return Result(task_id=task, completion="", sample_index=index, passed=passed, compile_ok=True)


def test_report_only_has_k_up_to_every_problems_n() -> None:
    results = [_result("a", i < 2, i) for i in range(10)] + [_result("b", True, 10 + i) for i in range(3)]
    report = Tally.of(results).report([], ks=(1, 3, 10))
    assert set(report.pass_at_k) == {"pass@1", "pass@3"}
    assert report.pass_at_k["pass@1"] == pytest.approx((0.2 + 1.0) / 2)
    assert report.per_problem["a"].n == 10 and report.per_problem["a"].passed == 2
    assert report.clippy_pass_rate is None
