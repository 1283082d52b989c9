"""A real Pushgateway on loopback, started by the tests; with `users`, behind basic auth as the
prometheus-community chart's webConfiguration.basicAuthUsers sets it up (bcrypt hashes)."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import bcrypt
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.processes import wait_until

PUSHGATEWAY_BINARY = "/usr/bin/prometheus-pushgateway"


def web_config(users: dict[str, str]) -> Path:
    """A --web.config.file granting each user its password; cost 4, the fastest bcrypt allows."""
    hashes = {
        user: bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode() for user, pw in users.items()
    }
    path = Path(tempfile.mkdtemp(prefix="pushgateway-")) / "web-config.yml"
    path.write_text(json.dumps({"basic_auth_users": hashes}))  # JSON is YAML
    return path


class Pushgateway:
    def __init__(self, port: int, users: dict[str, str] | None = None):
        self.url = f"http://127.0.0.1:{port}"
        # The tests' own requests log in as the first user.
        self.auth = next(iter(users.items())) if users else None
        self.config = web_config(users) if users else None
        auth_args = [f"--web.config.file={self.config}"] if self.config else []
        self.process = subprocess.Popen(
            [
                PUSHGATEWAY_BINARY,
                f"--web.listen-address=127.0.0.1:{port}",
                "--web.enable-admin-api",
                *auth_args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._ready, message="the Pushgateway to start")

    def _ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/-/ready", auth=self.auth, timeout=1).ok
        except requests.ConnectionError:
            return False

    def wipe(self) -> None:
        requests.put(f"{self.url}/api/v1/admin/wipe", auth=self.auth, timeout=5).raise_for_status()

    def samples(self, name: str) -> list:
        text = requests.get(f"{self.url}/metrics", auth=self.auth, timeout=5).text
        return [
            sample
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == name
        ]

    def value(self, name: str, **labels) -> float | None:
        matches = [s.value for s in self.samples(name) if labels.items() <= s.labels.items()]
        assert len(matches) <= 1, f"{name}{labels} matches {len(matches)} series"
        return matches[0] if matches else None

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.config:
            shutil.rmtree(self.config.parent)
