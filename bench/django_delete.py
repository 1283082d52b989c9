"""Django's plain bulk delete of the old conversations, as a process of its own (for its RSS).

Run by bench/housekeeping.py with DATABASE_URL pointing at a bench database. Prints one JSON
line: {"conversations": N} (with on_delete=DB_CASCADE, delete() counts only the conversations).
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from app.chat.models import Conversation  # noqa: E402

cutoff = timezone.now() - timedelta(days=settings.CONVERSATION_RETENTION_DAYS)
_, per_model = Conversation.objects.filter(created_at__lt=cutoff).delete()
print(json.dumps({"conversations": per_model.get("chat.Conversation", 0)}))
