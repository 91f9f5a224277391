"""Shared fixtures: a static page server on 127.0.0.1 and the Chromium to drive.

The page server serves ``tests/pages`` (and answers a few dynamic routes used by the env tests)
on an ephemeral loopback port; it stops at the end of the session.
"""

from __future__ import annotations

import http.server
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from helpers import serve

PAGES = Path(__file__).parent / "pages"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from tests/pages plus a few dynamic routes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(PAGES), **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server naming
        parsed = urlparse(self.path)
        if parsed.path == "/slow":
            # A page that never finishes loading within a test's navigation timeout.
            delay = float(parse_qs(parsed.query).get("s", ["30"])[0])
            time.sleep(delay)
            self._send_html("<html><body><h1>Finally</h1></body></html>")
            return
        if parsed.path == "/hang":
            # A request that is never answered (the thread is a daemon: it dies with the server).
            time.sleep(float(parse_qs(parsed.query).get("s", ["120"])[0]))
            return
        if parsed.path == "/half":
            # Headers and half of the body, then silence.
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", "4000")
                self.end_headers()
                self.wfile.write(b"<html><body><h1>Half a page</h1>" + b" " * 1000)
                self.wfile.flush()
                time.sleep(120)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if parsed.path == "/echo":
            query = parse_qs(parsed.query)
            pairs = "&".join(f"{k}={v[0]}" for k, v in sorted(query.items()))
            self._send_html(f"<html><body><h1>Echo</h1><pre id='q'>{pairs}</pre></body></html>")
            return
        if parsed.path == "/headers":
            lines = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
            self._send_html(f"<html><body><pre id='h'>{lines}</pre></body></html>")
            return
        super().do_GET()

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        self._send_html(f"<html><body><h1>Posted</h1><pre id='body'>{body}</pre></body></html>")

    def _send_html(self, body: str) -> None:
        data = body.encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser gave up waiting (the slow page's purpose)


@pytest.fixture(scope="session")
def page_server() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of a server for ``tests/pages``; stopped after the session."""
    with serve(_Handler) as base:
        yield base
