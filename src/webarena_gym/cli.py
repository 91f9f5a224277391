"""The ``webarena-gym`` command: doctor, login, serve, tasks, demos.

A front end over the core and the sandbox. The sandbox (its sites, servers and task templates)
is imported only by the commands that use it (serve, tasks, demos), so that ``doctor`` and
``login`` (for a WebArena deployment) neither load nor depend on it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

from webarena_gym.browser import BrowserRuntime, ChromiumNotFoundError, find_chromium
from webarena_gym.commandline import add_debug, add_sites, run_command
from webarena_gym.login import LoginError, write_login_states
from webarena_gym.tasks import SITE_ENV_VARS, site_urls_from_env, webarena_lite_config_path


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print which Chromium is used and whether it launches; exit 1 when none works."""
    print(f"python        {platform.python_version()} ({sys.executable})")
    for dist in ("webarena-gym", "gymnasium", "playwright", "lxml"):
        print(f"{dist:<13} {_version(dist)}")
    ok = True
    try:
        choice = find_chromium(args.executable_path)
    except ChromiumNotFoundError as exc:
        print(f"chromium      NOT FOUND\n\n{exc}")
        return 1
    print(f"chromium      {choice.path} (found via {choice.source})")
    runtime = BrowserRuntime(choice.path)
    runtime.acquire()
    try:
        version = runtime.run(_browser_version(runtime), timeout=60)
        print(f"launch        ok, {version}")
    except Exception as exc:  # noqa: BLE001 - report any launch failure
        ok = False
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"launch        FAILED: {first}")
        print("              Try `python -m playwright install --with-deps chromium`, or set")
        print("              WEBARENA_GYM_CHROMIUM to a working Chromium/Chrome binary.")
    finally:
        runtime.release()
    urls = site_urls_from_env()
    for site, var in SITE_ENV_VARS.items():
        print(f"{var:<18} {urls.get(site, '(unset)')}")
    try:
        print(f"webarena-lite configs  {webarena_lite_config_path()}")
    except FileNotFoundError:
        print("webarena-lite configs  (not found: pip install browsergym-webarenalite, or set "
              "WEBARENA_LITE_CONFIG)")
    return 0 if ok else 1


async def _browser_version(runtime) -> str:  # type: ignore[no-untyped-def]
    browser = await runtime.get_browser()
    return f"{browser.browser_type.name} {browser.version}"


def cmd_login(args: argparse.Namespace) -> int:
    """Write WebArena login storage states for the sites whose WA_* variables are set."""
    urls = site_urls_from_env()
    try:
        written = write_login_states(urls, args.auth_dir, args.sites)
    except LoginError as exc:
        print(f"login failed: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)
)
"""The signals that stop ``webarena-gym serve`` cleanly (exit status 0)."""


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` on SIGINT or SIGTERM while the block runs; restore the old handlers after.

    The handlers are installed explicitly because a shell without job control (``cmd &`` in
    a script, CI) starts background commands with SIGINT ignored, and Python then installs no
    KeyboardInterrupt handler: Ctrl-C, or ``kill -INT``, would do nothing. A second signal
    while shutting down ends the process at once, as the signal's default action would.
    Outside the main thread (where Python allows no handlers) nothing is installed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            stop.set()
            return
        signal.signal(signum, signal.SIG_DFL)  # the shutdown hangs: stop the hard way
        os.kill(os.getpid(), signum)

    previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the sandbox sites standalone until Ctrl-C, SIGINT or SIGTERM (read-only data
    without a tenant), with the control API that ``SandboxEnv(sandbox_url=...)`` uses; the
    sites are stopped and the exit status is 0."""
    # Lazy: only the sandbox's commands load the sandbox (see the module docstring).
    from webarena_gym.sandbox.host import CONTROL_PORT_OFFSET, SandboxHostError, serve

    control_port = args.control_port
    if control_port is None:
        control_port = args.port_base + CONTROL_PORT_OFFSET if args.port_base else 0
    if control_port < 0:
        print("serve failed: --control-port must be a port number (0: an ephemeral port)",
              file=sys.stderr)
        return 2
    stop = threading.Event()
    with stop_on_signals(stop):
        try:
            serve(args.sites, host=args.host, port_base=args.port_base or None, seed=args.seed,
                  control_port=control_port, tenant_idle_s=args.tenant_idle_s,
                  max_tenants=args.max_tenants, stop_event=stop)
        except SandboxHostError as exc:
            print(f"serve failed: {exc}", file=sys.stderr)
            return 1
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    """List, show or export the sandbox's tasks (WebArena-schema JSON)."""
    # Lazy: only the sandbox's commands load the sandbox (see the module docstring).
    from webarena_gym.sandbox.templates import SplitError, load_split, template

    try:
        configs = load_split(args.split, sites=args.sites, seed=args.seed, n=args.num_tasks)
    except SplitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.action == "list":
        difficulties: dict[str, str] = {}
        for config in configs:
            kind = config["intent_template_id"]
            if kind not in difficulties:
                try:
                    difficulties[kind] = template(kind).difficulty
                except KeyError:
                    difficulties[kind] = "?"
            difficulty = difficulties[kind]
            evals = "+".join(config["eval"]["eval_types"])
            print(f"{config['task_id']:<48} {difficulty:<6} {evals:<24} {config['intent']}")
        print(f"{len(configs)} tasks", file=sys.stderr)
    elif args.action == "show":
        wanted = [c for c in configs if str(c["task_id"]) == args.task_id]
        if not wanted:
            print(f"error: no task {args.task_id!r} in split {args.split}", file=sys.stderr)
            return 2
        print(json.dumps(wanted[0], indent=2))
    else:
        text = json.dumps(configs, indent=1)
        if args.out:
            Path(args.out).write_text(text + "\n")
            print(f"wrote {len(configs)} tasks to {args.out}", file=sys.stderr)
        else:
            print(text)
    return 0


def cmd_demos(args: argparse.Namespace) -> int:
    """Run the oracle on a split and write one trajectory per line."""
    # Lazy: only the sandbox's commands load the sandbox (see the module docstring).
    from webarena_gym.sandbox.demonstrations import write_demos

    def progress(trajectory) -> None:  # type: ignore[no-untyped-def]
        mark = "solved" if trajectory.reward == 1.0 else "FAILED"
        extra = f" ({trajectory.error})" if trajectory.error else ""
        print(f"{mark} {trajectory.num_steps:>2} steps {trajectory.task_id}{extra}",
              file=sys.stderr)

    total, solved = write_demos(args.split, args.out, sites=args.sites, n=args.num_tasks,
                                seed=args.seed, max_episode_steps=args.max_episode_steps,
                                num_envs=args.num_envs, progress=progress)
    print(f"{total} tasks, {solved} solved")
    return 0 if solved == total else 1


SEED_HELP = "the run's seed: the sandbox's site data, hence its tasks (default 0)"
# Not argparse choices: the names live in the sandbox, which this module loads only when a
# command needs it; load_split names the valid splits when one is unknown.
SPLIT_HELP = "a sandbox split: train, test, test_unseen, easy_train, easy_test, easy_test_unseen"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``webarena-gym``."""
    parser = argparse.ArgumentParser(prog="webarena-gym", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    doctor = sub.add_parser("doctor", help="check the Chromium set-up and the WebArena variables")
    doctor.add_argument("--executable-path", default=None, help="a Chromium binary to check")
    doctor.set_defaults(func=cmd_doctor)
    login = sub.add_parser("login", help="write WebArena login states (auth_dir) for WA_* sites")
    login.add_argument("--auth-dir", default=os.environ.get("WEBARENA_GYM_AUTH_DIR", ".auth"))
    add_sites(login, "default: every site with a URL")
    login.set_defaults(func=cmd_login)
    serve = sub.add_parser("serve", help="serve the sandbox sites for a person to browse and "
                                         "for envs elsewhere (until Ctrl-C, SIGINT or SIGTERM)")
    add_sites(serve, "default: every sandbox site")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port-base", type=int, default=7770,
                       help="site ports are N + offset (shopping N, shopping_admin N+1); "
                            "0 for ephemeral ports")
    serve.add_argument("--seed", type=int, default=0, help=SEED_HELP)
    serve.add_argument("--control-port", type=int, default=None,
                       help="port of the control API that SandboxEnv(sandbox_url=...) and "
                            "WEBARENA_GYM_SANDBOX_URL point to (default: port base + 9, 7779; "
                            "ephemeral with --port-base 0); envs' browsers never reach it")
    serve.add_argument("--tenant-idle-s", type=float, default=None,
                       help="drop an env's tenant (its data) after this many seconds without "
                            "use, for envs that die without close() (default 1800)")
    serve.add_argument("--max-tenants", type=int, default=None,
                       help="refuse new envs beyond this many live tenants (default 256)")
    serve.set_defaults(func=cmd_serve)
    tasks = sub.add_parser("tasks", help="list, show or export the sandbox tasks of a split")
    tasks.add_argument("action", choices=["list", "show", "export"])
    tasks.add_argument("task_id", nargs="?", help="for show: the task id")
    tasks.add_argument("--split", default="test", help=SPLIT_HELP)
    add_sites(tasks, "only tasks within these sites (default: all)")
    tasks.add_argument("--seed", type=int, default=0, help=SEED_HELP)
    tasks.add_argument("--num-tasks", type=int, default=None,
                       help="at most N tasks (train: default 1000)")
    tasks.add_argument("--out", default=None, help="for export: a file instead of stdout")
    tasks.set_defaults(func=cmd_tasks)
    demos = sub.add_parser("demos", help="run the oracle on a split, write trajectories (JSONL)")
    demos.add_argument("--split", default="train", help=SPLIT_HELP)
    add_sites(demos, "only tasks within these sites (default: all)")
    demos.add_argument("--seed", type=int, default=0, help=SEED_HELP)
    demos.add_argument("--num-tasks", type=int, default=None,
                       help="at most N tasks (train: default 1000)")
    demos.add_argument("--max-episode-steps", type=int, default=30, help="actions per episode")
    demos.add_argument("--num-envs", type=int, default=1,
                       help="episodes run concurrently on one browser (the same "
                            "trajectories for any value, ports aside)")
    demos.add_argument("--out", required=True, help="the JSONL file to write")
    demos.set_defaults(func=cmd_demos)
    for command in sub.choices.values():
        add_debug(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``webarena-gym`` console script: an error is one line (``--debug``
    shows the traceback)."""
    def run(args: list[str]) -> int:
        parsed = build_parser().parse_args(args)
        return int(parsed.func(parsed))

    return run_command(run, argv, "webarena-gym")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
