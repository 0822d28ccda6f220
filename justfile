# sigil-eval tasks. Each recipe bootstraps .venv when it is missing.
set shell := ["bash", "-euo", "pipefail", "-c"]

venv := ".venv"
py := venv + "/bin/python"

# Create .venv and install sigil-eval with its dev tools (only when missing or stale).
bootstrap:
    @if [ ! -x {{py}} ] || [ pyproject.toml -nt {{venv}}/.installed ]; then \
        python3 -m venv {{venv}} && \
        {{py}} -m pip install -q --upgrade pip && \
        {{py}} -m pip install -q -e '.[dev]' && \
        touch {{venv}}/.installed; \
    fi

# Warm the crate cache, then evaluate the built-in HumanEval-Rust set's reference solutions plus a few wrong
# answers, and print the metrics.
demo: bootstrap
    {{venv}}/bin/sigil-eval warm
    {{venv}}/bin/sigil-eval dataset samples --out build/demo/samples.jsonl
    {{venv}}/bin/sigil-eval build/demo/samples.jsonl --out build/demo/results.jsonl --timeout 3

# The whole test suite (real rustc, real firejail).
test: bootstrap
    {{venv}}/bin/sigil-eval warm
    {{py}} -m pytest -q

# The fast tier: pure functions (cleaning, parsing, routing rules, the oracle's comparisons, protocols), no toolchain.
test-fast: bootstrap
    {{py}} -m pytest -q -m "fast and not toolchain"

# Throughput benchmarks (not part of the tests).
bench: bootstrap
    {{venv}}/bin/sigil-eval warm
    {{py}} bench/run.py

# ruff + mypy.
lint: bootstrap
    {{venv}}/bin/ruff check sigil_eval tests bench
    {{venv}}/bin/ruff format --check sigil_eval tests bench
    {{venv}}/bin/mypy
