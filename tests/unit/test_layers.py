"""The package's layers, pinned: every import points down the pipeline, the job seam does not import what runs
jobs, and the `rewards` and `data` surfaces are decisions, not side effects."""

from __future__ import annotations

import ast
from pathlib import Path

import sigil_eval
from sigil_eval import data, rewards

PACKAGE = Path(sigil_eval.__file__).parent

# Lowest first: a module may import only from a layer below its own (or from its own package).
LAYERS: list[set[str]] = [
    {"errors"},
    {"records", "options", "extras", "tool_paths", "crates.task"},
    {"program", "cargo_cache"},
    {"inputs", "crates", "crates.answer", "crates.route", "crates.mutants"},
    {"outputs", "metrics", "generation", "datasets.demo"},
    {"runner", "datasets.humaneval", "report", "crates.warm"},
    {"distributed", "crates.harnessed", "crates.cargo_build"},
    {"crates.run", "crates.prebuilt"},
    {"crates.context"},
    {"crates.judge"},
    {"crates.workspace"},
    {"engine"},
    {"crates.evaluate"},
    {"rewards", "data", "datasets.check"},
    {"service"},
    {"cli", "__init__"},
    {"__main__"},
]
RANK = {unit: rank for rank, layer in enumerate(LAYERS) for unit in layer}

# the seam holds the job types and the executor's protocol; it imports none of what runs a job
SEAM = "sigil_eval.runner.jobs"
RUNS_JOBS = {
    "sigil_eval.runner.local",
    "sigil_eval.runner.isolated",
    "sigil_eval.runner.context",
    "sigil_eval.runner.compile",
    "sigil_eval.runner.process",
    "sigil_eval.runner.batch.run",
}


def unit_of(module: str) -> str:
    """The layer unit of a dotted module name: its top-level package, or `datasets.<sub>` / `crates.<sub>`."""
    parts = module.split(".")[1:] or ["__init__"]
    if parts[0] in ("datasets", "crates") and len(parts) > 1:
        return f"{parts[0]}.{parts[1]}"
    return parts[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 2:
        parts = parts[:-1]  # a subpackage's own module
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every sigil_eval module `path` imports (at module level or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sigil_eval":
                found |= {f"sigil_eval.{alias.name}" for alias in node.names}
            elif node.module.startswith("sigil_eval."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("sigil_eval.")}
    return found


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(module_name(path)) for path in PACKAGE.rglob("*.py") if path.read_text().strip()}
    assert units == set(RANK), "a new package needs its place in LAYERS"


def upward(source: str, targets: set[str]) -> list[str]:
    """The imports of module `source` that point up the layers (or sideways into another unit of its layer)."""
    mine = unit_of(source)
    return [
        f"{source} -> {target}"
        for target in sorted(targets)
        if unit_of(target) != mine and RANK[unit_of(target)] >= RANK[mine]
    ]


def test_imports_point_down_the_layers() -> None:
    found = [arrow for path in sorted(PACKAGE.rglob("*.py")) for arrow in upward(module_name(path), imports(path))]
    assert found == []


def test_the_layer_check_sees_a_back_arrow(tmp_path: Path) -> None:
    """The negative control: the back-arrows this rule removed are caught, read from source as the check reads
    the package (also inside a function)."""
    source = tmp_path / "back.py"
    source.write_text(
        "from sigil_eval.datasets.humaneval.rust_types import RustType\n"
        "def f():\n    from sigil_eval import data\n    import sigil_eval.engine.fingerprint\n"
    )
    found = imports(source)
    assert found == {"sigil_eval.datasets.humaneval.rust_types", "sigil_eval.data", "sigil_eval.engine.fingerprint"}
    assert len(upward("sigil_eval.program.oracle", found)) == 3
    assert upward("sigil_eval.runner.context", {"sigil_eval.engine.fingerprint"}) != []


def test_the_seam_does_not_import_what_runs_jobs() -> None:
    seam = PACKAGE / "runner" / "jobs.py"
    assert imports(seam) & RUNS_JOBS == set()


def test_the_rewards_and_data_surfaces() -> None:
    assert set(rewards.__all__) == {
        "completion_text",
        "judge_rewards",
        "remote_reward",
        "reward_of",
        "trl_reward",
        "verl_compute_score",
    }
    assert set(data.__all__) == {"get_human_eval_dataset", "read_problems", "stream_jsonl", "write_jsonl"}
    for surface in (rewards, data):
        assert all(callable(getattr(surface, name)) for name in surface.__all__)
