"""Hostile inputs (issue 16, items 7-9): action text, task configs and signals.

An RL policy writes whatever text maximises its reward, and configs and shells come from
elsewhere. The parser must answer any text quickly (linear time, a size cap) with an action
or a parse error, never another exception; the config loader must refuse deep nesting and
non-http(s) URLs with its own error; ``webarena-gym serve`` must stop on SIGINT and SIGTERM
even when started with SIGINT ignored, as a shell without job control starts background
commands. No test asserts a duration: pathological inputs run under a generous timeout (a
hang guard), and linearity is checked by counting the function calls the parser makes.
"""

from __future__ import annotations

import ast
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import webarena_gym
from webarena_gym import WebArenaEnv
from webarena_gym.actions import MAX_ACTION_CHARS, Action, ActionParseError, parse_action
from webarena_gym.tasks import TaskConfigError, load_task_configs

MB = 1_000_000

# ast.parse warns about invalid escapes (``"\d"``) in the model's text; not what is tested here.
pytestmark = [
    pytest.mark.filterwarnings("ignore::SyntaxWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

# --------------------------------------------------------------------------------------------
# Item 7: the action parser
# --------------------------------------------------------------------------------------------

ANSWER = '<answer>exit(message="x")</answer>'
_SOUP = "".join(
    random.Random(16).choices(
        ["do(", '"', "'", "(", ")", "\\", "#", "\n", "x", "<answer>", "</think>"], k=3001
    )
)

# name -> text of about n characters (most are far from any valid action).
PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "open parentheses": lambda n: "(" * n,
    "nested parentheses": lambda n: "(" * (n // 2) + ")" * (n // 2),
    "a call of nested parentheses": lambda n: "do(" + "(" * (n // 2) + ")" * (n // 2) + ")",
    "nested calls": lambda n: "do(" * (n // 4) + ")" * (n // 4),
    "nested exit calls": lambda n: "exit(" * (n // 6) + ")" * (n // 6),
    "unclosed calls": lambda n: "do(" * (n // 3),
    "calls then parentheses": lambda n: "do(" * (n // 6) + "(" * (n // 6) + ")" * (n // 3),
    "repeated answers": lambda n: ANSWER * (n // len(ANSWER)),
    "unclosed think tags": lambda n: "<think>" * (n // 7),
    "unclosed answer tags": lambda n: "<answer>" * (n // 8),
    "quotes": lambda n: '"' * n,
    "escaped quotes": lambda n: 'exit(message="' + '\\"' * (n // 2) + '")',
    "quotes then calls": lambda n: '""""do(' * (n // 7),
    "escaped quotes then calls": lambda n: 'do(x=\\"' * (n // 7) + '")',
    "triple quotes": lambda n: 'exit(message="""' + "'''" * (n // 3),
    "comments then calls": lambda n: "#do(" * (n // 8) + "\n" + "x" * (n // 2),
    "calls in comments": lambda n: "do(#\n" * (n // 5),
    "brackets": lambda n: "do(" + "[" * (n // 2) + "]" * (n // 2) + ")",
    "NUL bytes": lambda n: "do(\x00" * (n // 4),
    "lone surrogates": lambda n: 'exit(message="' + "\ud800" * n + '")',
    "long unicode": lambda n: 'exit(message="' + "é漢🙂" * (n // 3) + '")',
    "unary minus": lambda n: 'do(action="Click", element=' + "-" * n + "1)",
    "not chain": lambda n: "exit(message=" + "not " * (n // 4) + "x)",
    "lambda chain": lambda n: "exit(message=" + "lambda:" * (n // 7) + "x)",
    "f-string fields": lambda n: 'exit(message=f"' + "{x}" * (n // 3) + '")',
    "repeated keywords": lambda n: "do(" + "a=1," * (n // 4) + ")",
    "string sums": lambda n: "exit(message=" + '"a"+' * (n // 4) + '"a")',
    "huge number": lambda n: 'do(action="Click", element=' + "9" * n + ")",
    "token soup": lambda n: (_SOUP * (n // len(_SOUP) + 1))[:n],
}


def _outcome(text: str, **kwargs: object) -> Action | ActionParseError:
    """The action, or the parse error; any other exception fails the test."""
    try:
        return parse_action(text, **kwargs)  # type: ignore[arg-type]
    except ActionParseError as exc:
        return exc


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_a_megabyte_of_hostile_text_is_refused_by_the_cap(name: str) -> None:
    text = PATHOLOGICAL[name](MB)
    assert len(text) > MAX_ACTION_CHARS
    result = _outcome(text)
    assert isinstance(result, ActionParseError)
    message = str(result)
    assert f"{len(text):,} characters" in message and f"{MAX_ACTION_CHARS:,}" in message
    assert len(message) < 1000  # the observation does not echo the text back


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_hostile_text_within_the_cap_parses_or_fails_cleanly(name: str) -> None:
    text = PATHOLOGICAL[name](MAX_ACTION_CHARS - 100)
    assert len(text) <= MAX_ACTION_CHARS
    result = _outcome(text)
    assert "characters long" not in str(result)
    assert isinstance(result, (Action, ActionParseError))
    if isinstance(result, ActionParseError):
        assert len(str(result)) < 2000


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_hostile_text_without_a_cap_still_finishes(name: str) -> None:
    # 256 K characters: the quadratic parser took minutes on several of these; a linear one
    # takes well under a second. The timeout is only a hang guard.
    result = _outcome(PATHOLOGICAL[name](256_000), max_chars=None)
    assert isinstance(result, (Action, ActionParseError))


def _work(text: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """A machine-independent measure of the work ``parse_action`` does on ``text``: the Python
    and C functions it calls, plus the characters it hands to ``ast.parse`` (one call that
    reads the whole text is as much work as the text is long)."""
    count = 0
    real_parse = ast.parse

    def parse(source: str, *args: object, **kwargs: object) -> ast.AST:
        nonlocal count
        count += len(source)
        return real_parse(source, *args, **kwargs)  # type: ignore[arg-type]

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    with monkeypatch.context() as patch:
        patch.setattr(ast, "parse", parse)
        sys.setprofile(profile)
        try:
            _outcome(text, max_chars=None)
        finally:
            sys.setprofile(None)
    return count


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_parsing_work_grows_linearly(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = (_work(PATHOLOGICAL[name](n), monkeypatch) for n in (4_000, 16_000))
    # 4x the text: about 4x the calls when linear, 16x when quadratic.
    assert large <= 6 * small + 200, (small, large)


FUZZ_TOKENS = [
    "do(", "exit(", "go_backward(", "(", ")", "[", "]", "{", "}", '"', "'", '"""', "'''", "\\",
    "\n", "\r\n", "#", "x", " ", ",", "=", "-", "not ", "lambda:", "f", "*", "**", "\x00",
    "\ud800", "é", "<think>", "</think>", "<answer>", "</answer>", 'action="Click"',
    'element="1"', 'message="a"', "9" * 30,
]


@pytest.mark.timeout(120)
def test_random_token_soups_parse_or_fail_cleanly() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choices(FUZZ_TOKENS, k=rng.randint(1, 60)))
        assert isinstance(_outcome(text), (Action, ActionParseError)), repr(text)


def test_the_issue_examples_parse_without_the_cap() -> None:
    assert parse_action(ANSWER * 8000, max_chars=None) == Action("exit", None, "x")
    unicode = "é漢🙂" * 100_000
    assert parse_action(f'exit(message="{unicode}")', max_chars=None) == Action(
        "exit", None, unicode
    )
    assert parse_action('exit(message="' + '\\"' * 100_000 + '")', max_chars=None) == Action(
        "exit", None, '"' * 100_000
    )


def test_the_cap_is_inclusive_and_configurable() -> None:
    action = 'do(action="Click", element="3")'
    padded = " " * (MAX_ACTION_CHARS - len(action)) + action
    assert parse_action(padded) == Action("Click", "3")
    with pytest.raises(ActionParseError, match=f"at most {MAX_ACTION_CHARS:,}"):
        parse_action("x" + padded)
    with pytest.raises(ActionParseError, match="at most 20 are read"):
        parse_action(action, max_chars=20)
    assert parse_action(action, max_chars=len(action)) == Action("Click", "3")
    assert parse_action(" " * (2 * MAX_ACTION_CHARS) + action, max_chars=None) == Action(
        "Click", "3"
    )
    for bad in (0, -1, 1.5, True, "100"):
        with pytest.raises(ValueError, match="max_chars"):
            parse_action(action, max_chars=bad)  # type: ignore[arg-type]


def test_nothing_inside_a_broken_call_is_read_as_a_call() -> None:
    # A call inside another call's parentheses is the argument of a broken call, not an action.
    with pytest.raises(ActionParseError, match="Could not read"):
        parse_action('do(action="Type", argument="exit(message=\'x\')" oops)')
    with pytest.raises(ActionParseError, match="Could not read"):
        parse_action('do(I think do(action="Click", element="1"))')
    # An unbalanced call has no inside: a later call is still found.
    assert parse_action('do( hmm, then do(action="Click", element="1")') == Action("Click", "1")


def test_calls_with_much_code_are_refused_before_python_parses_them() -> None:
    with pytest.raises(ActionParseError, match="outside its plain quoted strings"):
        parse_action('exit(message=f"' + "{x}" * 400 + '")')
    # Long plain strings are fine: they are the text an action types.
    text = "word " * 10_000
    assert parse_action(f'do(action="Type", argument="{text}", element="4")') == Action(
        "Type", "4", text
    )


@pytest.fixture
def env(page_server: str) -> Iterator[WebArenaEnv]:
    task = {
        "sites": ["shopping"], "task_id": 0, "require_login": False, "storage_state": None,
        "start_url": "__SHOPPING__/env/index.html", "geolocation": None,
        "intent_template": "", "instantiation_dict": {}, "intent": "cap", "require_reset": False,
        "eval": {"eval_types": ["string_match"], "reference_answers": {"exact_match": "42"},
                 "reference_url": "", "program_html": [], "string_note": "", "url_note": "GOLD in PRED"},
    }
    env = WebArenaEnv([task], {"shopping": page_server}, max_episode_steps=5, max_action_chars=1000,
                      navigation_timeout_ms=5000)
    yield env
    env.close()


def test_env_reports_an_oversized_action_as_a_parse_error(env: WebArenaEnv) -> None:
    env.reset()
    text = "<think>" + "hmm " * 1000 + '</think><answer>do(action="Wait")</answer>'
    obs, reward, terminated, truncated, info = env.step(text)
    assert "at most 1,000 are read" in obs["last_action_error"]
    assert info["parse_error"] == obs["last_action_error"] and info["action"] is None
    assert (reward, terminated, truncated) == (0.0, False, False)
    obs, _, terminated, _, info = env.step('do(action="Wait")')  # the episode goes on
    assert obs["last_action_error"] == "" and not terminated
    _, reward, terminated, _, _ = env.step('exit(message="42")')
    assert terminated and reward == 1.0


def test_env_rejects_a_bad_cap() -> None:
    with pytest.raises(ValueError, match="max_action_chars"):
        WebArenaEnv([_config()], max_action_chars=0)


# --------------------------------------------------------------------------------------------
# Item 8: task configs
# --------------------------------------------------------------------------------------------


def _config(**overrides: object) -> dict:
    config = {
        "sites": ["shopping"], "task_id": 11, "intent": "x",
        "start_url": "__SHOPPING__/index.html",
        "eval": {
            "eval_types": ["string_match", "program_html"],
            "reference_answers": {"exact_match": "x"},
            "program_html": [{"url": "last", "locator": "", "required_contents":
                              {"must_include": ["x"]}}],
        },
    }
    config.update(overrides)
    return config


def _nested(depth: int) -> object:
    value: object = "leaf"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@pytest.mark.parametrize("depth", [100, 20_000])
def test_deeply_nested_config_dict_gets_the_loaders_error(depth: int) -> None:
    with pytest.raises(TaskConfigError) as err:
        load_task_configs([_config(instantiation_dict={"deep": _nested(depth)})])
    assert err.value.task_id == 11
    assert err.value.field is not None and err.value.field.startswith("instantiation_dict.deep")
    assert "nested more than 64" in str(err.value)


def test_self_referring_config_gets_the_loaders_error() -> None:
    config = _config()
    config["instantiation_dict"] = {"me": config}
    with pytest.raises(TaskConfigError, match="refers to itself") as err:
        load_task_configs([config])
    assert err.value.task_id == 11


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_file_gets_the_loaders_error(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text(json.dumps([_config()])[:-1] + ", " + "[" * depth + "]" * depth + "]")
    with pytest.raises(TaskConfigError, match="more than 64 levels deep") as err:
        load_task_configs(path)
    assert err.value.source == str(path)
    folder = tmp_path / "folder"
    folder.mkdir()
    deep = "[" * depth + "]" * depth
    (folder / "1.json").write_text(json.dumps(_config())[:-1] + f', "extra": {deep}}}')
    with pytest.raises(TaskConfigError, match="levels deep"):
        load_task_configs(folder)


def test_modest_nesting_still_loads() -> None:
    [config] = load_task_configs([_config(instantiation_dict={"deep": _nested(60)})])
    assert config.task_id == 11


BAD_URLS = [
    ("file:///etc/passwd", "file:"),
    ("javascript:alert(document.cookie)", "javascript:"),
    ("  JavaScript:alert(1)", "javascript:"),
    ("java\tscript:alert(1)", "javascript:"),
    ("data:text/html,<script>alert(1)</script>", "data:"),
    ("chrome://settings", "chrome:"),
    ("chrome-extension://abc/page.html", "chrome-extension:"),
    ("about:blank", "about:"),
    ("view-source:http://127.0.0.1/", "view-source:"),
    ("ws://127.0.0.1:9222/devtools", "ws:"),
    ("ftp://127.0.0.1/", "ftp:"),
    ("127.0.0.1:7770/index.html", "no scheme"),
    ("localhost:7770/index.html", "localhost:"),
    ("example.com/a", "no scheme"),
    ("http://", "no host"),
    ("http://[::1", "not a valid URL"),
]


@pytest.mark.parametrize(("url", "says"), BAD_URLS)
def test_non_http_start_urls_are_rejected_with_task_and_field(url: str, says: str) -> None:
    for start_url in (url, f"__SHOPPING__/a |AND| {url}"):
        with pytest.raises(TaskConfigError) as err:
            load_task_configs([_config(start_url=start_url)])
        assert (err.value.task_id, err.value.field) == (11, "start_url")
        message = str(err.value)
        assert says in message and "task 11" in message and "http://" in message


@pytest.mark.parametrize(("url", "says"), BAD_URLS[:4])
def test_non_http_program_html_urls_are_rejected(url: str, says: str) -> None:
    config = _config()
    config["eval"]["program_html"][0]["url"] = url
    with pytest.raises(TaskConfigError, match=re.escape(says)) as err:
        load_task_configs([config])
    assert err.value.field == "eval.program_html[0].url"


def test_a_placeholder_is_checked_once_substituted() -> None:
    with pytest.raises(TaskConfigError, match="file:") as err:
        load_task_configs([_config()], site_urls={"shopping": "file:///srv/shop"})
    assert (err.value.task_id, err.value.field) == (11, "start_url")


@pytest.mark.parametrize(
    "start_url",
    [
        "__SHOPPING__/index.html",
        "__SHOPPING_ADMIN__/admin |AND| __GITLAB__",
        "http://127.0.0.1:7770/index.html",
        "https://shop.example.test/a?b=1#c",
        "HTTP://LOCALHOST:8080",
    ],
)
def test_http_and_placeholder_start_urls_load(start_url: str) -> None:
    [config] = load_task_configs([_config(start_url=start_url)])
    [substituted] = load_task_configs(
        [_config(start_url=start_url)],
        site_urls={s: "http://127.0.0.1:7000" for s in ("shopping", "shopping_admin", "gitlab")},
    )
    assert config.start_url == start_url and "__" not in substituted.start_url


# --------------------------------------------------------------------------------------------
# Item 9: signals
# --------------------------------------------------------------------------------------------


def _launch_with_sigint_ignored(*args: str) -> subprocess.Popen[str]:
    """``python -m webarena_gym.cli ARGS`` with SIGINT ignored from the start, as a shell
    without job control starts ``cmd &``: the ignored disposition survives exec."""
    launcher = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
        "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
    )
    env = dict(os.environ)
    src = str(Path(webarena_gym.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        [sys.executable, "-c", launcher, *args], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=env,
    )


def test_the_launcher_really_starts_with_sigint_ignored() -> None:
    proc = _launch_with_sigint_ignored(
        "-c", "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"
    )
    out, err = proc.communicate(timeout=60)
    assert out.strip() == "True", err


def _refuses(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.timeout(300)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_stops_on_signal_even_with_sigint_ignored(signum: signal.Signals) -> None:
    proc = _launch_with_sigint_ignored(
        "-m", "webarena_gym.cli", "serve", "--sites", "map", "--port-base", "0"
    )
    try:
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(lines)
        match = re.search(r"http://127\.0\.0\.1:(\d+)", text)
        assert match, text + (proc.stderr.read() if proc.poll() is not None else "")
        port = int(match.group(1))
        assert not _refuses(port)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert _refuses(port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
