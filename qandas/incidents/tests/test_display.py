"""How custody pages show times: no more exactly than the events that set them."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from qandas.incidents import actions
from qandas.incidents.tests.helpers import household_of, place
from qandas.test import Cast

pytestmark = pytest.mark.django_db

KARACHI = ZoneInfo("Asia/Karachi")
LISTED_ON = datetime(2025, 12, 2, 23, 59, tzinfo=KARACHI)  # a list's day, as lists record it


def custody_of(client: Client, code: object) -> str:
    page = client.get(f"/people/{code}/").content.decode()
    found = re.search(r'<section class="card custody".*?</section>', page, re.S)
    assert found is not None
    return found.group(0)


def test_a_list_confirmed_event_shows_its_day_and_no_invented_time(
    client: Client, cast: Cast
) -> None:
    _household, (person,) = household_of(cast.organisation, cast.karachi, ["Kairat Saparbekov"])
    station = place(cast.organisation, "Saddar Lane Police Station")
    actions.record_event(
        by=cast.coordinator,
        people=[person],
        kind="located",
        occurred_at=LISTED_ON,
        precision="day",
        place=station,
    )
    client.force_login(cast.coordinator)
    custody = custody_of(client, person.code)
    assert "since 2025-12-02" in custody
    assert "23:59" not in custody


def test_a_known_time_is_still_shown_to_the_minute(client: Client, cast: Cast) -> None:
    _household, (person,) = household_of(cast.organisation, cast.karachi, ["Galym Tursynov"])
    actions.record_event(
        by=cast.coordinator,
        people=[person],
        kind="arrest",
        occurred_at=datetime.combine(LISTED_ON.date(), time(7, 34), tzinfo=KARACHI),
    )
    actions.record_event(
        by=cast.coordinator,
        people=[person],
        kind="located",
        occurred_at=datetime.combine(LISTED_ON.date(), time(14, 5), tzinfo=KARACHI),
        precision="hour",
        place=place(cast.organisation, "Lyari Crescent Police Station"),
    )
    client.force_login(cast.coordinator)
    custody = custody_of(client, person.code)
    assert "since about 2025-12-02 14h" in custody  # the header, as exact as it is known
    # The timeline says it as the header does: one rule for both (``as_known``).
    page = client.get(f"/people/{person.code}/").content.decode()
    assert re.search(r'<td data-label="When">\s*about 2025-12-02 14h\s*</td>', page)
    assert "2025-12-02 07:34" in custody  # the episode opened at a known minute


def test_a_closed_episode_says_in_words_what_closed_it(client: Client, cast: Cast) -> None:
    """The last episode's "Closed" line names the kind of event in words, not its
    stored value."""
    _household, (person,) = household_of(cast.organisation, cast.karachi, ["Erlan Zhaksybekov"])
    arrested = datetime.combine(LISTED_ON.date(), time(7, 0), tzinfo=KARACHI)
    actions.record_event(by=cast.coordinator, people=[person], kind="arrest", occurred_at=arrested)
    actions.record_event(
        by=cast.coordinator,
        people=[person],
        kind="release",
        occurred_at=datetime.combine(LISTED_ON.date(), time(18, 0), tzinfo=KARACHI),
    )
    client.force_login(cast.coordinator)
    custody = custody_of(client, person.code)
    assert "(Release)" in custody and "(release)" not in custody
