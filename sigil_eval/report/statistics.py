"""How sure a pass@k is: bootstrap intervals over problems, and paired tests between two runs on the same problems.

Problems are the unit of resampling: a set's problems are a sample of the problems a model could meet, while a
problem's own samples are already averaged by the unbiased pass@k estimator. Every function takes a seed, so a
report is the same page each time it is drawn from the same files.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import msgspec
import numpy as np
import numpy.typing as npt

from sigil_eval.metrics.passk import estimate_pass_at_k

Values = npt.NDArray[np.float64]
RESAMPLES = 10_000
LEVEL = 0.95
_CELLS_PER_CHUNK = 2_000_000  # resampled indices held at once (16 MB), whatever the number of problems


class Interval(msgspec.Struct, frozen=True, kw_only=True):
    """An estimate and its percentile-bootstrap interval."""

    estimate: float
    low: float
    high: float
    level: float = LEVEL


class PairedDifference(msgspec.Struct, frozen=True, kw_only=True):
    """`other − base` of a per-problem value, averaged over the problems both runs judged."""

    difference: Interval
    p_value: float  # paired bootstrap, two-sided: how often a resampled difference lies as far from the observed
    # one as the observed one lies from zero


def _resampled_means(values: Values, resamples: int, seed: int) -> Iterator[Values]:
    """Means of `resamples` resamples (with replacement) of `values`, a chunk at a time."""
    rng = np.random.default_rng(seed)
    size = values.size
    per_chunk = max(1, _CELLS_PER_CHUNK // max(size, 1))
    remaining = resamples
    while remaining > 0:
        rows = min(per_chunk, remaining)
        yield values[rng.integers(0, size, size=(rows, size))].mean(axis=1)
        remaining -= rows


def bootstrap_mean(values: Values, *, resamples: int = RESAMPLES, level: float = LEVEL, seed: int = 0) -> Interval:
    """The mean of `values` with its percentile-bootstrap interval."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError("no values to bootstrap")
    means = np.concatenate(list(_resampled_means(values, resamples, seed)))
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return Interval(estimate=float(values.mean()), low=float(low), high=float(high), level=level)


def pass_at_k_interval(
    num_samples: npt.NDArray[np.int64],
    num_correct: npt.NDArray[np.int64],
    k: int,
    *,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = 0,
) -> Interval:
    """pass@k of a run (the mean of the per-problem unbiased estimates) and its interval over problems."""
    return bootstrap_mean(estimate_pass_at_k(num_samples, num_correct, k), resamples=resamples, level=level, seed=seed)


def paired_bootstrap(
    base: Values, other: Values, *, resamples: int = RESAMPLES, level: float = LEVEL, seed: int = 0
) -> PairedDifference:
    """The mean per-problem difference `other − base` (the same problems, in the same order) with its interval,
    and a two-sided p-value for "no difference" from the same resamples, shifted to the null."""
    base = np.asarray(base, dtype=np.float64)
    other = np.asarray(other, dtype=np.float64)
    if base.shape != other.shape:
        raise ValueError("paired values differ in length")
    delta = other - base
    interval = bootstrap_mean(delta, resamples=resamples, level=level, seed=seed)
    observed = interval.estimate
    if not np.any(delta != observed):  # every problem moved by the same amount: no spread to test against
        return PairedDifference(difference=interval, p_value=1.0 if observed == 0 else 0.0)
    means = np.concatenate(list(_resampled_means(delta, resamples, seed)))
    extreme = int(np.count_nonzero(np.abs(means - observed) >= abs(observed) - 1e-12))
    return PairedDifference(difference=interval, p_value=(extreme + 1) / (resamples + 1))


def mcnemar_exact(only_base: int, only_other: int) -> float:
    """McNemar's exact test: two-sided p-value that `only_base` and `only_other` (the discordant pairs: problems
    one run solved and the other did not) came from a fair coin."""
    if only_base < 0 or only_other < 0:
        raise ValueError("counts must be non-negative")
    total = only_base + only_other
    if total == 0:
        return 1.0
    smaller = min(only_base, only_other)
    tail = sum(math.comb(total, i) for i in range(smaller + 1)) / 2**total  # exact integers, then one division
    return float(min(1.0, 2.0 * tail))
