"""Finding a Chromium to drive.

Order (DESIGN 3.1): an explicit ``executable_path``, the ``WEBARENA_GYM_CHROMIUM`` variable,
Playwright's own downloaded browser, then a system ``chromium`` / ``chromium-browser`` /
``google-chrome``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import playwright

ENV_VAR = "WEBARENA_GYM_CHROMIUM"
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

INSTALL_HINT = (
    "Install one of:\n"
    "  - Playwright's Chromium:  python -m playwright install chromium\n"
    "  - Debian/Ubuntu package:  apt-get install chromium\n"
    f"or point {ENV_VAR} (or executable_path=) at a Chromium or Chrome binary."
)


class ChromiumNotFoundError(RuntimeError):
    """No usable Chromium was found; the message lists what was tried and how to get one."""


@dataclass(frozen=True)
class ChromiumChoice:
    """The Chromium that will be launched and why it was chosen."""

    path: str
    source: str  # "executable_path", ENV_VAR, "playwright", "system"


def _playwright_browsers_dir() -> Path:
    """Where ``playwright install`` puts browsers on this platform."""
    override = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if override and override != "0":
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ms-playwright"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "ms-playwright"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ms-playwright"


def _playwright_revision() -> str | None:
    """The Chromium revision the installed Playwright driver expects, from its browsers.json."""
    manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    try:
        browsers = json.loads(manifest.read_text())["browsers"]
    except (OSError, ValueError, KeyError):
        return None
    return next((b["revision"] for b in browsers if b.get("name") == "chromium"), None)


_PLAYWRIGHT_BINARIES = (
    "chrome-linux64/chrome",
    "chrome-linux/chrome",
    "chrome-win64/chrome.exe",
    "chrome-win/chrome.exe",
    "chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
    "chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
    "chrome-mac/Chromium.app/Contents/MacOS/Chromium",
)


def _playwright_chromium() -> str | None:
    """Path of Playwright's downloaded Chromium when it is on disk, else None.

    Reads the path from Playwright's own layout instead of starting its driver, so discovery
    is instant and works inside a running event loop.
    """
    root = _playwright_browsers_dir()
    revision = _playwright_revision()
    if revision is None or not root.is_dir():
        return None
    folder = root / f"chromium-{revision}"
    for rel in _PLAYWRIGHT_BINARIES:
        candidate = folder / rel
        if candidate.is_file():
            return str(candidate)
    return None


def find_chromium(executable_path: str | os.PathLike[str] | None = None) -> ChromiumChoice:
    """Return the Chromium to launch, in DESIGN 3.1's order.

    Raises:
        ChromiumNotFoundError: when an explicitly named binary does not exist, or when nothing
            is found anywhere; the message says what was tried and how to install one.
    """
    tried: list[str] = []
    if executable_path is not None:
        path = Path(executable_path)
        if not path.is_file():
            raise ChromiumNotFoundError(
                f"executable_path={str(executable_path)!r} is not a file.\n{INSTALL_HINT}"
            )
        return ChromiumChoice(str(path), "executable_path")
    env_value = os.environ.get(ENV_VAR)
    if env_value:
        if not Path(env_value).is_file():
            raise ChromiumNotFoundError(
                f"{ENV_VAR}={env_value!r} is not a file; fix or unset it.\n{INSTALL_HINT}"
            )
        return ChromiumChoice(env_value, ENV_VAR)
    tried.append(f"{ENV_VAR} (unset)")
    pw = _playwright_chromium()
    if pw:
        return ChromiumChoice(pw, "playwright")
    tried.append("Playwright's browser (not installed)")
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return ChromiumChoice(found, "system")
    tried.append("system " + "/".join(SYSTEM_NAMES) + " (not on PATH)")
    raise ChromiumNotFoundError("No Chromium found. Tried: " + "; ".join(tried) + ".\n" + INSTALL_HINT)
