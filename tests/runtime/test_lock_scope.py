"""A lock belongs to one database. PostgreSQL's advisory locks are per database by themselves;
MariaDB's GET_LOCK names are server-wide, so two cronsuite databases on one server (staging and
production, say) must never hold each other's job or leader locks."""

import pytest
from django.db import connection, connections

from jobs.runtime.locking import job_lock, lock_key

pytestmark = pytest.mark.core


def lock_taken_elsewhere(key: str) -> bool:
    """GET_LOCK(key) on a connection of its own, as another process would; any database of the
    server would do, since the names are server-wide."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, 0)", [key])
            return bool(cursor.fetchone()[0])
    finally:
        other.close()  # the server releases whatever it took


@pytest.mark.django_db(transaction=True)
def test_a_job_lock_held_here_does_not_block_the_same_job_of_another_database():
    if connection.vendor != "mysql":
        pytest.skip(
            f"needs MariaDB (DATABASE_URL is {connection.vendor}): only GET_LOCK names are "
            "server-wide; `make test-mariadb` runs it"
        )
    here = connection.settings_dict["NAME"]

    with job_lock("housekeeping") as lock:
        assert lock.acquired
        # The same job's lock, as a run on this database would ask for it: held...
        same = lock_taken_elsewhere(lock_key("mysql", "housekeeping", here))
        # ...and as a run on another database of the same server would: free.
        other = lock_taken_elsewhere(lock_key("mysql", "housekeeping", f"{here}_staging"))

    assert (same, other) == (False, True)
