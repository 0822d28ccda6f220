"""`sigil-eval serve`: verdicts over HTTP for RL loops, with the samples of concurrent requests judged in shared
batches (needs the `serve` extra: starlette and uvicorn)."""
