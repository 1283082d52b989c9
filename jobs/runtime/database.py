from django.conf import settings
from django.db import connections


def close_connections() -> None:
    """Close every connection this process opened; a run never leaves one behind."""
    if not settings.configured:  # the settings themselves failed: nothing was opened
        return
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection is being thrown away anyway
            pass
