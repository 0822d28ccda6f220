"""Unbiased pass@k (Chen et al., 2021), vectorised over problems in log space."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def estimate_pass_at_k(
    num_samples: Sequence[int] | npt.NDArray[np.int64], num_correct: Sequence[int] | npt.NDArray[np.int64], k: int
) -> npt.NDArray[np.float64]:
    """pass@k per problem: 1 - C(n-c, k) / C(n, k) = 1 - prod_{i=n-c+1}^{n} (1 - k/i).

    The product is a sum of log1p terms; with a cumulative sum over i every problem's sum is a difference of
    two entries, so the whole set is a few array operations and stays finite for n in the thousands.
    """
    n = np.asarray(num_samples, dtype=np.int64)
    c = np.asarray(num_correct, dtype=np.int64)
    if n.shape != c.shape:
        raise ValueError("num_samples and num_correct differ in length")
    if n.size == 0:
        return np.zeros(0)
    if np.any(c < 0) or np.any(c > n):
        raise ValueError("num_correct must lie in [0, num_samples]")
    if k < 1 or np.any(n < k):
        raise ValueError(f"pass@{k} needs k >= 1 and at least k samples for every problem")
    if k == 1:  # the estimator reduces to c/n; computed directly it is exact (0.5, not 0.4999999999999999)
        return c / n
    i = np.arange(1, int(n.max()) + 1, dtype=np.float64)
    terms = np.where(i > k, np.log1p(-k / np.maximum(i, k + 1)), 0.0)
    cumulative = np.concatenate(([0.0], np.cumsum(terms)))
    always = (n - c) < k  # fewer than k failures: every k-subset holds a correct sample
    lower = np.where(always, n, n - c)  # sum over i in (n-c, n]
    log_fail = cumulative[n] - cumulative[lower]
    return np.where(always, 1.0, -np.expm1(log_fail))


def pass_at_k_reference(n: int, c: int, k: int) -> float:
    """The reference implementation's loop, kept for differential tests."""
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))
