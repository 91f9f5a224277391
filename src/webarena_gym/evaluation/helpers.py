"""The ``func:`` helpers WebArena configs call, implemented against the sites themselves.

A config names a helper as ``func:name(args)`` in a ``program_html`` url (the helper returns
the URL to open) or locator (it returns the text to check). Each helper here is
``async def helper(ctx: HelperContext, *config_args) -> str``; :data:`FUNC_HELPERS` is the
registry; the loader validates names and arities against
:data:`~webarena_gym.tasks.funcs.FUNC_HELPER_PARAMS`, which it must match.

The shopping helpers use Magento's REST API with WebArena's admin account; HTTP goes through
the stdlib in a worker thread so the shared event loop keeps running.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from webarena_gym.evaluation.result import EvaluationError
from webarena_gym.tasks.config import SITE_ENV_VARS
from webarena_gym.tasks.funcs import (
    FUNC_HELPER_PARAMS,
    LAST_URL_ARG,
    PAGE_ARG,
    FuncCall,
    check_func_call,
)

if TYPE_CHECKING:
    from playwright.async_api import Page

    from webarena_gym.evaluation.judges import JudgeCalls

# WebArena's Magento admin account (``ACCOUNTS["shopping_site_admin"]``).
SHOPPING_ADMIN_USERNAME = "admin"
SHOPPING_ADMIN_PASSWORD = "admin1234"
REST_TIMEOUT_S = 30.0


@dataclass
class HelperContext:
    """What a helper may use: the deployment's URLs, the opened page, the judge."""

    task_id: int | str
    helper: str
    site_urls: Mapping[str, str]
    final_url: str = ""
    page: Page | None = None
    judge: JudgeCalls | None = None
    intent: str = ""

    def site_url(self, site: str) -> str:
        """The site's base URL without a trailing slash.

        Raises:
            EvaluationError: the site has no URL; says which ``WA_`` variable to set.
        """
        url = self.site_urls.get(site)
        if not url:
            raise EvaluationError(
                f"task {self.task_id!r}: helper {self.helper} needs the {site!r} site's URL; "
                f"set {SITE_ENV_VARS[site]} (or pass it in site_urls)"
            )
        return url.rstrip("/")

    def fail(self, problem: str) -> EvaluationError:
        """An :class:`EvaluationError` naming the task and this helper."""
        return EvaluationError(f"task {self.task_id!r}: helper {self.helper}: {problem}")


Helper = Callable[..., Awaitable[str]]


def _http_json(ctx: HelperContext, url: str, *, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=REST_TIMEOUT_S) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise ctx.fail(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ctx.fail(f"{url} is unreachable ({exc})") from None
    except ValueError:
        raise ctx.fail(f"{url} did not answer JSON") from None


def _magento_get(ctx: HelperContext, path: str, params: Mapping[str, str] | None = None) -> Any:
    """GET a Magento REST path with an admin token (two blocking requests)."""
    base = ctx.site_url("shopping")
    token = _http_json(
        ctx,
        f"{base}/rest/default/V1/integration/admin/token",
        body={"username": SHOPPING_ADMIN_USERNAME, "password": SHOPPING_ADMIN_PASSWORD},
    )
    if not isinstance(token, str):
        raise ctx.fail("Magento's admin token endpoint did not return a token")
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    return _http_json(ctx, f"{base}/rest/V1/{path}{query}", token=token)


async def shopping_get_latest_order_url(ctx: HelperContext) -> str:
    """URL of the most recently created order's page on the storefront."""
    params = {
        "searchCriteria[sortOrders][0][field]": "created_at",
        "searchCriteria[sortOrders][0][direction]": "DESC",
        "searchCriteria[pageSize]": "1",
    }
    data = await asyncio.to_thread(_magento_get, ctx, "orders", params)
    items = data.get("items") if isinstance(data, dict) else None
    if not items:
        return ""
    # WebArena opens the order page by its increment id.
    order_id = int(items[0]["increment_id"])
    return f"{ctx.site_url('shopping')}/sales/order/view/order_id/{order_id}/"


async def _latest_review(ctx: HelperContext, sku: str) -> dict[str, Any] | None:
    path = f"products/{urllib.parse.quote(str(sku), safe='')}/reviews"
    reviews = await asyncio.to_thread(_magento_get, ctx, path)
    if not isinstance(reviews, list) or not reviews:
        return None
    return reviews[-1]


async def shopping_get_sku_latest_review_author(ctx: HelperContext, sku: str) -> str:
    """Nickname on the newest review of product ``sku`` ("" when it has none)."""
    review = await _latest_review(ctx, sku)
    return "" if review is None else str(review.get("nickname", ""))


async def shopping_get_sku_latest_review_rating(ctx: HelperContext, sku: str) -> str:
    """Rating percent (e.g. "80") of the newest review of product ``sku`` ("" when none)."""
    review = await _latest_review(ctx, sku)
    if review is None:
        return ""
    ratings = review.get("ratings") or []
    return str(ratings[0].get("percent", "")) if ratings else ""


async def reddit_get_post_url(ctx: HelperContext, url: str) -> str:
    """The post's URL (``scheme://host/f/forum/id/``) for a post or comment URL; other URLs
    come back unchanged."""
    parsed = urllib.parse.urlparse(url)
    parts = parsed.path.split("/")
    if len(parts) < 4 or parts[1] != "f":
        return url
    return f"{parsed.scheme}://{parsed.netloc}/f/{parts[2]}/{parts[3]}/"


_MEMBER_ROLE_JS = """(account) => {
  const handles = [...document.querySelectorAll(
    "td[data-label='Account'] span.gl-avatar-labeled-sublabel")];
  const handle = handles.find((el) => el.innerText.trim() === '@' + account);
  const row = handle && handle.closest('tr');
  const role = row && row.querySelector('td.col-max-role span');
  return role ? role.innerText.trim() : '';
}"""


async def gitlab_get_project_memeber_role(ctx: HelperContext, page: Page, account_name: str) -> str:
    """Role (e.g. "Maintainer") of ``account_name`` on an opened project members page, or ""."""
    try:
        return str(await page.evaluate(_MEMBER_ROLE_JS, account_name) or "")
    except Exception:  # a closed or foreign page reads as no role, as in WebArena
        return ""


def _judge(ctx: HelperContext) -> JudgeCalls:
    if ctx.judge is None:
        raise ctx.fail("no judge available")
    return ctx.judge


async def llm_fuzzy_match(ctx: HelperContext, pred: str, reference: str, question: str) -> str:
    """ "1.0" when the judge deems ``pred`` equivalent to ``reference``, else "0.0"."""
    notes: list[str] = []
    return "1.0" if await _judge(ctx).fuzzy_match(question, reference, pred, notes) else "0.0"


async def llm_ua_match(ctx: HelperContext, pred: str, reference: str, question: str) -> str:
    """ "1.0" when the judge deems the reported unachievable reason the actual one, else "0.0"."""
    notes: list[str] = []
    return "1.0" if await _judge(ctx).ua_match(question, reference, pred, notes) else "0.0"


FUNC_HELPERS: dict[str, Helper] = {
    helper.__name__: helper
    for helper in (
        shopping_get_latest_order_url,
        shopping_get_sku_latest_review_author,
        shopping_get_sku_latest_review_rating,
        reddit_get_post_url,
        gitlab_get_project_memeber_role,
        llm_fuzzy_match,
        llm_ua_match,
    )
}



def _check_registry() -> None:
    """The loader checks configs against ``FUNC_HELPER_PARAMS``: every helper takes exactly those."""
    params = {
        name: tuple(inspect.signature(helper).parameters)[1:]  # after the context
        for name, helper in FUNC_HELPERS.items()
    }
    if params != FUNC_HELPER_PARAMS:  # pragma: no cover - a helper changed without the table
        raise RuntimeError(
            "webarena_gym.evaluation.helpers.FUNC_HELPERS and "
            "webarena_gym.tasks.funcs.FUNC_HELPER_PARAMS differ; update the table"
        )


_check_registry()


async def call_helper(call: FuncCall, ctx: HelperContext) -> str:
    """Run a parsed ``func:`` call: ``__page__`` becomes ``ctx.page``, ``__last_url__`` (bare or
    inside a string) the agent's final URL.

    Raises:
        EvaluationError: unknown helper, wrong arguments, no page for ``__page__``, or the
            helper's site cannot be reached; the message names the task and helper.
    """
    problem = check_func_call(call)
    if problem:
        raise ctx.fail(problem)
    args: list[Any] = []
    for arg in call.args:
        if arg == PAGE_ARG:
            if ctx.page is None:
                raise ctx.fail(f"{PAGE_ARG} is only available in a locator")
            args.append(ctx.page)
        elif isinstance(arg, str):
            args.append(arg.replace(LAST_URL_ARG, ctx.final_url))
        else:
            args.append(arg)
    return await FUNC_HELPERS[call.name](ctx, *args)
