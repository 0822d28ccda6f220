"""`sigil-eval serve`: the service on uvicorn. Loopback by default; any other address needs a bearer token,
read from the environment variable `--token-env` names (never from the command line, where `ps` shows it)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys

import structlog

from sigil_eval.cli.flags import ShowDefaults, add_option_flags, options_from_args
from sigil_eval.engine.evaluator import Evaluator
from sigil_eval.errors import InputError
from sigil_eval.extras import require_extra

log = structlog.get_logger("sigil_eval")


def add_serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve", help="verdicts and rewards over HTTP, batched across requests", formatter_class=ShowDefaults
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (anything but loopback needs a token)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--problems", help="problem set (default: the built-in set)")
    serve.add_argument("--token-env", help="environment variable holding the bearer token clients must send")
    serve.add_argument("--max-queue", type=int, default=20_000, help="samples accepted and not yet judged (then 429)")
    serve.add_argument(
        "--fifo", action="store_true", help="judge requests' samples first-in first-out (default: requests in turn)"
    )
    serve.add_argument(
        "--reward",
        choices=["pass", "fraction"],
        default="pass",
        help="/get_reward: 1.0 for a pass (plus --compile-credit), or the share of a problem's cases passed",
    )
    serve.add_argument("--max-request-bytes", type=int, default=32 << 20, help="request body limit (then 413)")
    serve.add_argument(
        "--compile-credit",
        type=float,
        default=0.0,
        help="/get_reward: reward of a sample that compiles but fails its tests (partial credit; default none)",
    )
    add_option_flags(serve)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def service_token(args: argparse.Namespace) -> str | None:
    token = None
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            raise InputError(f"--token-env {args.token_env}: that environment variable is not set or empty")
    if token is None and not is_loopback(args.host):
        raise InputError(
            f"serving on {args.host} runs untrusted code for anyone who can reach it: set a bearer token with "
            "--token-env VAR (or bind 127.0.0.1)"
        )
    return token


async def serve_command(args: argparse.Namespace) -> int:
    require_extra("serve", "sigil-eval serve")
    import uvicorn

    from sigil_eval.service.app import QuietServer, ServiceLimits, create_app, open_pool

    token = service_token(args)
    limits = ServiceLimits(
        max_pending=args.max_queue,
        max_request_bytes=args.max_request_bytes,
        compile_credit=args.compile_credit,
        fair=not args.fifo,
        reward=args.reward,
    )
    evaluator = Evaluator(args.problems, options_from_args(args))
    async with open_pool(evaluator, limits) as pool:
        config = uvicorn.Config(
            create_app(pool, token=token, limits=limits),
            host=args.host,
            port=args.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=60,  # requests in flight finish; new connections are refused meanwhile
        )
        server = QuietServer(config)
        print(
            f"sigil-eval: serving {evaluator.problem_set.name} on http://{args.host}:{args.port} "
            f"({'bearer token required' if token else 'no token: loopback only'})",
            file=sys.stderr,
            flush=True,
        )
        await server.serve()
    return 0
