"""The app's settings for a web server a test starts: the real ones, with the static files the
test session collected (STATIC_ROOT is fixed in app/settings.py; each session collects its own)."""

import os

from app.settings import *  # noqa: F403

STATIC_ROOT = os.environ["TEST_STATIC_ROOT"]
