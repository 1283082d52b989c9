#!/usr/bin/env python
import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Read the environment before Django does: Django would turn a bad setting into "Unknown
    # command" and a traceback (exit 1); it is a configuration error, exit 2, in one line.
    try:
        settings.INSTALLED_APPS
    except ImproperlyConfigured as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    execute_from_command_line(sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
