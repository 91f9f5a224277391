"""Login storage states for WebArena sites, as WebArena's ``auto_login.py`` writes them.

Tasks with ``require_login`` start from ``<auth_dir>/<sites>_state.json`` (Playwright storage
states: cookies and local storage). :func:`write_login_states` signs in with WebArena's standard
accounts and writes one file per site and one per pair of sites (``gitlab.reddit_state.json``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import BrowserContext

from webarena_gym.browser import BrowserRuntime, Session, get_runtime


@dataclass(frozen=True)
class LoginForm:
    """How to sign in to one site: the page, the fields (CSS selector alternatives), the account."""

    path: str
    username_selectors: tuple[str, ...]
    password_selectors: tuple[str, ...]
    submit_selectors: tuple[str, ...]
    username: str
    password: str


# WebArena's standard accounts (webarena/browser_env/env_config.py) and its sites' login forms.
LOGIN_FORMS: dict[str, LoginForm] = {
    "shopping": LoginForm(
        "/customer/account/login/",
        ("#email", "input[name='login[username]']"),
        ("#pass", "input[name='login[password]']"),
        ("#send2", "button[type=submit]"),
        "emma.lopez@gmail.com",
        "Password.123",
    ),
    "shopping_admin": LoginForm(
        "/admin",
        ("#username", "input[name='login[username]']"),
        ("#login", "input[name='login[password]']"),
        (".action-login", "button[type=submit]"),
        "admin",
        "admin1234",
    ),
    "reddit": LoginForm(
        "/login",
        ("input[name=_username]", "#login-username"),
        ("input[name=_password]", "#login-password"),
        ("button[type=submit]",),
        "MarvelsGrantMan136",
        "test1234",
    ),
    "gitlab": LoginForm(
        "/users/sign_in",
        ("[data-testid=username-field]", "#user_login"),
        ("[data-testid=password-field]", "#user_password"),
        ("[data-testid=sign-in-button]", "button[type=submit]", "input[type=submit]"),
        "byteblaze",
        "hello1234",
    ),
}


class LoginError(RuntimeError):
    """Signing in to a site failed; the message names the site, URL and what was missing."""


async def _first(context_page, selectors: Iterable[str], site: str, what: str):  # type: ignore[no-untyped-def]
    for selector in selectors:
        locator = context_page.locator(selector)
        if await locator.count():
            return locator.first
    raise LoginError(
        f"{site}: no {what} field on {context_page.url} (tried {', '.join(selectors)}). "
        "Is the URL the site's root?"
    )


async def sign_in(context: BrowserContext, site: str, base_url: str) -> None:
    """Sign in to ``site`` at ``base_url`` inside ``context`` with WebArena's account."""
    if site not in LOGIN_FORMS:
        raise LoginError(f"no login form known for site {site!r}; known: {sorted(LOGIN_FORMS)}")
    form = LOGIN_FORMS[site]
    page = await context.new_page()
    try:
        await page.goto(base_url.rstrip("/") + form.path)
        await (await _first(page, form.username_selectors, site, "username")).fill(form.username)
        await (await _first(page, form.password_selectors, site, "password")).fill(form.password)
        async with page.expect_navigation():
            await (await _first(page, form.submit_selectors, site, "submit")).click()
    finally:
        await page.close()


async def _write_states(
    runtime: BrowserRuntime, site_urls: Mapping[str, str], sites: list[str], auth_dir: Path
) -> list[Path]:
    written: list[Path] = []
    groups = [(s,) for s in sites] + list(itertools.combinations(sorted(sites), 2))
    for group in groups:
        session = Session(runtime)
        await session.start()
        try:
            assert session.context is not None
            for site in group:
                await sign_in(session.context, site, site_urls[site])
            path = auth_dir / f"{'.'.join(group)}_state.json"
            await session.context.storage_state(path=str(path))
            written.append(path)
        finally:
            await session.close()
    return written


def write_login_states(
    site_urls: Mapping[str, str],
    auth_dir: str | Path = ".auth",
    sites: Iterable[str] | None = None,
    runtime: BrowserRuntime | None = None,
) -> list[Path]:
    """Sign in to each site (and each pair of sites) and write their storage states.

    Returns the files written. Raises :class:`LoginError` naming the site that failed.
    """
    chosen = sorted(sites) if sites is not None else sorted(s for s in LOGIN_FORMS if s in site_urls)
    missing = [s for s in chosen if s not in site_urls]
    if missing:
        raise LoginError(f"no URL for site(s) {missing}; set their WA_* variables")
    auth = Path(auth_dir)
    auth.mkdir(parents=True, exist_ok=True)
    runtime = runtime or get_runtime()
    runtime.acquire()
    try:
        return runtime.run(_write_states(runtime, site_urls, chosen, auth))
    finally:
        runtime.release()
