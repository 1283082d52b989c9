"""A PostgreSQL server of the tests' own, on a free port, that a test may stop, freeze (SIGSTOP on
every server process, as a hung host looks to a client) or give a password role. The shared server
on 5432 is never stopped or frozen.

initdb refuses to run as root: as root the server runs as the `postgres` system user.
"""

import glob
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.support.processes import ROOT, free_port, wait_until

BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
# The superuser connects without a password; every other role must give its password.
HBA = """\
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


class OwnPostgres:
    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="cronsuite-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            subprocess.run(["chown", "postgres:", str(self.directory)], check=True)
        self._server(BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust")
        (self.data / "pg_hba.conf").write_text(HBA)
        self.start()

    def _server(self, *args) -> None:
        subprocess.run(
            [*self.as_postgres, *map(str, args)], check=True, capture_output=True, timeout=120
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = self.directory / "server.log"  # not a pipe: the server would hold it open
        self._server(BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self.thaw()
        self._server(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def processes(self) -> list[int]:
        """The postmaster and its children; none when the server is stopped."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return []
        postmaster = int(pid_file.read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> None:
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.processes():
            os.kill(pid, signal.SIGCONT)

    def url(self, database: str = "cronsuite", user: str = "postgres", password: str = "") -> str:
        secret = f":{password}" if password else ""
        return f"postgres://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=10) as db:
            db.execute(sql)

    def create_database(self, name: str = "cronsuite") -> str:
        """A database with the app's tables, migrated by manage.py as the chart's hook does."""
        self.execute(f'CREATE DATABASE "{name}"')
        url = self.url(name)
        migrate = subprocess.run(
            [ROOT / ".venv" / "bin" / "python", "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, migrate.stderr
        return url

    def remove(self) -> None:
        try:
            self.stop()
        except (subprocess.CalledProcessError, FileNotFoundError, ProcessLookupError):
            pass  # already stopped by the test
        subprocess.run(["rm", "-rf", str(self.directory)], check=False)

    def answers(self) -> bool:
        try:
            self.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    def wait_until_up(self) -> None:
        wait_until(self.answers, message="the test's own PostgreSQL to answer")
