"""What the scheduler shows of itself: Prometheus metrics at /metrics and /healthz, on a port of
its own (loopback by default). The jobs push their own metrics to the Pushgateway as always.

/healthz answers 200 while the loop goes round (the single-process scheduler's "endpoint to verify the scheduler is
running"), and 503 once it has not for STALE_SECONDS: a stuck scheduler is a dead one.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

STALE_SECONDS = 30
# Lateness from due time to the child's start: well under a second is the aim.
LATENESS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)


class Metrics:
    """The scheduler's own metrics, in a registry of their own."""

    def __init__(self):
        self.registry = CollectorRegistry()
        r, prefix = self.registry, "cronsuite_scheduler"
        self.entries = Gauge(f"{prefix}_entries", "Schedule entries.", ["state"], registry=r)
        self.fires = Counter(f"{prefix}_fires", "Runs started.", ["entry"], registry=r)
        self.skips = Counter(
            f"{prefix}_skips", "Due runs not started.", ["entry", "reason"], registry=r
        )
        self.retries = Counter(f"{prefix}_retries", "Attempts retried.", ["entry"], registry=r)
        self.kills = Counter(
            f"{prefix}_kills",
            "Signals sent to children.",
            ["entry", "signal", "reason"],
            registry=r,
        )
        self.reloads = Counter(f"{prefix}_reloads", "Values reloads.", ["result"], registry=r)
        self.lateness = Histogram(
            f"{prefix}_lateness_seconds",
            "From a run's due time to its child's start.",
            buckets=LATENESS_BUCKETS,
            registry=r,
        )
        self.children = Gauge(f"{prefix}_children_running", "Children running.", registry=r)
        self.leader = Gauge(f"{prefix}_leader", "1 leader, 0 standby.", registry=r)
        self.last_tick = Gauge(
            f"{prefix}_last_tick_timestamp_seconds", "When the loop last went round.", registry=r
        )
        self.ticked = time.monotonic()
        self.role = "standby"

    def tick(self, leading: bool, children: int) -> None:
        self.ticked = time.monotonic()
        self.last_tick.set_to_current_time()
        self.set_role(leading)
        self.children.set(children)

    def set_role(self, leading: bool) -> None:
        # Also said the moment leadership changes, before the round's fires: /healthz must not
        # say "standby" after the log has said "leader".
        self.role = "leader" if leading else "standby"
        self.leader.set(1 if leading else 0)

    def health(self) -> tuple[int, dict]:
        """200 while the loop goes round, 503 once it has stopped for STALE_SECONDS."""
        age = time.monotonic() - self.ticked
        healthy = age < STALE_SECONDS
        body = {"status": "ok" if healthy else "stuck", "role": self.role, "tick_age_seconds": age}
        return (200 if healthy else 503), body


class Handler(BaseHTTPRequestHandler):
    metrics: Metrics

    def do_GET(self):
        if self.path == "/metrics":
            self.answer(200, CONTENT_TYPE_LATEST, generate_latest(self.metrics.registry))
        elif self.path == "/healthz":
            status, body = self.metrics.health()
            self.answer(status, "application/json", json.dumps(body).encode())
        else:
            self.answer(404, "text/plain", b"Not found: try /metrics or /healthz\n")

    def answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # a scrape every 15 s is not news; the log is for fires, skips and kills


def serve(metrics: Metrics, host: str, port: int) -> ThreadingHTTPServer:
    """/metrics and /healthz in a daemon thread; the server, to close at exit."""
    handler = type("BoundHandler", (Handler,), {"metrics": metrics})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="observe", daemon=True).start()
    return server
