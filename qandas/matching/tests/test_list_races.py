"""List-row decisions raced over two real database connections on PostgreSQL."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.incidents.models import Event, EventRevision, Place
from qandas.incidents.models.events import RevisionAction
from qandas.incidents.tests.test_races import at_once, needs_postgresql
from qandas.matching import lists
from qandas.matching.models import ListRow
from qandas.matching.tests.test_list_undo import confirmed
from qandas.matching.tests.test_lists import register, upload_for
from qandas.test import build_cast

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_undos_at_once_reset_the_row_and_retract_its_event_once() -> None:
    needs_postgresql()
    cast = build_cast()
    station = Place.objects.create(
        organisation=cast.organisation, kind="police_station", name="Saddar Station"
    )
    row = confirmed(cast, register(cast, "Aibek Sharifi", year=1990), station)
    event = row.event
    assert event is not None
    # Both read the confirmed row before either writes: the conditional update in the
    # database, not a check in Python, has to stop the second.
    barrier = threading.Barrier(2, timeout=20)

    def undo() -> str:
        stale = ListRow.objects.get(pk=row.pk)
        barrier.wait()
        try:
            lists.undo(stale, by=cast.coordinator)
        except lists.DecisionError:
            return "refused"
        return "undone"

    assert sorted(at_once(undo)) == ["refused", "undone"]
    row.refresh_from_db()
    assert (row.state, row.event) == ("pending", None)
    assert Event.objects.get(pk=event.pk).retracted_at is not None
    assert EventRevision.objects.filter(event=event, action=RevisionAction.RETRACTED).count() == 1


def test_two_lines_naming_one_person_confirmed_at_once_record_one_event() -> None:
    """Found by exploratory testing (13a), on PostgreSQL: a name in Latin and in Urdu
    script on two lines, both confirmed at the same moment, each missed the other's
    uncommitted row and recorded its own event. The list is locked while a row is
    confirmed: the second sees the first's event and is linked to it."""
    needs_postgresql()
    cast = build_cast()
    station = Place.objects.create(
        organisation=cast.organisation, kind="police_station", name="Saddar Station"
    )
    person = register(cast, "Aibek Sharifi", year=1990)
    content = "name,birth_year\nAibek Sharifi,1990\nАйбек Шарифи,1990\n"
    upload = upload_for(cast, cast.coordinator, station, content=content)
    lines = iter([2, 3])
    lock = threading.Lock()
    barrier = threading.Barrier(2, timeout=20)

    def confirm() -> int:
        with lock:
            line = next(lines)
        row = ListRow.objects.get(upload=upload, line=line)
        barrier.wait()
        lists.confirm(row, person, by=cast.coordinator, create_event=True)
        return line

    assert sorted(at_once(confirm)) == [2, 3]
    rows = ListRow.objects.filter(upload=upload)
    assert {row.state for row in rows} == {"confirmed"}
    assert len({row.event_id for row in rows}) == 1
    assert Event.objects.filter(people=person).count() == 1


def test_a_correction_and_a_confirmation_at_once_cannot_both_win() -> None:
    """Found by exploratory testing (13a), on PostgreSQL: a correction of the list's
    date posted while a row was confirmed succeeded too (10 times in 12), and the list
    then said one date and the event recorded from it another. Either the confirmation
    is refused (the details changed) or the correction is (a row is decided)."""
    needs_postgresql()
    cast = build_cast()
    station = Place.objects.create(
        organisation=cast.organisation, kind="police_station", name="Saddar Station"
    )
    person = register(cast, "Aibek Sharifi", year=1990)
    for _attempt in range(3):
        _correct_while_confirming(cast, station, person)


def _correct_while_confirming(cast: Any, station: Place, person: Any) -> None:
    upload = upload_for(cast, cast.coordinator, station)
    row = upload.rows.get(line=2)
    facts = lists.facts_of(upload)
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    barrier = threading.Barrier(2, timeout=20)
    turns = iter(["confirm", "correct"])
    lock = threading.Lock()

    def either() -> str:
        with lock:
            turn = next(turns)
        if turn == "confirm":
            barrier.wait()
            try:
                lists.confirm(row, person, by=cast.coordinator, create_event=True, facts=facts)
            except lists.DecisionError:
                return "confirm refused"
            return "confirmed"
        client = Client()
        client.force_login(cast.coordinator)
        form = {"kind": "police", "title": "", "city": "karachi", "listed_on": day}
        barrier.wait()
        page = client.post(
            f"/lists/{upload.code}/edit/", {**form, "place": str(station.code)}, follow=True
        ).content.decode()
        return "corrected" if "details are corrected" in page else "correction refused"

    results = sorted(at_once(either))
    assert results in (["confirm refused", "corrected"], ["confirmed", "correction refused"]), (
        results
    )
    upload.refresh_from_db()
    row.refresh_from_db()
    if row.event is not None:
        assert row.event.occurred_at.date() == upload.listed_on
