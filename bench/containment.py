"""What one compile blow-up costs a batched run: the 164 built-in reference solutions plus one sample whose
macro expansion never ends, against the same run without it.

    python bench/containment.py [--repeat 3] [--sigil-path DIR]

Each run is a fresh process measured with wait4(2) (CPU of the evaluator and everything it started). Prints
wall and CPU, the blow-up's verdict and how many samples were judged alone and why (the report's
`routed_isolated`). `--sigil-path` runs another checkout of sigil-eval (its directory is put first on
PYTHONPATH), to compare containment strategies side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import _measure

BLOWUP = (
    "    macro_rules! blow { () => {}; ($x:tt $($r:tt)*) => { blow!($($r)*); blow!($($r)*); }; }\n"
    "    blow!(a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f);\n    true\n}\n"
)
JUDGE = """
import json, sys, anyio, sigil_eval
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set
problems = load_problem_set(get_human_eval_dataset())
samples = [{"task_id": p.task_id, "completion": p.canonical_solution} for p in problems.problems.values()]
if sys.argv[1] == "with":
    samples.append({"task_id": "HumanEval/0", "completion": sys.argv[2]})
async def main():
    return await sigil_eval.evaluate(samples, problems, workers=2, reuse_verdicts=False)
report = anyio.run(main)
json.dump({"passed": report.per_problem and sum(t.passed for t in report.per_problem.values()),
           "errors": report.error_types, "alone": report.routed_isolated}, open(sys.argv[3], "w"))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sigil-path", type=Path, help="another checkout of sigil-eval to run instead")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.sigil_path:
        env["PYTHONPATH"] = f"{args.sigil_path.resolve()}:{env.get('PYTHONPATH', '')}"
    os.environ.update(env)
    print(f"164 reference solutions (workers 2, batch timeout as shipped), median of {args.repeat} [min-max]")
    for variant in ("without", "with"):
        walls, cpus, outcome = [], [], {}
        for _ in range(args.repeat):
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                # -P: import sigil-eval from PYTHONPATH or the installed one, not from the working directory
                measured, code = _measure([sys.executable, "-P", "-c", JUDGE, variant, BLOWUP, out.name])
                assert code == 0, "the evaluation failed"
                outcome = json.loads(Path(out.name).read_text())
            walls.append(measured.wall)
            cpus.append(measured.cpu_s)
        label = f"{variant} the blow-up"
        print(
            f"  {label:<18} wall {statistics.median(walls):6.1f} s [{min(walls):.1f}-{max(walls):.1f}]"
            f"   CPU {statistics.median(cpus):6.1f} s [{min(cpus):.1f}-{max(cpus):.1f}]"
            f"   passed {outcome['passed']}   errors {outcome['errors']}   judged alone {outcome['alone']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
