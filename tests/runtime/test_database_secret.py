"""The password in DATABASE_URL never reaches a log line (PostgreSQL: SQLite URLs have none)."""

import pytest

from tests.support.processes import database_url, run_job


@pytest.mark.django_db(transaction=True)
def test_the_database_password_never_reaches_logs(settings):
    password = "db-pa55-secret"
    user = settings.DATABASES["default"]["USER"]
    # Trust authentication accepts any password: the run succeeds in reaching the database.
    url = database_url().replace(f"//{user}@", f"//{user}:{password}@")

    result = run_job("run", "fail", "--message", f"dsn has {password}", DATABASE_URL=url)

    assert result.returncode == 1
    assert password not in result.stdout + result.stderr
    assert "dsn has ***" in result.summary["error"]
