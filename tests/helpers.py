"""Test helpers: the Chromium processes a test started (Linux /proc), loopback servers."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator

from webarena_gym.browser.processes import browser_pids, chromium_pids, descendant_pids

__all__ = ["browser_pids", "chromium_pids", "descendant_pids", "serve"]


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on an ephemeral 127.0.0.1 port; yields the base URL, stops after."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
