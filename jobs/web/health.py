from django.http import HttpResponse


def healthz(request):
    """The app is up and serving requests: what `health-check` asks of BASE_URL.

    No database query: the database is checked on its own, and a liveness probe must stay cheap.
    """
    return HttpResponse("ok\n", content_type="text/plain")
