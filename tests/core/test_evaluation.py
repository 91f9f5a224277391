"""The reward: string_match, url_match, judges, and program_html on real pages in Chromium."""

from __future__ import annotations

import asyncio
import http.server
import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from helpers import serve

from webarena_gym.browser.discovery import ChromiumNotFoundError, find_chromium
from webarena_gym.evaluation import (
    EvalResult,
    EvaluationError,
    HelperContext,
    JudgeError,
    OfflineJudge,
    OpenAIJudge,
    call_helper,
    default_judge,
    evaluate_task,
    exact_match,
    must_exclude,
    must_include,
    url_matches,
)
from webarena_gym.tasks import TaskConfig, parse_func_call

PAGES = Path(__file__).parent.parent / "pages" / "eval"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def make_task(eval_types: list[str], task_id: int = 1, intent: str = "Do it", **eval_fields):
    """A task with the given ``eval`` block (validated by the real loader)."""
    return TaskConfig.from_dict(
        {
            "task_id": task_id,
            "sites": ["shopping"],
            "intent": intent,
            "start_url": "http://127.0.0.1:1/",
            "eval": {"eval_types": eval_types, **eval_fields},
        }
    )


def evaluate(task, answer="", final_url="", context=None, site_urls=None, judge=None) -> EvalResult:
    """evaluate_task for tests that need no browser."""
    return asyncio.run(
        evaluate_task(
            task,
            answer=answer,
            final_url=final_url,
            context=context,
            site_urls=site_urls or {},
            judge=judge or OfflineJudge(),
        )
    )




class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def send_body(self, status: int, body: str, content_type: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# ---------------------------------------------------------------- string matching


def test_exact_match_cleans_case_space_and_quotes():
    assert exact_match("Yes", '  "yes" ')
    assert exact_match("N/A", "'n/a'")
    assert not exact_match("Yes", "yes, it is")


def test_must_include_tokens_single_numbers():
    assert not must_include("0", "There are 10 reviews", tokenize=True)
    assert must_include("0", "There are 0 reviews.", tokenize=True)
    assert must_include("25", "It costs $25.00", tokenize=True)
    assert not must_include("5", "25 stars", tokenize=True)
    assert must_include("0", "10")  # untokenized: plain substring, as program_html does
    assert must_include("Hollister", "hollister's shop", tokenize=True)


def test_must_include_or_and_must_exclude():
    assert must_include("65 |OR| 3", "three, i.e. 3")
    assert must_include("red |OR| blue", "BLUE")
    assert not must_include("red |OR| blue", "green")
    assert must_exclude("spam", "eggs and ham")
    assert not must_exclude("spam |OR| ham", "eggs and ham")


def test_string_match_must_include_single_zero_vs_ten():
    task = make_task(["string_match"], reference_answers={"must_include": ["0"]})
    assert evaluate(task, answer="10").reward == 0.0
    assert evaluate(task, answer="0").reward == 1.0


def test_string_match_kinds_combined():
    task = make_task(
        ["string_match"],
        reference_answers={
            "must_include": ["Impulse Duffle", "Overnight Duffle |OR| Night Duffle"],
            "must_exclude": ["Yoga"],
        },
    )
    ok = evaluate(task, answer="Impulse Duffle and Night Duffle")
    assert ok.reward == 1.0 and ok.judge is None and not ok.judge_fallback
    bad = evaluate(task, answer="Impulse Duffle, Yoga Short")
    assert bad.reward == 0.0
    info = bad.to_info()
    json.dumps(info)
    [string] = info["evaluators"]
    assert string["name"] == "string_match"
    assert string["found"] == "Impulse Duffle, Yoga Short"
    assert string["expected"]["must_exclude"] == ["Yoga"]
    assert any("Overnight Duffle" in n for n in string["notes"])
    assert any("'Yoga' found" in n for n in string["notes"])
    exact = make_task(["string_match"], reference_answers={"exact_match": "Yes"})
    assert evaluate(exact, answer='"Yes"').reward == 1.0
    assert evaluate(exact, answer="Yes.").reward == 0.0


def test_fuzzy_match_offline_judge_is_flagged():
    task = make_task(["string_match"], reference_answers={"fuzzy_match": ["10h 33min", "Acadia"]})
    result = evaluate(task, answer="It takes 10h 33min to drive to Acadia.")
    assert result.reward == 1.0
    assert result.judge == "offline" and result.judge_fallback
    assert result.to_info()["judge_fallback"] is True
    assert evaluate(task, answer="It takes 10h to drive to Acadia").reward == 0.0


def test_unachievable_task():
    task = make_task(
        ["string_match"],
        reference_answers={"fuzzy_match": "N/A"},
        string_note="cannot add order history",
    )
    plain = evaluate(task, answer="N/A")
    assert plain.reward == 1.0 and plain.judge is None  # exact "N/A" needs no judge
    reason = evaluate(task, answer="N/A: we cannot add order history here")
    assert reason.reward == 1.0 and reason.judge_fallback
    assert evaluate(task, answer="Done, I added it").reward == 0.0


# ---------------------------------------------------------------- url matching


def test_url_match_gold_in_pred():
    ref = "http://r.test/f/machinelearning |OR| http://r.test/f/deeplearning/"
    assert url_matches(ref, "http://r.test/f/deeplearning")[0]
    assert url_matches(ref, "http://r.test/f/machinelearning/new?page=2")[0]
    ok, notes = url_matches(ref, "http://r.test/f/technology")
    assert not ok and "no reference path" in notes[0]
    query_ref = "http://s.test/catalogsearch/result/?q=shoes&cat=3 |OR| http://s.test/x?q=boots"
    assert url_matches(query_ref, "http://s.test/catalogsearch/result/?cat=3&q=boots&p=2")[0]
    ok, notes = url_matches(query_ref, "http://s.test/catalogsearch/result/?q=hats&cat=3")
    assert not ok and "'q'" in notes[0]


def test_url_match_exact_and_evaluator():
    assert url_matches("http://g.test/a/b/", "http://g.test/a/b", "EXACT")[0]
    assert not url_matches("http://g.test/a/b", "http://g.test/a/b/c", "EXACT")[0]
    task = make_task(["url_match"], reference_url="__SHOPPING__/checkout/cart", url_note="EXACT")
    result = evaluate(
        task,
        final_url="http://shop.test/checkout/cart/",
        site_urls={"shopping": "http://shop.test/"},
    )
    assert result.reward == 1.0
    assert result.results[0].expected["reference_url"] == "http://shop.test/checkout/cart"


def test_reward_is_product_of_evaluators():
    task = make_task(
        ["string_match", "url_match"],
        reference_answers={"exact_match": "42"},
        reference_url="http://a.test/x",
    )
    assert evaluate(task, answer="42", final_url="http://a.test/x").reward == 1.0
    both = evaluate(task, answer="42", final_url="http://a.test/y")
    assert both.reward == 0.0 and [r.score for r in both.results] == [1.0, 0.0]


# ---------------------------------------------------------------- judges


def test_offline_judge_normalizes():
    judge = OfflineJudge()
    assert judge.fuzzy_match("q", "Pittsburgh, PA", "it's in pittsburgh pa!")
    assert not judge.fuzzy_match("q", "10", "100 km")
    assert not judge.fuzzy_match("q", "", "anything")


def test_default_judge_from_environment(monkeypatch):
    monkeypatch.delenv("WEBARENA_GYM_JUDGE_BASE_URL", raising=False)
    assert isinstance(default_judge(), OfflineJudge)
    monkeypatch.setenv("WEBARENA_GYM_JUDGE_BASE_URL", "http://127.0.0.1:9/v1/")
    monkeypatch.setenv("WEBARENA_GYM_JUDGE_MODEL", "judge-model")
    monkeypatch.delenv("WEBARENA_GYM_JUDGE_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    judge = default_judge()
    assert isinstance(judge, OpenAIJudge)
    assert (judge.base_url, judge.model, judge.api_key) == (
        "http://127.0.0.1:9/v1",
        "judge-model",
        "sk-test",
    )
    assert "sk-test" not in repr(judge)
    # Without a model named, each harness mode asks the harness's own judge model.
    monkeypatch.delenv("WEBARENA_GYM_JUDGE_MODEL")
    assert default_judge("vab").model == default_judge("webarena").model == "gpt-4-1106-preview"
    assert default_judge("gym").model == default_judge().model == "gpt-4o"


def _chat_server(replies: list, seen: list):
    """A handler answering /v1/chat/completions with scripted replies (str, or int = HTTP error)."""

    class Handler(_QuietHandler):
        def do_POST(self):  # noqa: N802 - http.server naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.path, self.headers.get("Authorization"), body))
            reply = replies.pop(0)
            if isinstance(reply, int):
                self.send_body(reply, '{"error": "overloaded"}')
                return
            choice = {"index": 0, "message": {"role": "assistant", "content": reply}}
            self.send_body(200, json.dumps({"choices": [choice]}))

    return Handler


def test_openai_judge_against_scripted_endpoint():
    replies = [
        "The answer is correct.",
        "Incorrect.",
        "partially correct",
        "Same.",
        "different",
        "no idea",
        500,
    ]
    seen: list = []
    with serve(_chat_server(replies, seen)) as base:
        judge = OpenAIJudge(base + "/v1/", "judge-model", api_key="sk-1")
        assert judge.fuzzy_match("q", "ref", "pred") is True
        assert judge.fuzzy_match("q", "ref", "pred") is False
        assert judge.fuzzy_match("q", "ref", "pred") is False
        assert judge.ua_match("q", "ref", "pred") is True
        assert judge.ua_match("q", "ref", "pred") is False
        with pytest.raises(JudgeError, match="no correct/incorrect verdict"):
            judge.fuzzy_match("q", "ref", "pred")
        with pytest.raises(JudgeError, match="HTTP 500"):
            judge.fuzzy_match("q", "ref", "pred")
    path, auth, body = seen[0]
    assert path == "/v1/chat/completions" and auth == "Bearer sk-1"
    assert body["model"] == "judge-model" and body["temperature"] == 0
    prompt = body["messages"][-1]["content"]
    assert "reference answer: ref" in prompt and "student answer: pred" in prompt
    assert "actual unachievable reason: ref" in seen[3][2]["messages"][-1]["content"]
    with pytest.raises(JudgeError, match="unreachable"):
        OpenAIJudge(base, "m", timeout_s=2).fuzzy_match("q", "r", "p")


def test_evaluate_task_with_llm_judge():
    seen: list = []
    task = make_task(
        ["string_match"],
        intent="How long?",
        reference_answers={"fuzzy_match": ["about two hours", "by car"]},
    )
    with serve(_chat_server(["correct", "correct", "correct", "I am not sure"], seen)) as base:
        judge = OpenAIJudge(base, "m")
        result = evaluate(task, answer="Roughly 2 h driving", judge=judge)
        assert result.reward == 1.0 and result.judge == "openai:m" and not result.judge_fallback
        unclear = evaluate(task, answer="Roughly 2 h driving", judge=judge)
    assert unclear.reward == 0.0
    assert any("no correct/incorrect verdict" in n for n in unclear.results[0].notes)
    assert "question: How long?" in seen[0][2]["messages"][-1]["content"]
    assert len(seen) == 4  # one request per fuzzy reference


# ---------------------------------------------------------------- program_html in Chromium


def run_in_browser(scenario):
    """``asyncio.run`` a coroutine ``scenario(context)`` on a fresh Chromium; always closed."""
    try:
        executable = find_chromium().path
    except ChromiumNotFoundError as exc:
        pytest.skip(f"no Chromium: {exc}")
    from playwright.async_api import async_playwright

    async def main():
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                context = await browser.new_context()
                return await scenario(context)
            finally:
                await browser.close()

    return asyncio.run(main())


def html_task(checks: list[dict], intent: str = "Do it", task_id: int = 1) -> TaskConfig:
    return make_task(["program_html"], task_id=task_id, intent=intent, program_html=checks)


def test_program_html_locators_and_contents(page_server):
    product = f"{page_server}/eval/product.html"
    title = "document.querySelector('.page-title').outerText"
    cases = [
        # (check, expected score, note fragment)
        (
            {
                "url": product,
                "locator": title,
                "required_contents": {"exact_match": "overnight duffle"},
            },
            1.0,
            None,
        ),
        (
            {
                "url": product,
                "locator": title,
                "required_contents": {"must_include": ["Duffle", "Bag |OR| Overnight"]},
            },
            1.0,
            None,
        ),
        (
            {"url": product, "locator": title, "required_contents": {"must_include": ["Impulse"]}},
            0.0,
            "'Impulse' not found",
        ),
        (
            {
                "url": product,
                "locator": title,
                "required_contents": {"fuzzy_match": ["Overnight", "Duffle"]},
            },
            1.0,
            None,
        ),
        (
            {
                "url": product,
                "locator": "",
                "required_contents": {
                    "must_include": ["Coffee & Tea Co.", "zipper broke"],
                    "must_exclude": ["Out of stock"],
                },
            },
            1.0,
            None,
        ),
        (
            {
                "url": product,
                "locator": "",
                "required_contents": {"must_exclude": ["Zipper broke"]},
            },
            0.0,
            "found",
        ),
        (
            {
                "url": "last",
                "locator": "[...document.querySelectorAll('.review')].map(e => e.innerText).join(' | ')",
                "required_contents": {"must_include": ["roomy | Zipper"]},
            },
            1.0,
            None,
        ),
        (
            {
                "url": product,
                "locator": "document.querySelector('.missing').outerText",
                "required_contents": {"must_include": ["x"]},
            },
            0.0,
            "locator failed",
        ),
        (
            {
                "url": product,
                "locator": "document.querySelector('.missing')",
                "required_contents": {"exact_match": ""},
            },
            1.0,
            "returned null",
        ),
        (
            {
                "url": product,
                "locator": "document.querySelector('#late').innerText",
                "required_contents": {"exact_match": "Rendered later"},
            },
            1.0,
            None,
        ),
        (
            {
                "url": product,
                "locator": "document.querySelector('#hidden').innerText",
                "prep_actions": ["document.querySelector('#reveal').click()"],
                "required_contents": {"exact_match": "Revealed text"},
            },
            1.0,
            None,
        ),
        (
            {
                "url": f"{page_server}/eval/nothing-here.html",
                "locator": "",
                "required_contents": {"must_include": ["Overnight"]},
            },
            0.0,
            "'Overnight' not found",
        ),
    ]

    async def scenario(context):
        agent_page = await context.new_page()
        await agent_page.goto(f"{page_server}/eval/gitlab/project_members.html")
        results = []
        for check, _, _ in cases:
            results.append(
                await evaluate_task(
                    html_task([check]),
                    answer="",
                    final_url=product,
                    context=context,
                    site_urls={},
                    judge=OfflineJudge(),
                )
            )
        # The agent's page was never navigated; every check's page was closed.
        assert agent_page.url.endswith("/eval/gitlab/project_members.html")
        assert context.pages == [agent_page]
        return results

    results = run_in_browser(scenario)
    for (check, score, note), result in zip(cases, results, strict=True):
        assert result.reward == score, (check, result.to_info())
        if note:
            assert any(note in n for n in result.results[0].notes), (check, result.to_info())
    info = results[0].to_info()
    json.dumps(info)
    [found] = info["evaluators"][0]["found"]
    assert found == {"target": product, "opened": True, "found": "Overnight Duffle", "score": 1.0}


def test_program_html_all_checks_must_pass_and_unreachable_url(page_server):
    product = f"{page_server}/eval/product.html"
    ok = {
        "url": product,
        "locator": "document.title",
        "required_contents": {"must_include": ["Duffle"]},
    }
    down = {
        "url": "http://127.0.0.1:9/",
        "locator": "",
        "required_contents": {"must_include": ["x"]},
    }

    async def scenario(context):
        good = await evaluate_task(
            html_task([ok, ok]),
            answer="",
            final_url=product,
            context=context,
            site_urls={},
            page_timeout_ms=5000,
        )
        bad = await evaluate_task(
            html_task([ok, down]),
            answer="",
            final_url=product,
            context=context,
            site_urls={},
            page_timeout_ms=5000,
        )
        return good, bad

    good, bad = run_in_browser(scenario)
    assert good.reward == 1.0
    assert bad.reward == 0.0
    assert [c["score"] for c in bad.results[0].found] == [1.0, 0.0]
    assert any("check 1: could not open http://127.0.0.1:9/" in n for n in bad.results[0].notes)


def test_program_html_needs_a_context():
    task = html_task(
        [{"url": "last", "locator": "", "required_contents": {"must_include": ["x"]}}], task_id=12
    )
    with pytest.raises(EvaluationError, match="task 12.*browser context"):
        evaluate(task, final_url="http://127.0.0.1:1/")


# ---------------------------------------------------------------- func: helpers


def test_reddit_get_post_url():
    ctx = HelperContext(task_id=1, helper="reddit_get_post_url", site_urls={})

    def post_url(url: str) -> str:
        return asyncio.run(call_helper(parse_func_call(f"func:reddit_get_post_url({url!r})"), ctx))

    assert post_url("http://r.test/f/books/124/my-title/comment/9") == "http://r.test/f/books/124/"
    assert post_url("http://r.test/f/books/124") == "http://r.test/f/books/124/"
    assert post_url("http://r.test/user/alice") == "http://r.test/user/alice"
    assert post_url("http://r.test/f/books") == "http://r.test/f/books"


def test_reddit_and_gitlab_helpers_on_site_pages(page_server):
    class RedditSite(_QuietHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(PAGES / "reddit"), **kwargs)

    members = {
        "url": "__GITLAB__/eval/gitlab/project_members.html",
        "locator": "func:gitlab_get_project_memeber_role(__page__, '{}')",
        "required_contents": {"must_include": ["{}"]},
    }

    def member_check(account: str, role: str) -> dict:
        check = json.loads(json.dumps(members))
        check["locator"] = check["locator"].format(account)
        check["required_contents"]["must_include"] = [role]
        return check

    post = {
        "url": "func:reddit_get_post_url('__last_url__')",
        "locator": "document.querySelector('.submission__inner').outerText",
        "required_contents": {"must_include": ["is car necessary in NYC", "to /f/books"]},
    }
    with serve(RedditSite) as reddit:
        site_urls = {"reddit": reddit, "gitlab": page_server + "/"}
        comment_url = f"{reddit}/f/books/124/is-car-necessary-in-nyc/comment/9"

        async def scenario(context):
            out = {}
            for name, checks in {
                "post": [post],
                "roles": [
                    member_check("vinta", "Guest"),
                    member_check("abisubramanya27", "Maintainer"),
                ],
                "wrong_role": [member_check("vinta", "Maintainer")],
                "no_member": [member_check("nobody", "Guest")],
            }.items():
                out[name] = await evaluate_task(
                    html_task(checks),
                    answer="",
                    final_url=comment_url,
                    context=context,
                    site_urls=site_urls,
                )
            return out

        results = run_in_browser(scenario)
    assert results["post"].reward == 1.0
    assert results["post"].results[0].found[0]["target"] == f"{reddit}/f/books/124/"
    assert results["roles"].reward == 1.0
    assert [c["found"] for c in results["roles"].results[0].found] == ["Guest", "Maintainer"]
    assert results["wrong_role"].reward == 0.0
    assert results["no_member"].reward == 0.0
    assert results["no_member"].results[0].found[0]["found"] == ""


class FakeMagento(_QuietHandler):
    """Magento's REST endpoints the shopping helpers use, plus an order page."""

    token = "tok-123"
    reviews = {
        "MSH09": [
            {"nickname": "Old Reviewer", "ratings": [{"rating_name": "Rating", "percent": 40}]},
            {"nickname": "Emma Lopez", "ratings": [{"rating_name": "Rating", "percent": 80}]},
        ]
    }

    def do_POST(self):  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/rest/default/V1/integration/admin/token" and body == {
            "username": "admin",
            "password": "admin1234",
        }:
            self.send_body(200, json.dumps(self.token))
        else:
            self.send_body(401, '{"message": "bad credentials"}')

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        if url.path == "/sales/order/view/order_id/190/":
            page = '<div class="order-details-items ordered"><td>SKU: B0738JQG6Q</td></div>'
            self.send_body(200, f"<html><body>{page}</body></html>", "text/html")
            return
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_body(401, '{"message": "unauthorized"}')
            return
        query = parse_qs(url.query)
        if url.path == "/rest/V1/orders":
            assert query["searchCriteria[sortOrders][0][direction]"] == ["DESC"]
            self.send_body(200, json.dumps({"items": [{"increment_id": "000000190"}]}))
        elif url.path.startswith("/rest/V1/products/") and url.path.endswith("/reviews"):
            sku = url.path.split("/")[4]
            self.send_body(200, json.dumps(self.reviews.get(sku, [])))
        else:
            self.send_body(404, "{}")


def test_shopping_rest_helpers():
    with serve(FakeMagento) as shop:
        ctx = HelperContext(task_id=5, helper="", site_urls={"shopping": shop + "/"})

        def run(text: str) -> str:
            return asyncio.run(call_helper(parse_func_call(text), ctx))

        assert run("func:shopping_get_sku_latest_review_author('MSH09')") == "Emma Lopez"
        assert run("func:shopping_get_sku_latest_review_rating('MSH09')") == "80"
        assert run("func:shopping_get_sku_latest_review_author('NONE')") == ""
        assert run("func:shopping_get_latest_order_url()") == (
            f"{shop}/sales/order/view/order_id/190/"
        )
        FakeMagento.token = "tok-rotated"  # the helper fetches a fresh token each time
        try:
            assert run("func:shopping_get_sku_latest_review_rating('MSH09')") == "80"
        finally:
            FakeMagento.token = "tok-123"


def test_shopping_order_check_end_to_end():
    check = {
        "url": "func:shopping_get_latest_order_url()",
        "locator": 'document.querySelector(".order-details-items.ordered").outerText',
        "required_contents": {"must_include": ["B0738JQG6Q"]},
    }
    author = {
        "url": "last",
        "locator": "func:shopping_get_sku_latest_review_author('MSH09')",
        "required_contents": {"exact_match": "Emma Lopez"},
    }
    with serve(FakeMagento) as shop:

        async def scenario(context):
            return await evaluate_task(
                html_task([check, author]),
                answer="",
                final_url=f"{shop}/sales/order/view/order_id/190/",
                context=context,
                site_urls={"shopping": shop},
            )

        result = run_in_browser(scenario)
    assert result.reward == 1.0, result.to_info()


def test_helper_without_its_site_url_names_task_helper_and_variable():
    check = {
        "url": "func:shopping_get_latest_order_url()",
        "locator": "",
        "required_contents": {"must_include": ["x"]},
    }
    ctx = HelperContext(task_id=33, helper="shopping_get_latest_order_url", site_urls={})
    with pytest.raises(EvaluationError) as err:
        asyncio.run(call_helper(parse_func_call(check["url"]), ctx))
    message = str(err.value)
    assert "task 33" in message and "shopping_get_latest_order_url" in message
    assert "WA_SHOPPING" in message
    with pytest.raises(EvaluationError, match="unknown func: helper"):
        asyncio.run(call_helper(parse_func_call("func:nope()"), ctx))


def test_shopping_helper_with_unreachable_or_refusing_site():
    with serve(FakeMagento) as shop:
        ctx = HelperContext(
            task_id=8,
            helper="shopping_get_latest_order_url",
            site_urls={"shopping": shop + "/wrong-root"},
        )
        with pytest.raises(EvaluationError, match="task 8.*HTTP 401"):
            asyncio.run(call_helper(parse_func_call("func:shopping_get_latest_order_url()"), ctx))
