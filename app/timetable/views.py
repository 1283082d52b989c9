"""POST /api/groups/update, the endpoint the sync-timetable job calls.

Contract: docs/jobs/sync-timetable.md.
"""

import hmac

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from app.timetable.sync import FeedError, refresh


def error(status: int, message: str, **headers) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, headers=headers)


def has_token(request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Constant-time comparison of bytes: a str compare_digest rejects non-ASCII input.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@csrf_exempt  # a machine-to-machine call authenticated by its bearer token, not a browser form
@require_POST
def update_groups(request):
    if not settings.TOKEN:
        return error(503, "The server has no TOKEN configured.")
    if not has_token(request, settings.TOKEN):
        return error(401, "Missing or wrong bearer token.", **{"WWW-Authenticate": "Bearer"})
    if not settings.TIMETABLE_FEED_URL:
        return error(503, "The server has no TIMETABLE_FEED_URL configured.")
    try:
        counts = refresh(settings.TIMETABLE_FEED_URL, settings.TIMETABLE_FEED_TIMEOUT)
    except FeedError as e:
        return error(502, str(e))
    return JsonResponse(counts)
