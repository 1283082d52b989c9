"""The demo data gives a new user an account to log in to the admin with, and says which."""

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_the_demo_admin_logs_in_with_the_password_the_command_prints(client):
    said = call_command("load_demo_data")

    # It should name the login, and that login should open the admin.
    assert "user admin, password admin" in said
    page = client.post(
        reverse("admin:login"), {"username": "admin", "password": "admin", "next": "/admin/"}
    )
    assert page.status_code == 302 and page["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_it_never_touches_a_database_with_data(django_user_model):
    django_user_model.objects.create_user("admin", password="a-real-password")

    said = call_command("load_demo_data")

    assert said == "The database already has data: demo data not loaded."
    assert django_user_model.objects.get(username="admin").check_password("a-real-password")
