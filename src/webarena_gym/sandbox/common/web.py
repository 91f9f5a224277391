"""The site kit: what every sandbox site's pages stand on.

A site makes one :class:`SiteKit` with what is its own (cookie name, templates, the user table,
the sign-in page, the header's context, its error pages) and writes only its pages::

    site = SiteKit("shopping", HERE / "templates", user_query="SELECT * FROM customers WHERE id = ?",
                   sign_in=SignIn("/customer/account/login/", "referer"), ...)

    @site.writes
    @site.login_required
    async def wishlist_add(request):
        form = await read_form(request)
        db(request).execute(...)
        return site.redirect("/wishlist/", "Added to your Wish List.", "success")

The host gives every request its tenant's database (:func:`db`), ``request.state.readonly``
(refuse writes: :meth:`SiteKit.writes`) and ``request.state.site_urls`` (:func:`site_url`).
Every template is autoescaped (:func:`make_templates`).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute
from starlette.templating import Jinja2Templates

from webarena_gym.sandbox import auth
from webarena_gym.sandbox.common.flash import clear_flash, flash, take_flash
from webarena_gym.sandbox.common.formats import FILTERS

Endpoint = Callable[[Request], Awaitable[Response]]
#: ``(request, user row or None) -> variables`` every page of a site shows (its header).
PageContext = Callable[[Request, sqlite3.Row | None], Mapping[str, Any]]


def make_templates(directory: str | Path) -> Jinja2Templates:
    """Jinja2 templates from ``directory`` with the filters ``money``, ``date_short``,
    ``date_long``, ``datetime_long``, ``options`` and ``json_list``.

    Every template is autoescaped, whatever its file name (Starlette's default escapes only
    ``.html``, ``.htm`` and ``.xml``): the sites show text that users and agents wrote.
    """
    templates = Jinja2Templates(directory=str(directory))
    templates.env.autoescape = True
    templates.env.filters.update(FILTERS)
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates


# ---------------------------------------------------------------- the request, as the host sets it

def db(request: Request) -> sqlite3.Connection:
    """The tenant's connection to the site's database (set by the host; rows are ``sqlite3.Row``)."""
    return request.state.db


def site_url(request: Request, site: str) -> str:
    """The base URL of a sibling site (``shopping``) without a trailing slash, or ``""``."""
    return (getattr(request.state, "site_urls", None) or {}).get(site, "").rstrip("/")


def referer_path(request: Request, fallback: str = "/") -> str:
    """Where to return after a form: the path of the ``Referer`` when it is a page of this
    site, else ``fallback``."""
    ref = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    return (ref[len(base):] or fallback) if ref.startswith(base) else fallback


def local_path(target: str) -> str:
    """``target`` when it is a path on this site (``/...``, not ``//host``), else ``""``: a
    way back after signing in must not lead to another site."""
    return target if target.startswith("/") and not target.startswith("//") else ""


def not_found() -> HTTPException:
    """``raise not_found()``: the site's 404 page (see :attr:`SiteKit.not_found_page`)."""
    return HTTPException(404)


def static_file(path: Path, media_type: str = "text/css") -> Endpoint:
    """An endpoint that serves one file beside the site's code (its stylesheet)."""

    async def endpoint(request: Request) -> Response:
        return Response(path.read_text(), media_type=media_type,
                        headers={"Cache-Control": "max-age=3600"})

    return endpoint


# ---------------------------------------------------------------- what differs between sites

@dataclass(frozen=True)
class SignIn:
    """A site's sign-in page and how a page that needs a user sends visitors to it.

    Attributes:
        url: the sign-in page.
        param: the query parameter that names the way back (``referer``, ``redirect_to``).
        keep_query: the way back keeps the page's query string.
        safe: characters left unquoted in the way back (``"/"`` for readable paths).
        back_after_post: a refused POST returns to the form's page (its ``Referer``);
            otherwise to wherever the sign-in page sends by default.
        notice: a message shown on the sign-in page (a ``notice``), if any.
    """

    url: str
    param: str
    keep_query: bool = False
    safe: str = ""
    back_after_post: bool = True
    notice: str = ""

    def url_to(self, target: str) -> str:
        """The sign-in page, returning to ``target`` afterwards (none when empty)."""
        return self.url + (f"?{self.param}={quote(target, safe=self.safe)}" if target else "")

    def target(self, request: Request) -> str:
        """Where a visitor sent to sign in from ``request`` comes back to."""
        if request.method != "GET":
            return referer_path(request, "") if self.back_after_post else ""
        query = request.url.query
        return request.url.path + (f"?{query}" if self.keep_query and query else "")


@dataclass(frozen=True)
class ErrorPage:
    """A page a site shows for an error, in its own look: status, template and its words."""

    status: int
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- the kit

class SiteKit:
    """One site's request plumbing: its user, pages, redirects, sign-in and error pages.

    Args:
        name: the site's name, which names its cookies (``wag_<name>``, ``wag_<name>_flash``).
        templates: the folder of its Jinja2 templates (see :func:`make_templates`).
        filters, globals: extra template filters and globals.
        user_query: SQL selecting the signed-in user's row by id (one ``?``); ``None`` for a
            site without accounts.
        user_var: the name templates know the user by (``customer`` in the shop).
        sign_in: the sign-in page (:meth:`login_required` sends visitors there).
        page_context: variables every page shows, from the request and the user (its header).
        read_only: the page :meth:`writes` answers on the read-only copy (a 403).
        not_found_page: the page for URLs no route matches and for :func:`not_found`;
            ``None`` leaves Starlette's plain ``Not Found``.
        redirect_status: the status of :meth:`redirect` (302 as Magento, 303 after a POST).
    """

    def __init__(
        self,
        name: str,
        templates: Path,
        *,
        filters: Mapping[str, Callable[..., Any]] | None = None,
        globals: Mapping[str, Any] | None = None,  # noqa: A002 - Jinja's word
        user_query: str | None = None,
        user_var: str = "user",
        sign_in: SignIn | None = None,
        page_context: PageContext | None = None,
        read_only: ErrorPage | None = None,
        not_found_page: ErrorPage | None = None,
        redirect_status: int = 302,
    ) -> None:
        self.name = name
        self.templates = make_templates(templates)
        self.templates.env.filters.update(filters or {})
        self.templates.env.globals.update(globals or {})
        self.user_query = user_query
        self.user_var = user_var
        self.sign_in_page = sign_in
        self.page_context = page_context
        self.read_only = read_only
        self.not_found_page = not_found_page
        self.redirect_status = redirect_status

    @property
    def env(self) -> Environment:
        """The Jinja2 environment of the site's templates."""
        return self.templates.env

    # -- the user ----------------------------------------------------------------------------
    def user(self, request: Request) -> sqlite3.Row | None:
        """The signed-in user's row, or None (also when the id is unknown in this database)."""
        if not hasattr(request.state, "kit_user"):
            uid = auth.current_user_id(request, self.name)
            row = None
            if uid is not None and self.user_query is not None:
                row = db(request).execute(self.user_query, (uid,)).fetchone()
            request.state.kit_user = row
        return request.state.kit_user

    def user_id(self, request: Request) -> int | None:
        """The signed-in user's id, or None."""
        user = self.user(request)
        return None if user is None else int(user["id"])

    def sign_in(self, response: Response, user_id: int) -> Response:
        """Sign ``user_id`` in on ``response`` (the site's session cookie)."""
        return auth.sign_in(response, self.name, user_id)

    def sign_out(self, response: Response) -> Response:
        """Sign out on ``response``."""
        return auth.sign_out(response, self.name)

    # -- responses ---------------------------------------------------------------------------
    def render(self, request: Request, template: str, status_code: int = 200,
               **context: Any) -> Response:
        """Render ``template`` with the site's page context, the user, the queued messages
        (then deleted) and ``context``.

        ``as_user`` in ``context`` shows another user (``None``: signed out) in the header;
        ``messages`` adds :class:`Message` s to the queued ones.
        """
        who = context.pop("as_user", self.user(request))
        messages = [*take_flash(request, self.name), *context.pop("messages", ())]
        page = {self.user_var: who, "messages": messages, "path": request.url.path}
        if self.page_context is not None:
            page.update(self.page_context(request, who))
        response = self.templates.TemplateResponse(request, template, {**page, **context},
                                                   status_code=status_code)
        clear_flash(request, response, self.name)
        return response

    def error(self, request: Request, page: ErrorPage, **context: Any) -> Response:
        """The error ``page`` (its status), with its words and ``context``."""
        return self.render(request, page.template, page.status, **{**page.context, **context})

    def redirect(self, url: str, message: str | None = None, kind: str = "success",
                 request: Request | None = None, status_code: int | None = None) -> Response:
        """A redirect to ``url`` (the site's status unless ``status_code``), carrying a one-shot
        message for the next page; pass ``request`` to keep messages already queued."""
        response = RedirectResponse(url, status_code=status_code or self.redirect_status)
        return self.flash(response, kind, message, request) if message else response

    def flash(self, response: Response, kind: str, text: str,
              request: Request | None = None) -> Response:
        """Queue a message for the next page of this site (see :func:`~.flash.flash`)."""
        return flash(response, self.name, kind, text, request)

    # -- page guards -------------------------------------------------------------------------
    def sign_in_url(self, request: Request) -> str:
        """The sign-in page, returning to ``request``'s page afterwards."""
        if self.sign_in_page is None:
            raise ValueError(f"site {self.name!r} has no sign-in page (SiteKit(sign_in=...))")
        return self.sign_in_page.url_to(self.sign_in_page.target(request))

    def login_required(self, endpoint: Endpoint) -> Endpoint:
        """Send visitors who are not signed in to the sign-in page (and back afterwards)."""

        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            if self.user(request) is None:
                response = RedirectResponse(self.sign_in_url(request), status_code=302)
                notice = self.sign_in_page.notice if self.sign_in_page else ""
                return self.flash(response, "notice", notice) if notice else response
            return await endpoint(request)

        return wrapper

    def writes(self, endpoint: Endpoint) -> Endpoint:
        """Refuse the write with the site's read-only page when the host serves the read-only
        copy of the data (``webarena-gym serve`` without a tenant)."""

        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            if getattr(request.state, "readonly", False):
                if self.read_only is None:
                    raise HTTPException(403, "This copy of the site is read-only.")
                return self.error(request, self.read_only)
            return await endpoint(request)

        return wrapper

    # -- the app -----------------------------------------------------------------------------
    async def _not_found(self, request: Request, exc: Exception) -> Response:
        if not hasattr(request.state, "db") or self.not_found_page is None:
            return Response("Not Found", status_code=404)  # not behind the host: no database
        return self.error(request, self.not_found_page)

    def app(self, routes: Sequence[BaseRoute]) -> Starlette:
        """The site's Starlette app: ``routes``, with the site's 404 page when it has one."""
        handlers = {404: self._not_found} if self.not_found_page is not None else {}
        return Starlette(routes=list(routes), exception_handlers=handlers)
