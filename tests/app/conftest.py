import pytest
from django.contrib.auth.models import Permission, User

from jobs.models import JobRun


@pytest.fixture
def admin_client_of(client):
    def log_in(*permissions: str, superuser=False):
        user = User.objects.create_user("olga", is_staff=True, is_superuser=superuser)
        for codename in permissions:
            user.user_permissions.add(Permission.objects.get(codename=codename))
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def failed_statistics_run(db):
    return JobRun.objects.create(
        job="housekeeping",
        entry="statistics",
        trigger="scheduled",
        status="failed",
        error="db gone",
    )
