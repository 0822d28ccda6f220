"""The report's charts, drawn with matplotlib (no pyplot, no global state) as inline SVG for the page and, on
request, as PNG files for papers. Each SVG gets its own id prefix (several share one page) and hover titles
where a mark stands for a named problem."""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sigil_eval.report.statistics import Interval

PNG_DPI = 200
WIDTH_IN = 8.0
_STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller, searchable, selectable
    "svg.hashsalt": "sigil-eval",  # the same ids for the same chart: the same page from the same files
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')


@dataclass(frozen=True, slots=True)
class Chart:
    name: str  # the PNG's file stem and the SVG's id prefix
    title: str
    svg: str


@contextmanager
def _figure(height_in: float) -> Iterator[Figure]:
    with mpl.rc_context(_STYLE):
        yield Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def _finish(figure: Figure, name: str, title: str, png_dir: Path | None, tooltips: Mapping[str, str] = {}) -> Chart:
    """The figure as an SVG element to inline (ids prefixed, `tooltips` as hover titles of the marks whose gid
    they name), and as `png_dir/name.png`."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    if png_dir is not None:
        png_dir.mkdir(parents=True, exist_ok=True)
        figure.savefig(png_dir / f"{name}.png", dpi=PNG_DPI, metadata={"Software": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    for gid, tip in tooltips.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{html.escape(tip)}</title>', 1)
    svg = _ID.sub(lambda m: f'id="{name}-{m.group(1)}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", svg)
    return Chart(name=name, title=title, svg=svg)


def _legend(figure: Figure, entries: int) -> None:
    """A legend above the plot (never over the data), when there is more than one run to tell apart."""
    if entries > 1:
        figure.legend(loc="outside upper right", ncols=min(entries, 4), frameon=False)


def pass_at_k_curve(curves: Sequence[tuple[str, Sequence[int], Sequence[Interval]]], png_dir: Path | None) -> Chart:
    """pass@k against k for each run, with its interval as a band (a bar, where a run has one k)."""
    with _figure(3.4) as figure:
        axes = figure.add_subplot()
        for label, ks, intervals in curves:
            estimate = np.array([i.estimate for i in intervals])
            low = np.array([i.low for i in intervals])
            high = np.array([i.high for i in intervals])
            if len(ks) == 1:
                axes.errorbar(ks, estimate, yerr=[estimate - low, high - estimate], fmt="o", capsize=4, label=label)
            else:
                (line,) = axes.plot(ks, estimate, marker="o", label=label)
                axes.fill_between(ks, low, high, alpha=0.2, color=line.get_color(), linewidth=0)
        all_ks = sorted({k for _, ks, _ in curves for k in ks})
        if all_ks[-1] > 10:
            axes.set_xscale("log")
        if len(all_ks) == 1:
            axes.set_xlim(all_ks[0] - 1, all_ks[0] + 1)
        axes.set_xticks(all_ks, [str(k) for k in all_ks])
        axes.set_xlabel("k")
        axes.set_ylabel("pass@k")
        axes.set_ylim(0, 1.02)
        _legend(figure, len(curves))
        return _finish(figure, "pass_at_k", "pass@k (95% bootstrap interval over problems)", png_dir)


def problem_pass_rates(label: str, rates: Sequence[tuple[str, int, int]], png_dir: Path | None) -> Chart:
    """Each problem's pass rate, sorted; hovering a bar names the problem. `rates`: (task_id, passed, n)."""
    ordered = sorted(rates, key=lambda r: (r[1] / r[2], r[0]))
    with _figure(3.0) as figure:
        axes = figure.add_subplot()
        bars = axes.bar(range(len(ordered)), [p / n for _, p, n in ordered], width=1.0, color="#4c72b0")
        tooltips = {}
        for index, (bar, (task_id, passed, n)) in enumerate(zip(bars, ordered, strict=True)):
            bar.set_gid(f"problem-{index}")
            tooltips[f"problem-{index}"] = f"{task_id}: {passed}/{n} passed"
        axes.set_xlim(-0.5, len(ordered) - 0.5)
        axes.set_ylim(0, 1.0)
        axes.set_xticks([])
        axes.set_xlabel(f"{len(ordered)} problems, sorted by pass rate (hover a bar for its task id)")
        axes.set_ylabel("pass rate")
        return _finish(figure, "problem_pass_rates", f"Per-problem pass rate — {label}", png_dir, tooltips)


def counts_by_run(
    name: str, title: str, counts: Sequence[tuple[str, Counter[str]]], png_dir: Path | None, *, limit: int = 15
) -> Chart | None:
    """Horizontal bars of the most common keys (over all runs), one bar per run; None when nothing was counted."""
    total: Counter[str] = Counter()
    for _, counter in counts:
        total.update(counter)
    keys = [key for key, _ in total.most_common(limit)][::-1]
    if not keys:
        return None
    height = 0.8 / len(counts)
    with _figure(0.6 + 0.28 * len(keys) * max(1, len(counts) // 2 + 1)) as figure:
        axes = figure.add_subplot()
        positions = np.arange(len(keys), dtype=np.float64)
        for index, (label, counter) in enumerate(counts):
            offset = ((len(counts) - 1) / 2 - index) * height  # the first run on top
            axes.barh(positions + offset, [counter.get(k, 0) for k in keys], height=height, label=label)
        axes.set_yticks(positions, keys)
        axes.set_xlabel("samples")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        _legend(figure, len(counts))
        return _finish(figure, name, title, png_dir)


def distribution(
    name: str, title: str, xlabel: str, values: Sequence[tuple[str, npt.NDArray[np.float64]]], png_dir: Path | None
) -> Chart | None:
    """Histograms (log-spaced bins when the values span more than two decades); None when there are no values."""
    present = [(label, v[v > 0]) for label, v in values if np.count_nonzero(v > 0)]
    if not present:
        return None
    everything = np.concatenate([v for _, v in present])
    low, high = float(everything.min()), float(everything.max())
    logarithmic = high / low > 100
    bins = np.geomspace(low, high, 40) if logarithmic else np.linspace(low, high if high > low else low + 1, 40)
    with _figure(2.8) as figure:
        axes = figure.add_subplot()
        for label, v in present:
            axes.hist(v, bins=list(bins), histtype="step" if len(present) > 1 else "bar", linewidth=1.5, label=label)
        if logarithmic:
            axes.set_xscale("log")
        axes.set_xlabel(xlabel)
        axes.set_ylabel("samples")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        _legend(figure, len(present))
        return _finish(figure, name, title, png_dir)


def problem_changes(name: str, title: str, changes: Sequence[tuple[str, float, float]], png_dir: Path | None) -> Chart:
    """Each shared problem's change in pass rate (other − base), sorted; hovering names the problem."""
    ordered = sorted(changes, key=lambda c: (c[2] - c[1], c[0]))
    with _figure(3.0) as figure:
        axes = figure.add_subplot()
        deltas = [other - base for _, base, other in ordered]
        colors = ["#c44e52" if d < 0 else "#55a868" if d > 0 else "#999999" for d in deltas]
        bars = axes.bar(range(len(ordered)), deltas, width=1.0, color=colors)
        tooltips = {}
        for index, (bar, (task_id, base, other)) in enumerate(zip(bars, ordered, strict=True)):
            bar.set_gid(f"change-{index}")
            tooltips[f"change-{index}"] = f"{task_id}: {base:.0%} → {other:.0%}"
        axes.axhline(0, color="black", linewidth=0.8)
        axes.set_xlim(-0.5, len(ordered) - 0.5)
        axes.set_ylim(-1.02, 1.02)
        axes.set_xticks([])
        axes.set_xlabel(f"{len(ordered)} shared problems, sorted by change (hover a bar for its task id)")
        axes.set_ylabel("change in pass rate")
        return _finish(figure, name, title, png_dir, tooltips)
