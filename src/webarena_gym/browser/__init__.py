"""The browser layer (DESIGN 3.1): Chromium discovery, a per-process runtime, per-env sessions."""

from webarena_gym.browser.discovery import (
    ENV_VAR,
    ChromiumChoice,
    ChromiumNotFoundError,
    find_chromium,
)
from webarena_gym.browser.runtime import (
    BrowserCrashedError,
    BrowserRuntime,
    RemoteBrowserError,
    get_runtime,
    launch_args,
)
from webarena_gym.browser.session import Session, origin_of

__all__ = [
    "ENV_VAR",
    "BrowserCrashedError",
    "BrowserRuntime",
    "ChromiumChoice",
    "ChromiumNotFoundError",
    "RemoteBrowserError",
    "Session",
    "find_chromium",
    "get_runtime",
    "launch_args",
    "origin_of",
]
