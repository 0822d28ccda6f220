# sigil-eval tasks: run them as `./dev RECIPE` (it sets up what a fresh machine lacks, then runs `just`).
set shell := ["bash", "-euo", "pipefail", "-c"]

venv := ".venv"
py := venv + "/bin/python"

# Set up the machine and .venv (what ./dev does before every recipe; here for a `just` run directly).
bootstrap:
    @./dev --version >/dev/null

# Warm the crate cache, then evaluate the built-in HumanEval-Rust set's reference solutions plus a few wrong
# answers, and print the metrics.
demo: bootstrap
    {{venv}}/bin/sigil-eval warm
    {{venv}}/bin/sigil-eval dataset samples --out build/demo/samples.jsonl
    {{venv}}/bin/sigil-eval build/demo/samples.jsonl --out build/demo/results.jsonl --timeout 3

# Everything CI checks: lint, the fast tier, the demo (the README's first command), the whole suite.
ci: lint test-fast demo test

# The whole test suite (real rustc, real firejail, real servers): about 11 minutes on 2 cores.
test: bootstrap
    {{venv}}/bin/sigil-eval warm
    {{py}} -m pytest -q

# The fast tier, tests/unit/: pure functions and the evaluator over a fake executor, no toolchain (about 15 s).
test-fast: bootstrap
    {{py}} -m pytest -q -m fast

# Throughput benchmarks (not part of the tests).
bench: bootstrap
    {{venv}}/bin/sigil-eval warm
    {{py}} bench/run.py

# ruff + mypy.
lint: bootstrap
    {{venv}}/bin/ruff check sigil_eval tests bench
    {{venv}}/bin/ruff format --check sigil_eval tests bench
    {{venv}}/bin/mypy
