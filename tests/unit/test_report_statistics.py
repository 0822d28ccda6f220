"""The report's intervals and tests, checked against a reference computation (scipy) and by simulation."""

import math

import numpy as np
import pytest
from scipy import stats

from sigil_eval.metrics.passk import estimate_pass_at_k
from sigil_eval.metrics.report import Tally
from sigil_eval.records import Result
from sigil_eval.report.statistics import bootstrap_mean, mcnemar_exact, paired_bootstrap, pass_at_k_interval


def _scipy_percentile_interval(values: np.ndarray, seed: int) -> tuple[float, float]:
    result = stats.bootstrap(
        (values,), np.mean, method="percentile", n_resamples=10_000, confidence_level=0.95, random_state=seed
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bootstrap_interval_matches_scipy_on_pass_rates(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = (rng.random(164) < 0.7).astype(np.float64)  # pass@1 of one sample per problem
    mine = bootstrap_mean(values, seed=seed)
    low, high = _scipy_percentile_interval(values, seed + 100)
    assert mine.estimate == pytest.approx(values.mean())
    # two Monte Carlo estimates of the same percentiles: they differ by resampling noise only (~0.003 here)
    assert mine.low == pytest.approx(low, abs=0.012)
    assert mine.high == pytest.approx(high, abs=0.012)


def test_bootstrap_interval_matches_scipy_on_pass_at_10() -> None:
    rng = np.random.default_rng(5)
    n = np.full(120, 20, dtype=np.int64)
    c = rng.integers(0, 21, size=120).astype(np.int64)
    values = estimate_pass_at_k(n, c, 10)
    mine = pass_at_k_interval(n, c, 10)
    low, high = _scipy_percentile_interval(values, 9)
    assert mine.estimate == pytest.approx(values.mean())
    assert (mine.low, mine.high) == pytest.approx((low, high), abs=0.012)


def test_bootstrap_interval_matches_the_normal_approximation_on_many_problems() -> None:
    rng = np.random.default_rng(11)
    values = (rng.random(4000) < 0.4).astype(np.float64)
    p = values.mean()
    half = 1.959964 * math.sqrt(p * (1 - p) / values.size)
    mine = bootstrap_mean(values)
    assert (mine.high - mine.low) / 2 == pytest.approx(half, rel=0.06)
    assert (mine.low + mine.high) / 2 == pytest.approx(p, abs=0.003)


def test_bootstrap_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(3)
    truth, covered, trials = 0.6, 0, 300
    for trial in range(trials):
        values = (rng.random(150) < truth).astype(np.float64)
        interval = bootstrap_mean(values, resamples=1000, seed=trial)
        covered += interval.low <= truth <= interval.high
    assert 0.90 <= covered / trials <= 0.99


def test_interval_estimate_is_the_reports_pass_at_k() -> None:
    rng = np.random.default_rng(2)
    results = []
    for task in range(40):
        for _ in range(10):
            passed = bool(rng.random() < task / 40)
            results.append(Result(task_id=f"t{task}", completion="", sample_index=len(results), passed=passed))
    tally = Tally.of(results)
    report = tally.report([], ks=(1, 5))
    n = np.array([t.n for t in tally.per_problem.values()])
    c = np.array([t.passed for t in tally.per_problem.values()])
    for k in (1, 5):
        assert pass_at_k_interval(n, c, k).estimate == pytest.approx(report.pass_at_k[f"pass@{k}"], abs=1e-12)


def test_mcnemar_exact_matches_scipys_binomial_test() -> None:
    for only_base in range(0, 40, 3):
        for only_other in range(0, 40, 4):
            total = only_base + only_other
            want = 1.0 if total == 0 else stats.binomtest(only_base, total, 0.5).pvalue
            assert mcnemar_exact(only_base, only_other) == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_mcnemar_exact_on_large_counts_stays_finite() -> None:
    p = mcnemar_exact(600, 700)
    assert p == pytest.approx(stats.binomtest(600, 1300, 0.5).pvalue, rel=1e-6)
    assert mcnemar_exact(2000, 2000) == 1.0


def test_paired_bootstrap_of_identical_runs_finds_nothing() -> None:
    values = np.linspace(0, 1, 50)
    result = paired_bootstrap(values, values)
    assert result.difference.estimate == 0.0 and result.p_value == 1.0


def test_paired_bootstrap_difference_matches_scipy_and_finds_a_real_shift() -> None:
    rng = np.random.default_rng(8)
    base = rng.random(164)
    other = np.clip(base + 0.08 + rng.normal(0, 0.1, 164), 0, 1)
    result = paired_bootstrap(base, other)
    low, high = _scipy_percentile_interval(other - base, 4)
    assert (result.difference.low, result.difference.high) == pytest.approx((low, high), abs=0.006)
    assert result.p_value < 0.001
    assert stats.ttest_rel(other, base).pvalue < 0.001  # the textbook paired test agrees


def test_paired_bootstrap_rejects_a_true_null_about_5_percent_of_the_time() -> None:
    rng = np.random.default_rng(21)
    rejected, trials = 0, 300
    for trial in range(trials):
        base = (rng.random(120) < 0.5).astype(np.float64)
        other = (rng.random(120) < 0.5).astype(np.float64)
        rejected += paired_bootstrap(base, other, resamples=1000, seed=trial).p_value < 0.05
    assert 0.01 <= rejected / trials <= 0.10
