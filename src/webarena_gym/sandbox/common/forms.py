"""Forms: reading a posted form within size limits, and GET forms' blank fields.

Every site reads its POST forms with :func:`read_form`. A form larger than ``max_bytes`` gets a
413, one with more than ``max_fields`` fields a 400, and file uploads are refused (no site takes
any): an agent's text box cannot make a site parse megabytes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from webarena_gym.sandbox.common.web import Endpoint

#: The most bytes a posted form may have (the host's own cap on any body is larger).
MAX_FORM_BYTES = 1024 * 1024
#: The most fields a posted form may have.
MAX_FORM_FIELDS = 1000


class Form(Mapping[str, str]):
    """A posted form. ``form[name]`` and ``form.get(name)`` give the last value sent for
    ``name`` (so a checkbox after its hidden default wins), :meth:`getlist` every value in
    order, :meth:`field` the last value stripped of surrounding white space."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items = list(items)
        self._last = dict(self._items)

    def __getitem__(self, name: str) -> str:
        return self._last[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._last)

    def __len__(self) -> int:
        return len(self._last)

    def getlist(self, name: str) -> list[str]:
        """Every value sent for ``name``, in order (empty when none was)."""
        return [value for key, value in self._items if key == name]

    def field(self, name: str, default: str = "") -> str:
        """The last value sent for ``name``, stripped; ``default`` when none was."""
        return self._last[name].strip() if name in self._last else default


async def read_form(request: Request, *, max_bytes: int = MAX_FORM_BYTES,
                    max_fields: int = MAX_FORM_FIELDS) -> Form:
    """The posted form (URL-encoded or multipart without files).

    Raises:
        HTTPException: 413 when the body is over ``max_bytes``; 400 when it has more than
            ``max_fields`` fields, a file, or a malformed multipart body.
    """
    body = await request.body()
    if len(body) > max_bytes:
        raise HTTPException(413, f"A form may have at most {max_bytes} bytes.")
    data = await request.form(max_files=0, max_fields=max_fields, max_part_size=max_bytes)
    return Form((name, str(value)) for name, value in data.multi_items())


def drops_blank_params(endpoint: Endpoint) -> Endpoint:
    """Redirect a GET with empty query parameters (a plain GET form sends every field) to the
    URL without them, so that a filtered list's URL names only the filters in use."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        pairs = request.query_params.multi_items()
        kept = [(k, v) for k, v in pairs if v.strip()]
        if len(kept) != len(pairs):
            query = urlencode(kept)
            return RedirectResponse(request.url.path + (f"?{query}" if query else ""),
                                    status_code=302)
        return await endpoint(request)

    return wrapper
