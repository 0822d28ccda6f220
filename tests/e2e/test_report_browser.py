"""The report page in a real headless Chromium (Debian's, driven by Playwright): it renders, every chart is
visible, hover titles name problems, model text stays text, nothing is fetched, the console stays silent."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest

from sigil_eval.metrics.report import Tally
from sigil_eval.records import CrateTaskResult, RunSetting
from sigil_eval.report.crate_page import write_crate_report
from sigil_eval.report.page import write_report
from sigil_eval.report.runs import summary_path

from ..integration.test_report_page import HOSTILE, result, write_results

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI installs Chromium (.ci/run): there a missing browser is a red test, not a skip that hides the install step
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("no Chromium (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

# the probe's flags: as root Chromium needs --no-sandbox; the rest keep it off this machine's closed network
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def browsing(page_path: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    """The page open in Chromium, with what its console said and what it requested; both checked after: the
    console silent, nothing fetched (the page is whole)."""
    assert CHROMIUM is not None, "CI must install Chromium (apt-get install chromium)"
    console: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
            page.on("request", lambda request: requests.append(request.url))
            page.on("dialog", lambda dialog: console.append(f"dialog: {dialog.message}"))
            page.goto(page_path.as_uri(), wait_until="load")
            yield page, console, requests
        finally:
            browser.close()
    assert console == []
    assert requests == [page_path.as_uri()]


def test_page_renders_in_chromium(tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CI must install Chromium (apt-get install chromium)"
    base = write_results(tmp_path / "base_results.jsonl", {f"T/{i}": (i % 6, 5) for i in range(40)})
    hostile = msgspec.json.encode(result("T/0", 999, False, error_type="runtime_error", stderr=HOSTILE))
    base.write_bytes(hostile + b"\n" + base.read_bytes())
    other = write_results(tmp_path / "other_results.jsonl", {f"T/{i}": ((i + 2) % 6, 5) for i in range(40)})
    setting = RunSetting(rustc_version="rustc 1.95.0 (59807616e 2026-04-14)", problem_set_sha256="a0" * 32)
    for run in (base, other):  # two sha256 columns: the widest headline
        summary_path(run).write_bytes(msgspec.json.encode(Tally().report([], setting=setting)))
    page_path = tmp_path / "report.html"
    write_report([base, other], page_path)

    with browsing(page_path) as (page, _, _):
        assert page.title().startswith("sigil-eval report")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page is wider than the window: {width}"
        assert "pass@1" in page.locator("#headline + table").inner_text()
        figures = page.locator("figure svg")
        names = page.locator("figure").evaluate_all("figures => figures.map(f => f.id)")
        assert names == [
            "chart-pass_at_k",
            "chart-problem_pass_rates",
            "chart-changes_1",
            "chart-error_types",
            "chart-compile_time",
            "chart-code_size",
        ]
        for index in range(figures.count()):
            svg = figures.nth(index)
            svg.scroll_into_view_if_needed()
            box = svg.bounding_box()
            assert svg.is_visible() and box is not None
            assert box["width"] > 400 and box["height"] > 150, (names[index], box)
            # drawn marks, not an empty frame: paths with a computed fill or stroke
            marks = svg.evaluate("s => s.querySelectorAll('path, use, rect').length")
            assert marks > 10, names[index]

        bars = page.locator("#chart-problem_pass_rates svg g[id^='problem_pass_rates-problem-'] > title")
        assert bars.count() == 40
        assert sorted(bars.all_text_contents())[0].startswith("T/")

        first = page.locator("#problems ~ table details").first
        first.locator("summary").click()
        stderr = first.locator("pre")
        assert stderr.is_visible()
        assert "<script>console.error('escaped?')</script>" in stderr.inner_text()
        assert page.locator("img").count() == 0 and page.locator("script").count() == 0

        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)


def test_crate_task_page_renders_in_chromium(tmp_path: Path) -> None:
    """The crate-task page: headline, charts, and the task table with failing tests and an escaped stderr."""
    rows = []
    for i in range(12):
        for j in range(3):
            passed = (i + j) % 4 == 0
            failing = [] if passed else [f"case_{k}" for k in range(i % 5 + 1)]
            rows.append(
                CrateTaskResult(
                    task_id=f"exercise-{i}",
                    completion="",
                    sample_index=len(rows),
                    completion_id=j,
                    passed=passed,
                    compile_ok=i != 3,
                    error_type=None if passed else "compile_error" if i == 3 else "assertion_failure",
                    result="passed" if passed else "failed: compile_error",
                    tests_passed=["ok"] if i != 3 else [],
                    tests_failed=failing if i != 3 else [],
                    tests_total=(1 + len(failing)) if i != 3 else 0,
                    stderr=HOSTILE if i == 3 else "",
                )
            )
    results = tmp_path / "crates_results.jsonl"
    results.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in rows))
    page_path = tmp_path / "crates.html"
    write_crate_report(results, page_path)
    with browsing(page_path) as (page, _, _):
        assert "crate tasks" in page.title()
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page is wider than the window: {width}"
        assert "tests passed" in page.locator("#headline + table").inner_text()
        assert page.locator("figure svg").count() == 2 and all(
            (box := svg.bounding_box()) is not None and box["width"] > 400 for svg in page.locator("figure svg").all()
        )
        table = page.locator("#tasks ~ table").first
        assert table.locator("tr").count() == 13
        failing = table.locator("tr", has_text="exercise-4").inner_text()
        assert "case_0 3" in failing or "case_0 2" in failing
        broken = table.locator("tr", has_text="exercise-3")
        broken.locator("summary").click()
        assert "<script>console.error('escaped?')</script>" in broken.locator("pre").inner_text()
        assert page.locator("script").count() == 0
