"""Who may call the scheduler API, and how every refusal answers: JSON, never an HTML page.

Django REST framework's token authentication (tokens a staff user creates and revokes in the
admin, under *Auth Token*) sits beside the admin's session (whose POSTs need the CSRF token)."""

import logging

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

logger = logging.getLogger(__name__)

NOT_AUTHENTICATED = (
    "Log in to the admin, or send `Authorization: Bearer TOKEN` with a token a staff user "
    "created in the admin (Auth Token > Tokens)."
)


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's tokens under the word the old dashboard's examples use: `Authorization: Bearer TOKEN`."""

    keyword = "Bearer"


class IsStaff(BasePermission):
    """Active staff, holding the view's `required_permission` when it names one."""

    message = "Staff only: this account is not a staff account."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_active and user.is_staff):
            return False
        needed = getattr(view, "required_permission", None)
        if needed and not user.has_perm(needed):
            self.message = f"This account lacks the permission {needed}."
            return False
        return True


def json_error(exc, context) -> Response:
    """Every failure as `{"error": "..."}`: 400, 401, 403 (CSRF included), 404, 405, 500."""
    # Imported here: rest_framework.views reads the authentication classes of this module.
    from rest_framework.views import exception_handler

    response = exception_handler(exc, context)
    if response is None:  # not an API error: a bug, whose details stay in the log
        logger.error("The scheduler API failed.", exc_info=exc)
        return Response({"error": "The server failed; its log has the details."}, status=500)
    if isinstance(exc, exceptions.NotAuthenticated):
        response.data = {"error": NOT_AUTHENTICATED}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": str(response.data["detail"])}
    else:  # a serializer's errors, field by field
        response.data = {"error": "The request is not valid.", "fields": response.data}
    return response
