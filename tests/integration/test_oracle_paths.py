"""Out-of-process judging with the real toolchain: the two runner paths agree on oracle problems."""

from __future__ import annotations

from ..helpers import judge, requires_firejail
from ..unit.test_oracle import CASES_PROBLEM, FORGE, STATS


@requires_firejail
def test_both_paths_judge_recorded_cases_alike() -> None:
    samples = [
        {"task_id": "C/stats", "completion": STATS, "completion_id": "right"},
        {"task_id": "C/stats", "completion": STATS.replace('"min"', '"mn"'), "completion_id": "wrong key"},
        {"task_id": "C/stats", "completion": STATS.replace("as f64 /", "as f64 + 0.5 /"), "completion_id": "off"},
        {"task_id": "C/stats", "completion": "    panic!()\n}\n", "completion_id": "panics"},
        {"task_id": "C/stats", "completion": "    std::process::exit(0)\n}\n", "completion_id": "exits"},
        {  # writes the right records where it guesses the channel is, then stops: no channel is reachable
            # by name (the isolated one is named after the nonce, in a dir it cannot list; /proc/self/fd is
            # closed to a non-dumpable process), and stopping early is no pass
            "task_id": "C/stats",
            "completion": FORGE + "    std::process::exit(0)\n}\n",
            "completion_id": "forges then exits",
        },
        {"task_id": "C/stats", "completion": FORGE + STATS, "completion_id": "forges, then right"},
        {
            "task_id": "C/stats",
            "completion": FORGE + "    (0.0, HashMap::new())\n}\n",
            "completion_id": "forges, then wrong",
        },
    ]
    verdicts = {}
    for mode in ("batched", "isolated"):
        results = judge(samples, {"C/stats": CASES_PROBLEM}, mode=mode, clippy="off", workers=2)
        verdicts[mode] = {str(r.completion_id): (r.passed, r.error_type) for r in results}
    assert verdicts["batched"] == verdicts["isolated"]
    assert verdicts["batched"] == {
        "right": (True, None),
        "wrong key": (False, "assertion_failure"),
        "off": (False, "assertion_failure"),
        "panics": (False, "assertion_failure"),
        "exits": (False, "early_exit"),
        "forges then exits": (False, "early_exit"),
        "forges, then right": (True, None),  # the forged records reached nothing: its own values decided
        "forges, then wrong": (False, "assertion_failure"),
    }
