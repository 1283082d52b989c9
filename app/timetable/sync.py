"""Refresh the stored groups and their weekly slots from the timetable feed.

fetch -> parse (validates the whole document, touches nothing) -> apply (one transaction). So an
unreachable or invalid feed changes nothing, and a refresh interrupted mid-way rolls back whole.
The feed format is documented in docs/jobs/sync-timetable.md.
"""

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import time

from django.db import transaction
from django.utils import timezone

from app.fetching import BadStatus, FetchFailed, NoAnswer, NotJSON, Problems, fetch_json
from app.timetable.models import Group, Slot

FEED_VERSION = 1
WEEKDAYS = {
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
}
TIME_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")

logger = logging.getLogger(__name__)


class FeedError(Exception):
    """The feed could not be fetched or is not a valid timetable; nothing was changed."""


@dataclass(frozen=True)
class SlotData:
    weekday: int
    starts_at: time
    ends_at: time
    subject: str
    room: str
    teacher: str

    @property
    def key(self) -> tuple[int, time]:
        return self.weekday, self.starts_at

    def differs_from(self, slot: Slot) -> bool:
        return (self.ends_at, self.subject, self.room, self.teacher) != (
            slot.ends_at,
            slot.subject,
            slot.room,
            slot.teacher,
        )


@dataclass(frozen=True)
class GroupData:
    code: str
    name: str
    slots: tuple[SlotData, ...]


def fetch_feed(url: str, timeout: float) -> object:
    # The answer goes back to the caller: it says what went wrong, never where nor the details
    # (URLs carry keys), which go to the app's own log.
    try:
        return fetch_json(url, timeout)
    except NoAnswer:
        raise FeedError(f"The timetable feed did not answer within {timeout} s.")
    except BadStatus as e:
        raise FeedError(f"The timetable feed answered HTTP {e.status}.")
    except NotJSON:
        raise FeedError("The timetable feed is not valid JSON.")
    except FetchFailed as e:
        logger.warning("Cannot reach the timetable feed %s: %s", e.url, e)
        raise FeedError(f"Cannot reach the timetable feed ({e.kind}).")


def text(problems: Problems, item: dict, where: str, field: str, max_length: int, required: bool):
    value = item.get(field, None if required else "")
    if value is None and not required:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        wanted = "a non-empty string" if required else "a string"
        problems.add(f"{where}.{field}", f"must be {wanted}")
        return ""
    if len(value) > max_length:
        problems.add(f"{where}.{field}", f"longer than {max_length} characters")
    return value.strip()


def clock(problems: Problems, item: dict, where: str, field: str) -> time | None:
    value = item.get(field)
    match = TIME_PATTERN.match(value) if isinstance(value, str) else None
    if not match:
        problems.add(f"{where}.{field}", f"{value!r} is not a time HH:MM (00:00 to 23:59)")
        return None
    return time(int(match[1]), int(match[2]))


def parse_slot(problems: Problems, item: object, where: str) -> SlotData | None:
    if not isinstance(item, dict):
        problems.add(where, "must be an object")
        return None
    weekday = WEEKDAYS.get(item.get("day")) if isinstance(item.get("day"), str) else None
    if weekday is None:
        problems.add(f"{where}.day", f"{item.get('day')!r} is not one of {', '.join(WEEKDAYS)}")
    starts_at, ends_at = clock(problems, item, where, "start"), clock(problems, item, where, "end")
    if starts_at and ends_at and ends_at <= starts_at:
        problems.add(where, "end must be after start")
    subject = text(problems, item, where, "subject", 200, required=True)
    room = text(problems, item, where, "room", 50, required=False)
    teacher = text(problems, item, where, "teacher", 200, required=False)
    if weekday is None or starts_at is None or ends_at is None:
        return None
    return SlotData(weekday, starts_at, ends_at, subject, room, teacher)


def check_overlaps(problems: Problems, slots: list[SlotData], where: str) -> None:
    ordered = sorted(slots, key=lambda slot: slot.key)
    for before, after in zip(ordered, ordered[1:]):
        if before.weekday == after.weekday and after.starts_at < before.ends_at:
            at = f"{after.starts_at:%H:%M}"
            problems.add(where, f"two slots overlap on day {after.weekday} at {at}")


def parse_group(problems: Problems, item: object, where: str) -> GroupData | None:
    if not isinstance(item, dict):
        problems.add(where, "must be an object")
        return None
    code = text(problems, item, where, "code", 50, required=True)
    name = text(problems, item, where, "name", 200, required=True)
    raw_slots = item.get("slots")
    if not isinstance(raw_slots, list):
        problems.add(f"{where}.slots", "must be a list")
        return None
    slots = [parse_slot(problems, slot, f"{where}.slots[{i}]") for i, slot in enumerate(raw_slots)]
    slots = [slot for slot in slots if slot is not None]
    check_overlaps(problems, slots, f"{where}.slots")
    return GroupData(code, name, tuple(slots))


def parse_feed(document: object) -> list[GroupData]:
    """The whole feed, validated; FeedError lists what is wrong. Touches no database."""
    problems = Problems()
    if not isinstance(document, dict):
        raise FeedError("The timetable feed is invalid, nothing was changed: not a JSON object.")
    if document.get("version") != FEED_VERSION:
        version = document.get("version")
        problems.add("version", f"{version!r} is not a supported version ({FEED_VERSION})")
    raw_groups = document.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        # An empty list would remove every group: far more likely a broken export than intent.
        problems.add("groups", "must be a non-empty list")
        raw_groups = []
    groups = [parse_group(problems, item, f"groups[{i}]") for i, item in enumerate(raw_groups)]
    groups = [group for group in groups if group is not None]
    for code, times in Counter(group.code for group in groups).items():
        if times > 1:
            problems.add("groups", f"code {code!r} appears {times} times")
    if problems:
        raise FeedError(f"The timetable feed is invalid, nothing was changed: {problems}.")
    return groups


def diff_slots(group: Group, wanted: tuple[SlotData, ...], counts: Counter) -> tuple:
    """(slots to create, slots to update, pks to delete) for one existing group."""
    current = {(slot.weekday, slot.starts_at): slot for slot in group.slots.all()}
    create, update = [], []
    for data in wanted:
        slot = current.pop(data.key, None)
        if slot is None:
            create.append(Slot(group=group, **vars(data)))
        elif data.differs_from(slot):
            slot.ends_at, slot.subject, slot.room, slot.teacher = (
                data.ends_at,
                data.subject,
                data.room,
                data.teacher,
            )
            update.append(slot)
    counts["slots_created"] += len(create)
    counts["slots_updated"] += len(update)
    counts["slots_removed"] += len(current)
    return create, update, [slot.pk for slot in current.values()]


def apply_timetable(groups: list[GroupData]) -> dict:
    """Make the database match the feed, in one transaction; counts of what changed."""
    counts = Counter(created=0, updated=0, removed=0, unchanged=0)
    now = timezone.now()
    create, update, delete = [], [], []
    with transaction.atomic():
        # Locking every group serialises two refreshes; the second sees the first's result.
        existing = {g.code: g for g in Group.objects.select_for_update().prefetch_related("slots")}
        for data in groups:
            group = existing.pop(data.code, None)
            if group is None:
                group = Group.objects.create(code=data.code, name=data.name, updated_at=now)
                create.extend(Slot(group=group, **vars(slot)) for slot in data.slots)
                counts["created"] += 1
                counts["slots_created"] += len(data.slots)
                continue
            slots_create, slots_update, slots_delete = diff_slots(group, data.slots, counts)
            if group.name == data.name and not (slots_create or slots_update or slots_delete):
                counts["unchanged"] += 1
                continue
            group.name, group.updated_at = data.name, now
            group.save(update_fields=["name", "updated_at"])
            create += slots_create
            update += slots_update
            delete += slots_delete
            counts["updated"] += 1
        # Delete before create: a slot moved to a new start may take an old slot's place.
        Slot.objects.filter(pk__in=delete).delete()
        Slot.objects.bulk_update(update, ["ends_at", "subject", "room", "teacher"])
        removed = [group.pk for group in existing.values()]
        counts["slots_removed"] += Slot.objects.filter(group__in=removed).count()
        _, deleted = Group.objects.filter(pk__in=removed).delete()
        counts["removed"] = deleted.get("timetable.Group", 0)
        Slot.objects.bulk_create(create)
    return summary(counts)


def summary(counts: Counter) -> dict:
    return {
        "created": counts["created"],
        "updated": counts["updated"],
        "removed": counts["removed"],
        "unchanged": counts["unchanged"],
        "slots": {
            "created": counts["slots_created"],
            "updated": counts["slots_updated"],
            "removed": counts["slots_removed"],
        },
    }


def refresh(url: str, timeout: float) -> dict:
    return apply_timetable(parse_feed(fetch_feed(url, timeout)))
