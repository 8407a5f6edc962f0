import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from webhooks.models import Endpoint


class Receiver:
    """A real HTTP server on 127.0.0.1 that records each request and answers the statuses it is given in turn
    (the last one repeated)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses = [200]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": self.headers, "body": body, "path": self.path})
                status = receiver.statuses[min(len(receiver.requests), len(receiver.statuses)) - 1]
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answered {status}".encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/crm"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint_for(db, receiver):
    """An endpoint at the receiver, subscribed to the event types given."""
    return lambda *events, **fields: Endpoint.objects.create(url=receiver.url, events=list(events), **fields)


def documented_verify():
    """The verification function of docs/webhooks.md, as a receiver would copy it from there."""
    text = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    (code,) = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify" in block]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 — the documentation's own example, run as the receiver would
    return namespace["verify"]
