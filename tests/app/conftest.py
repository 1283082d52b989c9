import pytest
from django.contrib.auth.models import Permission, User


@pytest.fixture
def admin_client_of(client):
    def log_in(*permissions: str, superuser=False):
        user = User.objects.create_user("olga", is_staff=True, is_superuser=superuser)
        for codename in permissions:
            user.user_permissions.add(Permission.objects.get(codename=codename))
        client.force_login(user)
        return client

    return log_in
