"""Staff only, decided here and nowhere else: every page of the admin and of the scheduler dashboard
(the board's fragment and the old dashboard's address included) answers anyone but an active staff
user with 403 and a short page saying so, with a link to log in.

A middleware rather than a check per view: it also covers the admin's own views (whose
`admin_view` would send them to the login page with a 302, HTML a fragment's script would inject
into the board) and answers before the CSRF check, so an anonymous POST gets this page too. The
login and logout pages stay open, and static files never get here (whitenoise answers first). The
API decides for itself, in JSON (jobs/web/auth.py): 401 without credentials, 403 for others'.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# The old scheduler dashboard's address (jobs/urls.py): a redirect to the dashboard, staff's too.
OLD_DASHBOARD = "old-scheduler-dashboard"


def is_staff(user) -> bool:
    # An inactive account's session no longer authenticates (ModelBackend): it is anonymous here.
    return user.is_authenticated and user.is_active and user.is_staff


def needs_staff(path: str) -> bool:
    """The admin's pages but its login and logout, and the old dashboard's address."""
    if path in (reverse("admin:login"), reverse("admin:logout")):
        return False
    return path.startswith(reverse("admin:index")) or path.rstrip("/") == reverse(OLD_DASHBOARD)


def login_url(request) -> str:
    """The admin's login page, back to the page asked for once logged in."""
    return f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()}, safe='/')}"


def refusal(request) -> TemplateResponse:
    page = {
        **admin.site.each_context(request),
        "title": "Staff only",
        "login_url": login_url(request),
    }
    response = TemplateResponse(request, "admin/runs/staff_only.html", page, status=403)
    add_never_cache_headers(response)
    return response.render()  # a middleware's answer is not rendered by the handler


class StaffOnlyMiddleware:
    """After AuthenticationMiddleware (it reads `request.user`), before any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_staff(request.path) and not is_staff(request.user):
            return refusal(request)
        return self.get_response(request)
