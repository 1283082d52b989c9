"""A real Pushgateway on loopback, started by the tests."""

import subprocess

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.processes import wait_until

PUSHGATEWAY_BINARY = "/usr/bin/prometheus-pushgateway"


class Pushgateway:
    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                PUSHGATEWAY_BINARY,
                f"--web.listen-address=127.0.0.1:{port}",
                "--web.enable-admin-api",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._ready, message="the Pushgateway to start")

    def _ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/-/ready", timeout=1).ok
        except requests.ConnectionError:
            return False

    def wipe(self) -> None:
        requests.put(f"{self.url}/api/v1/admin/wipe", timeout=5).raise_for_status()

    def samples(self, name: str) -> list:
        text = requests.get(f"{self.url}/metrics", timeout=5).text
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
