"""Real HTTP peers on loopback for job tests: a scriptable server (feeds, misbehaving upstreams)
and the Django app itself behind a real WSGI server. Both record every request they get."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


@dataclass
class Reply:
    status: int = 200
    body: object = None  # dict/list: sent as JSON; str/bytes: sent as is
    headers: dict = field(default_factory=dict)
    delay: float = 0  # seconds before answering (to make a client time out)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body if self.body is not None else {}).encode()


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict
    at: float  # time.monotonic()


class ScriptedServer:
    """Answers with the scripted replies in order, then repeats the last one."""

    def __init__(self, *replies: Reply):
        self.replies = list(replies) or [Reply()]
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def _next_reply(self, seen: Seen) -> Reply:
        self.requests.append(seen)
        index = min(len(self.requests), len(self.replies)) - 1
        return self.replies[index]

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                seen = Seen(self.command, self.path, dict(self.headers), time.monotonic())
                reply = server._next_reply(seen)
                if reply.delay:
                    server.stopping.wait(reply.delay)
                body = reply.encoded()
                self.send_response(reply.status)
                content_type = reply.headers.get("Content-Type", "application/json")
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> "ScriptedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class LiveApp:
    """app.wsgi.application served by wsgiref on loopback, one request at a time."""

    def __init__(self):
        from app.wsgi import application

        self.requests: list[Seen] = []

        def recording(environ, start_response):
            headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
            self.requests.append(
                Seen(environ["REQUEST_METHOD"], environ["PATH_INFO"], headers, time.monotonic())
            )
            return application(environ, start_response)

        self.httpd = make_server("127.0.0.1", 0, recording, WSGIServer, QuietHandler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "LiveApp":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
