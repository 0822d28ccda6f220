"""pass@k and the aggregate metrics of a run."""

from sigil_eval.metrics.passk import estimate_pass_at_k
from sigil_eval.metrics.report import Tally, format_summary

__all__ = ["Tally", "estimate_pass_at_k", "format_summary"]
