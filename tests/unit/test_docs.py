"""The docs, checked: every repository path the README and docs/ name exists, every link between pages lands on
a page, and measurements of speed and memory live on one page (`docs/benchmarks.md`), each section dated, not
scattered where they go stale (the README says only about how long its own commands take)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# a path-like token in backticks: `tests/unit/test_docs.py`, `runner/harness.rs`, `docs/`, `sigil_eval/cli/`
PATH = re.compile(r"`([\w.-]+(?:/[\w.-]+)*/?\.?[\w-]*)`")
FILE_SUFFIXES = (".py", ".rs", ".md", ".toml", ".jsonl", ".sh")
# where a path may be rooted: the repository, or the package (`runner/harness.rs`)
ROOTS = (ROOT, ROOT / "sigil_eval")
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[\w-]+)?\)")
MEASUREMENT = re.compile(r"\b\d[\d,.]*\s*(?:samples/s|lines/s|MiB|KiB|GiB)\b|\bp(?:50|99) \d")


def named_paths(text: str) -> set[str]:
    paths = set()
    for token in PATH.findall(text):
        looks_like_file = token.endswith(FILE_SUFFIXES) and "/" in token
        looks_like_dir = token.endswith("/") and token.count("/") >= 1 and not token.startswith(("~", "/"))
        if (looks_like_file or looks_like_dir) and not token.startswith(("~", "/", ".")) and "<" not in token:
            paths.add(token)
    return paths


def test_every_repository_path_the_docs_name_exists() -> None:
    missing = []
    for page in PAGES:
        for path in named_paths(page.read_text()):
            if not any((root / path).exists() for root in ROOTS):
                missing.append(f"{page.relative_to(ROOT)}: {path}")
    assert missing == []


def test_the_path_check_sees_a_missing_path() -> None:
    named = named_paths("see `tests/test_gone.py` and `runner/batched.py`")
    assert named == {"tests/test_gone.py", "runner/batched.py"}
    assert not any((root / "runner/batched.py").exists() for root in ROOTS)


def test_links_between_pages_land_on_a_page() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text()):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_measurements_live_only_on_the_benchmarks_page() -> None:
    elsewhere = []
    for page in PAGES:
        if page.name == "benchmarks.md":
            continue
        for number, line in enumerate(page.read_text().splitlines(), 1):
            if MEASUREMENT.search(line):
                elsewhere.append(f"{page.relative_to(ROOT)}:{number}: {line.strip()}")
    assert elsewhere == []
    assert MEASUREMENT.search("judged 84 samples/s") and MEASUREMENT.search("peak RSS 60.4 MiB")


def test_the_readme_is_a_front_door() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 170


def test_every_measurement_is_dated() -> None:
    sections = re.split(r"(?m)^## ", (ROOT / "docs" / "benchmarks.md").read_text())[1:]
    undated = [section.splitlines()[0] for section in sections if not re.search(r"\b20\d\d-\d\d-\d\d\b", section)]
    assert sections and undated == []
