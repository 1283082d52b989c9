"""app.timetable.sync called directly: validation of the whole feed, then the diff it applies."""

import copy
from datetime import time

import pytest

from app.timetable.models import Group, Slot
from app.timetable.sync import FeedError, apply_timetable, parse_feed

FEED = {
    "version": 1,
    "groups": [
        {
            "code": "ING2-A",
            "name": "Second year A",
            "slots": [
                {
                    "day": "monday",
                    "start": "08:30",
                    "end": "10:00",
                    "subject": "Networks",
                    "room": "A1",
                },
                {"day": "friday", "start": "13:00", "end": "14:30", "subject": "Databases"},
            ],
        }
    ],
}


def feed_with(**changes) -> dict:
    """FEED with group 0's slot 0 changed."""
    feed = copy.deepcopy(FEED)
    feed["groups"][0]["slots"][0].update(changes)
    return feed


@pytest.mark.parametrize(
    ("feed", "problem"),
    [
        ([], "not a JSON object"),
        ({**FEED, "version": 2}, "version: 2 is not a supported version (1)"),
        ({"version": 1, "groups": []}, "groups: must be a non-empty list"),
        ({"version": 1, "groups": [FEED["groups"][0]] * 2}, "code 'ING2-A' appears 2 times"),
        (feed_with(start="8:30"), "groups[0].slots[0].start: '8:30' is not a time HH:MM"),
        (feed_with(end="08:00"), "groups[0].slots[0]: end must be after start"),
        (feed_with(day="Monday"), "groups[0].slots[0].day: 'Monday' is not one of monday"),
        (feed_with(subject=" "), "groups[0].slots[0].subject: must be a non-empty string"),
        (feed_with(room=7), "groups[0].slots[0].room: must be a string"),
        (
            feed_with(day="friday", start="13:30", end="15:00"),
            "two slots overlap on day 5 at 13:30",
        ),
    ],
)
def test_it_rejects_an_invalid_feed_naming_the_problem(feed, problem):
    with pytest.raises(FeedError) as raised:
        parse_feed(feed)

    assert problem in str(raised.value)


def test_it_reports_every_problem_at_once():
    feed = feed_with(day="noday", start="99:99", subject="")

    with pytest.raises(FeedError) as raised:
        parse_feed(feed)

    assert str(raised.value).count("groups[0].slots[0]") == 3


@pytest.mark.django_db
def test_it_moves_a_slot_whose_start_changed():
    apply_timetable(parse_feed(FEED))

    counts = apply_timetable(parse_feed(feed_with(start="09:00", end="10:30")))

    # It should see a new slot and a removed one: the start is part of a slot's identity.
    assert counts == {
        "created": 0,
        "updated": 1,
        "removed": 0,
        "unchanged": 0,
        "slots": {"created": 1, "updated": 0, "removed": 1},
    }
    monday = Slot.objects.filter(weekday=1).values_list("starts_at", "ends_at")
    assert list(monday) == [(time(9), time(10, 30))]


@pytest.mark.django_db
def test_it_updates_a_renamed_group_in_place():
    apply_timetable(parse_feed(FEED))
    pk = Group.objects.get().pk
    renamed = copy.deepcopy(FEED)
    renamed["groups"][0]["name"] = "Second year, group A"

    counts = apply_timetable(parse_feed(renamed))

    assert (counts["updated"], counts["slots"]) == (1, {"created": 0, "updated": 0, "removed": 0})
    assert Group.objects.get(pk=pk).name == "Second year, group A"


@pytest.mark.django_db
def test_it_changes_nothing_when_the_feed_is_the_same():
    apply_timetable(parse_feed(FEED))
    before = list(Group.objects.values_list("code", "name", "updated_at"))

    counts = apply_timetable(parse_feed(FEED))

    assert counts["unchanged"] == 1
    assert counts["slots"] == {"created": 0, "updated": 0, "removed": 0}
    assert list(Group.objects.values_list("code", "name", "updated_at")) == before
