"""The fixed resource limits of a job and the uids test binaries run as, named once.

The limits a user may change are `EvalOptions` fields (`timeout`, `compile_memory`, `run_memory`,
`run_processes`, `output_cap`); these are the rest. The uid policy: when the evaluator runs as root (and
`setpriv` exists), worker slot N runs its isolated test binaries as `run_uid(N)` and its batch harness's children
as uids from `harness_uid_base(N)` up (one per concurrently running child), so no test binary shares a uid with
the evaluator, another slot, or a concurrently running neighbour; otherwise they run as the evaluator's own uid.
"""

from __future__ import annotations

import math

RUN_UID_BASE = 61000

# the crate and binary every compile writes, and the code generation they are built with (fast to compile; the
# harness crates are built optimised, see `cargo_cache.warm`)
BINARY_NAME = "prog"
CODEGEN_FLAGS = ("-C", "opt-level=0", "-C", "debuginfo=0", "--error-format=json")
HARNESS_UIDS_PER_SLOT = 64

# compiling
COMPILE_FILE_SIZE = 256 << 20  # bytes a compiler may write per file, one sample
BATCH_COMPILE_FILE_SIZE = 1 << 30  # … for a batch crate (its binary holds every member)
COMPILE_OUTPUT_CAP = 1 << 20  # bytes of diagnostics kept, one sample
BATCH_COMPILE_OUTPUT_CAP = 32 << 20  # … for a batch crate
PROBE_FILE_SIZE = 1 << 20  # the start-up probe of the sandbox

# running tests
TEST_FILE_SIZE = 16 << 20  # bytes a test binary may write per file (in its scratch dir)
CHILDREN_PER_HARNESS = 2  # batch members the harness runs at once
CHILD_OUTPUT_CAP = 8 << 10  # bytes of a batch member's output kept (the tail a result shows)
HARNESS_CPU_SECONDS = 600  # the batch harness process itself; each child has the per-sample budget
HARNESS_OUTPUT_CAP = 64 << 20  # the harness's record stream


def run_uid(slot: int) -> int:
    """The uid of worker slot `slot`'s isolated test binaries."""
    return RUN_UID_BASE + slot


def harness_uid_base(slot: int) -> int:
    """The first uid of worker slot `slot`'s batch harness children (`HARNESS_UIDS_PER_SLOT` of them)."""
    return RUN_UID_BASE + 1000 + slot * HARNESS_UIDS_PER_SLOT


def cpu_limit(seconds: float) -> int:
    """RLIMIT_CPU (whole seconds, at least one) for a CPU budget in seconds: rounded up, never down."""
    return max(1, math.ceil(seconds))


def wall_backstop(budget_s: float) -> float:
    """Wall-clock limit for a CPU budget: generous, so a loaded machine does not turn a pass into a timeout."""
    return 2 * budget_s + 2
