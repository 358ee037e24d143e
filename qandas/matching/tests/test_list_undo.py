"""Undoing a list row's decision: the row waits again, and the event it recorded is
retracted through the incidents app, which derives the custody state again."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qandas.audit.models import AuditEvent, Verb
from qandas.incidents import actions
from qandas.incidents.actions import state_of
from qandas.incidents.models import Event, EventRevision, Place
from qandas.matching import duplicates, lists
from qandas.matching.models import ListRow
from qandas.matching.tests.test_lists import register, upload_for
from qandas.people.models import Person
from qandas.test import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast: Cast) -> dict[str, Person]:
    return {
        "sharifi": register(cast, "Aibek Sharifi", year=1990),
        # The same name in Quetta: the Karachi coordinator may not see him.
        "quetta_sharifi": register(cast, "Aibek Sharifi", city="quetta", year=1990),
    }


@pytest.fixture
def station(cast: Cast) -> Place:
    return Place.objects.create(
        organisation=cast.organisation, kind="police_station", name="Saddar Station"
    )


def confirmed(cast: Cast, person: Person, place: Place, *, by: Any = None) -> ListRow:
    row = upload_for(cast, by or cast.coordinator, place).rows.get(line=2)
    lists.confirm(row, person, by=by or cast.coordinator, create_event=True)
    row.refresh_from_db()
    assert row.state == "confirmed" and row.event is not None
    return row


def audited(obj: Any) -> list[list[str]]:
    return [e.fields for e in AuditEvent.objects.filter(verb=Verb.UPDATE, object_code=obj.code)]


def test_undo_sends_the_row_back_and_retracts_its_event(
    client: Client, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    sharifi = people["sharifi"]
    row = confirmed(cast, sharifi, station)
    event = row.event
    assert event is not None and state_of(sharifi) == "detained_located"
    client.force_login(cast.lawyer)

    page = client.get(f"/lists/{row.upload.code}/").content.decode()
    assert f'action="/lists/rows/{row.code}/undo/"' in page

    response = client.post(f"/lists/rows/{row.code}/undo/", {"state": "confirmed"})
    assert response["Location"] == f"/lists/{row.upload.code}/?state=confirmed#row-{row.code}"
    row.refresh_from_db()
    assert (row.state, row.person, row.event, row.decided_by, row.decided_at) == (
        "pending",
        None,
        None,
        None,
        None,
    )
    event.refresh_from_db()
    assert event.retracted_at is not None and event.retracted_by == cast.lawyer
    assert "Line 2" in event.retraction_reason
    assert state_of(sharifi) == "free"  # derived again, as a retraction does
    assert audited(row) == [["event", "person", "state", "undone"]]
    assert audited(event) == [["retracted_at", "retraction_reason"]]
    messages = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert "Line 2 is back to review." in messages
    assert "The “Located” event it recorded is retracted." in messages

    # Confirmed again, it records a new event rather than finding the retracted one.
    again = client.post(
        f"/lists/rows/{row.code}/confirm/", {"person": str(sharifi.code), "event": "on"}
    )
    assert again.status_code == 302
    row.refresh_from_db()
    assert row.state == "confirmed" and row.event is not None and row.event != event
    assert row.event.retracted_at is None and state_of(sharifi) == "detained_located"
    assert Event.objects.count() == 2


def test_undo_of_a_no_match_over_htmx_returns_the_row_waiting(
    client: Client, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    row = upload_for(cast, cast.coordinator, station).rows.get(line=2)
    lists.reject(row, by=cast.coordinator)
    client.force_login(cast.coordinator)
    response = client.post(f"/lists/rows/{row.code}/undo/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith(f'<tbody id="row-{row.code}"')
    assert "Line 2 is back to review." in html
    assert f'action="/lists/rows/{row.code}/confirm/"' in html
    assert f"/lists/rows/{row.code}/undo/" not in html
    row.refresh_from_db()
    assert row.state == "pending" and row.decided_by is None
    assert audited(row) == [["state", "undone"]]
    assert not Event.objects.exists()

    # Nothing left to undo: said so, nothing changes, nothing is audited.
    twice = client.post(f"/lists/rows/{row.code}/undo/", headers={"HX-Request": "true"})
    assert "nothing to undo" in twice.content.decode()
    assert audited(row) == [["state", "undone"]]


@pytest.mark.parametrize("meanwhile", ["retracted", "corrected"])
def test_an_event_someone_changed_since_is_left_and_the_row_is_still_reset(
    client: Client, cast: Cast, people: dict[str, Person], station: Place, meanwhile: str
) -> None:
    sharifi = people["sharifi"]
    row = confirmed(cast, sharifi, station)
    event = row.event
    assert event is not None
    if meanwhile == "retracted":
        actions.retract_event(event, by=cast.admin, reason="Not him")
    else:
        other = Place.objects.create(
            organisation=cast.organisation, kind="police_station", name="Clifton Station"
        )
        actions.correct_event(event, by=cast.admin, reason="Wrong station", place=other)
    state = state_of(sharifi)
    revisions = EventRevision.objects.filter(event=event).count()

    client.force_login(cast.coordinator)
    response = client.post(f"/lists/rows/{row.code}/undo/", headers={"HX-Request": "true"})
    html = response.content.decode()
    row.refresh_from_db()
    assert row.state == "pending" and row.event is None and row.person is None
    assert "Line 2 is back to review." in html
    if meanwhile == "retracted":
        assert "had already been retracted" in html
    else:
        assert "was corrected since, so it is kept" in html
    event.refresh_from_db()
    assert event.retracted_by == (cast.admin if meanwhile == "retracted" else None)
    assert EventRevision.objects.filter(event=event).count() == revisions
    assert state_of(sharifi) == state
    assert audited(event) == []


def test_only_those_who_may_decide_the_row_may_undo_it(
    client: Client, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    # The admin confirmed a Karachi list's row to the Quetta namesake: the Karachi
    # coordinator sees the list, not the person, and may not undo it.
    quetta = people["quetta_sharifi"]
    row = confirmed(cast, quetta, station, by=cast.admin)
    event = row.event
    assert event is not None

    def unchanged() -> None:
        row.refresh_from_db()
        assert (row.state, row.person, row.event) == ("confirmed", quetta, event)
        assert Event.objects.get(pk=event.pk).retracted_at is None
        assert audited(row) == []

    client.force_login(cast.coordinator)
    response = client.post(f"/lists/rows/{row.code}/undo/", headers={"HX-Request": "true"})
    assert "You may not change this person" in response.content.decode()
    unchanged()

    for name, status in [("liaison", 403), ("analyst", 403), ("quetta_coordinator", 404)]:
        client.force_login(cast.users[name])
        assert client.post(f"/lists/rows/{row.code}/undo/").status_code == status, name
        unchanged()
    client.force_login(cast.admin)
    assert client.get(f"/lists/rows/{row.code}/undo/").status_code == 405
    unchanged()

    assert client.post(f"/lists/rows/{row.code}/undo/").status_code == 302
    row.refresh_from_db()
    assert row.state == "pending"
    assert Event.objects.get(pk=event.pk).retracted_by == cast.admin


def test_undo_without_a_csrf_token_is_refused(
    cast: Cast, people: dict[str, Person], station: Place
) -> None:
    row = confirmed(cast, people["sharifi"], station)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.coordinator)
    assert strict.post(f"/lists/rows/{row.code}/undo/").status_code == 403
    row.refresh_from_db()
    assert row.state == "confirmed"


def test_a_lost_race_raises_and_changes_nothing(
    cast: Cast, people: dict[str, Person], station: Place
) -> None:
    row = confirmed(cast, people["sharifi"], station)
    stale = ListRow.objects.get(pk=row.pk)
    lists.undo(row, by=cast.coordinator)
    lists.reject(ListRow.objects.get(pk=row.pk), by=cast.admin)
    with pytest.raises(lists.DecisionError):
        lists.undo(stale, by=cast.coordinator)  # it still thinks the row is confirmed
    row.refresh_from_db()
    assert (row.state, row.decided_by) == ("rejected", cast.admin)


def test_two_lines_naming_one_person_record_one_event_kept_until_both_are_undone(
    client: Client, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    """A list naming someone twice (in two scripts) recorded two identical events."""
    sharifi = people["sharifi"]
    upload = upload_for(cast, cast.coordinator, station)
    first, second = upload.rows.get(line=2), upload.rows.get(line=3)
    for row in (first, second):  # the second line's candidates need not hold him
        ListRow.objects.filter(pk=row.pk).update(
            candidates=[{"person": sharifi.pk, "score": 1.0, "name": "Aibek Sharifi", "why": ""}]
        )
    client.force_login(cast.coordinator)
    client.post(f"/lists/rows/{first.code}/confirm/", {"person": sharifi.code, "event": "on"})
    response = client.post(
        f"/lists/rows/{second.code}/confirm/", {"person": sharifi.code, "event": "on"}
    )
    said = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert "Line 2 of this list recorded that event for them already: linked to it." in said
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.event is not None and second.event == first.event
    assert Event.objects.filter(involvements__person=sharifi).count() == 1

    response = client.post(f"/lists/rows/{first.code}/undo/")
    said = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert "Its event is kept: line 3 of this list records it too." in said
    event = Event.objects.get(involvements__person=sharifi)
    assert event.retracted_at is None and state_of(sharifi) == "detained_located"
    client.post(f"/lists/rows/{second.code}/undo/")
    event.refresh_from_db()
    assert event.retracted_at is not None


def test_a_decision_posted_twice_by_its_reviewer_is_not_someone_elses(
    client: Client, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    sharifi = people["sharifi"]
    row = upload_for(cast, cast.coordinator, station).rows.get(line=2)
    client.force_login(cast.coordinator)
    first = client.post(f"/lists/rows/{row.code}/confirm/", {"person": sharifi.code, "event": "on"})
    again = client.post(f"/lists/rows/{row.code}/confirm/", {"person": sharifi.code, "event": "on"})
    said = [(m.level_tag, str(m)) for m in again.wsgi_request._messages]  # type: ignore[attr-defined]
    assert ("info", "You had already decided this row so; nothing more was done.") in said
    assert first.status_code == again.status_code == 302
    assert Event.objects.filter(involvements__person=sharifi).count() == 1
    # Someone else's decision is still someone else's.
    client.force_login(cast.lawyer)
    other = client.post(f"/lists/rows/{row.code}/reject/")
    told = [str(m) for m in other.wsgi_request._messages]  # type: ignore[attr-defined]
    assert "This row was already decided by someone else; reload the page." in told


def test_a_row_confirmed_to_someone_redacted_since_offers_no_undo_it_cannot_do(
    client: Client, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    sharifi = people["sharifi"]
    row = confirmed(cast, sharifi, station)
    client.force_login(cast.coordinator)
    page = client.get(f"/lists/{row.upload.code}/").content.decode()
    assert f'action="/lists/rows/{row.code}/undo/"' in page
    Person.objects.get(pk=sharifi.pk).redact(by=cast.admin)
    page = client.get(f"/lists/{row.upload.code}/").content.decode()
    assert f'action="/lists/rows/{row.code}/undo/"' not in page
    assert "a record you may not see, or one redacted since" in page


def test_a_row_says_its_event_was_retracted_and_a_crossing_named_only_if_there_is_one(
    client: Client, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    """Found by exploratory testing: an event retracted on the timeline still showed on
    the list's row as live; a deportation list with no place recorded "deported through
    this crossing"."""
    row = confirmed(cast, people["sharifi"], station)
    assert row.event is not None
    actions.retract_event(row.event, by=cast.coordinator, reason="Wrong list")
    client.force_login(cast.coordinator)
    page = client.get(f"/lists/{row.upload.code}/").content.decode()
    assert "<s>Located</s> (retracted)" in page

    deported = upload_for(cast, cast.coordinator, None, kind="deportation").rows.get(line=2)
    lists.confirm(deported, people["sharifi"], by=cast.coordinator, create_event=True)
    deported.refresh_from_db()
    assert deported.event is not None and deported.event.notes == "Listed as deported on this date."


def test_undoing_a_merge_leaves_a_row_decided_again_since_with_its_event(
    cast: Cast, people: dict[str, Person], station: Place
) -> None:
    """Found by exploratory testing (13a): a row confirmed to the record later merged
    away moved with its event to the record kept; undone and confirmed again there, it
    recorded a new event. Undoing the merge then sent the row back to the other record
    and left its new event where it was: the row named one person and its event another.
    Only a row decided before the merge goes back with it."""
    twin = register(cast, "Айбек Шарифи", year=1990)
    kept = people["sharifi"]
    row = confirmed(cast, twin, station)
    done = duplicates.merge(kept, twin, by=cast.admin)
    row.refresh_from_db()
    assert row.person == kept and row.event is not None and kept in row.event.people.all()
    lists.undo(row, by=cast.coordinator)
    row.refresh_from_db()
    lists.confirm(row, kept, by=cast.coordinator, create_event=True)
    row.refresh_from_db()
    again = row.event
    assert again is not None

    duplicates.undo(done, by=cast.admin)
    row.refresh_from_db()
    assert row.person == kept and row.event == again
    assert list(again.people.all()) == [kept]
    assert state_of(kept) == "detained_located"
    # Decided before the merge and left alone since, a row goes back with it.
    first = confirmed(cast, twin, station)
    done = duplicates.merge(kept, twin, by=cast.admin)
    duplicates.undo(done, by=cast.admin)
    first.refresh_from_db()
    assert first.person == twin and first.event is not None
    assert list(first.event.people.all()) == [twin]


def test_confirming_a_record_merged_since_says_so(
    client: Client, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    """Found by exploratory testing (13a): a candidate merged into another record while
    the page was open was refused as "not among the people ... whose custody you may
    record", which the reviewer may well record. It now says what happened."""
    twin = register(cast, "Айбек Шарифи", year=1990)
    row = upload_for(cast, cast.coordinator, station).rows.get(line=2)
    duplicates.merge(people["sharifi"], twin, by=cast.admin)
    client.force_login(cast.coordinator)
    form = {"person": str(twin.code), "event": "on", "facts": lists.facts_of(row.upload)}
    page = client.post(f"/lists/rows/{row.code}/confirm/", form, follow=True).content.decode()
    assert "That record was merged into Aibek Sharifi&#x27;s since this page was opened" in page
    row.refresh_from_db()
    assert row.state == "pending" and row.person is None
    # Nobody at all, or someone out of reach: the same words as before.
    other = register(cast, "Aibek Sharifi", city="quetta", year=1990)
    duplicates.merge(people["quetta_sharifi"], other, by=cast.admin)
    form["person"] = str(other.code)
    page = client.post(f"/lists/rows/{row.code}/confirm/", form, follow=True).content.decode()
    assert "merged into" not in page and "they are not among the people" in page
