"""A minimal client for OpenAI-compatible chat-completion endpoints (stdlib only).

Used by the fuzzy-match judge and by ``r1_trainer.policies.OpenAIPolicy``: any server that speaks
``POST {base_url}/chat/completions`` (OpenAI, vLLM's ``vllm serve``, llama.cpp, SGLang, ...).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any


class ChatAPIError(RuntimeError):
    """The endpoint is unreachable, answered an HTTP error, or a body without a reply."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def chat_completion(
    base_url: str,
    model: str,
    messages: Sequence[Mapping[str, str]],
    *,
    api_key: str | None = None,
    timeout_s: float = 60.0,
    **params: Any,
) -> dict[str, Any]:
    """One chat completion; returns ``{"content": str, "usage": dict, "finish_reason": str}``.

    Args:
        base_url: the API root, e.g. ``https://api.openai.com/v1`` or ``http://127.0.0.1:8000/v1``.
        model: the model name the server knows.
        messages: ``[{"role": ..., "content": ...}, ...]``.
        api_key: sent as a Bearer token when given.
        timeout_s: how long to wait for the answer.
        params: more body fields (``temperature``, ``max_tokens``, ``top_p``, ``seed``, ...).

    Raises:
        ChatAPIError: naming the URL and what went wrong (``status`` holds the HTTP code).
    """
    body = {"model": model, "messages": [dict(m) for m in messages], **params}
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    url = f"{base_url.rstrip('/')}/chat/completions"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            data: Any = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        raise ChatAPIError(f"{url} answered HTTP {exc.code}: {detail}", status=exc.code) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChatAPIError(f"{url} is unreachable ({exc})") from None
    except ValueError:
        raise ChatAPIError(f"{url} did not answer JSON") from None
    try:
        choice = data["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ChatAPIError(f"{url} answered no choices[0].message.content") from None
    return {
        "content": content if isinstance(content, str) else "",
        "usage": data.get("usage") or {},
        "finish_reason": choice.get("finish_reason") or "",
    }
