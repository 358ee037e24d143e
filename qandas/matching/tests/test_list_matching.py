"""An uploaded list is matched by a background task: its page shows how far, its rows
can be decided once it is done, and a failed or stalled matching goes on where it
stopped. (The rest of the suite runs tasks at once: ``TASKS_IMMEDIATE``.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.audit.models import AuditEvent, Verb
from qandas.incidents.models import Place
from qandas.matching import lists
from qandas.matching.models import ListUpload, MatchState
from qandas.matching.tests.test_lists import LIST, people, post_list, station
from qandas.people.models import Person
from qandas.test import Cast

__all__ = ["people", "station"]  # fixtures, used by name

pytestmark = pytest.mark.django_db
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
AT_ONCE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def queued_upload(client: Client, settings: Any, station: Place) -> ListUpload:
    """A list uploaded where a worker will match it, which none has yet."""
    settings.TASKS = QUEUED_ONLY
    response = post_list(client, LIST, place=str(station.code))
    assert response.status_code == 302
    return ListUpload.objects.get()


def test_a_list_is_decided_only_once_the_background_matching_is_done(
    client: Client, settings: Any, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    client.force_login(cast.coordinator)
    upload = queued_upload(client, settings, station)
    assert upload.match_state == MatchState.QUEUED
    assert [r.candidates for r in upload.rows.all()] == [[], [], []]
    said = [str(m) for m in client.get(f"/lists/{upload.code}/").context["messages"]]
    assert said == [
        "List uploaded: its 3 rows are being matched against the registry. This page "
        "shows them as soon as they are."
    ]

    page = client.get(f"/lists/{upload.code}/").content.decode()
    assert "Waiting for the background worker" in page
    assert page.count("Waiting for the whole list to be matched.") == 3
    assert "Confirm</button>" not in page and "No match</button>" not in page
    assert f'hx-get="/lists/{upload.code}/progress/"' in page
    assert "Waiting to be matched" in client.get("/lists/").content.decode()
    # No row is "to review" yet.
    assert "3 rows, to review once matched" in page and "to review," not in page

    # Nothing can be decided yet, even by a form kept from elsewhere.
    first = upload.rows.get(line=2)
    sharifi = people["sharifi"]
    client.post(f"/lists/rows/{first.code}/confirm/", {"person": str(sharifi.code)})
    response = client.post(f"/lists/rows/{first.code}/reject/", follow=True)
    assert "still being matched" in response.content.decode()
    first.refresh_from_db()
    assert first.state == "pending" and first.person is None

    # The worker matches part of it: the page says how far.
    ListUpload.objects.filter(pk=upload.pk).update(
        match_state=MatchState.MATCHING, matched_rows=1, match_moved_at=timezone.now()
    )
    views = AuditEvent.objects.filter(verb=Verb.VIEW, object_code=upload.code).count()
    progress = client.get(f"/lists/{upload.code}/progress/", headers={"HX-Request": "true"})
    assert progress.status_code == 200 and "HX-Refresh" not in progress
    assert "Matching against the registry: 1 of 3 rows" in progress.content.decode()
    # It says no name: polling every few seconds is not audited as a view.
    assert AuditEvent.objects.filter(verb=Verb.VIEW, object_code=upload.code).count() == views

    lists.match_upload(upload.pk)  # as the worker runs it
    upload.refresh_from_db()
    assert (upload.match_state, upload.matched_rows) == (MatchState.DONE, 3)
    rows = list(upload.rows.all())
    # Picked up at the second row: the first keeps what it had (nothing, here).
    assert rows[0].candidates == []
    assert rows[1].candidates[0]["person"] == people["tokhtarov"].pk
    progress = client.get(f"/lists/{upload.code}/progress/", headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true"
    page = client.get(f"/lists/{upload.code}/").content.decode()
    assert "Waiting for the whole list to be matched." not in page and 'id="matching"' not in page
    response = client.post(
        f"/lists/rows/{rows[1].code}/confirm/", {"person": str(people["tokhtarov"].code)}
    )
    rows[1].refresh_from_db()
    assert rows[1].state == "confirmed"


def test_the_whole_list_is_matched_and_only_ever_against_the_uploaders_people(
    client: Client, settings: Any, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    client.force_login(cast.coordinator)
    upload = queued_upload(client, settings, station)
    lists.match_upload(upload.pk)
    first, second, third = upload.rows.all()
    assert first.candidates[0]["person"] == people["sharifi"].pk
    assert second.candidates[0]["person"] == people["tokhtarov"].pk
    assert third.candidates == []
    seen = {c["person"] for r in upload.rows.all() for c in r.candidates}
    assert people["quetta_sharifi"].pk not in seen  # another city's: not the uploader's
    # Run again (a task delivered twice): nothing changes.
    before = ListUpload.objects.get(pk=upload.pk).match_moved_at
    lists.match_upload(upload.pk)
    assert ListUpload.objects.get(pk=upload.pk).match_moved_at == before


def test_a_failed_matching_is_started_again_where_it_stopped(
    client: Client,
    settings: Any,
    cast: Cast,
    people: dict[str, Person],
    station: Place,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client.force_login(cast.coordinator)
    upload = queued_upload(client, settings, station)
    monkeypatch.setattr(lists, "MATCH_CHUNK", 1)
    matched: list[str] = []
    real = lists.match_cells

    def failing_at_the_third(people: Any, cells: dict[str, str], **kwargs: Any) -> list[dict]:
        if len(matched) == 2:
            raise RuntimeError("the database went away")
        matched.append(cells["name"])
        return real(people, cells, **kwargs)

    monkeypatch.setattr(lists, "match_cells", failing_at_the_third)
    with pytest.raises(RuntimeError):
        lists.match_upload(upload.pk)
    upload.refresh_from_db()
    assert (upload.match_state, upload.matched_rows) == (MatchState.FAILED, 2)
    page = client.get(f"/lists/{upload.code}/").content.decode()
    assert "Matching this list against the registry failed." in page
    assert "2 of 3 rows were matched." in page and "Match again" in page
    assert "<strong>Matching failed</strong>" in client.get("/lists/").content.decode()
    assert page.count("Not matched: the matching of this list has stopped") == 3
    assert "Waiting for the whole list" not in page
    assert "hx-get" not in page.split('id="matching"')[1].split(">")[0]  # no polling

    # An analyst sees no list, and may start none again.
    client.force_login(cast.analyst)
    assert client.post(f"/lists/{upload.code}/match-again/").status_code == 403
    client.force_login(cast.coordinator)
    monkeypatch.setattr(lists, "match_cells", real)
    matched.clear()
    settings.TASKS = AT_ONCE
    response = client.post(f"/lists/{upload.code}/match-again/", follow=True)
    assert "starts again where it stopped" in response.content.decode()
    upload.refresh_from_db()
    assert (upload.match_state, upload.matched_rows) == (MatchState.DONE, 3)
    assert upload.rows.get(line=4).candidates == []  # the third row, matched now
    assert AuditEvent.objects.filter(
        verb=Verb.UPDATE, object_code=upload.code, actor=cast.coordinator
    ).exists()
    # Done: nothing to start again.
    response = client.post(f"/lists/{upload.code}/match-again/", follow=True)
    assert "not stuck" in response.content.decode()


def test_a_matching_that_has_not_moved_for_ten_minutes_may_start_again(
    client: Client, settings: Any, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    client.force_login(cast.coordinator)
    upload = queued_upload(client, settings, station)
    # Moving: not offered, and a post changes nothing.
    assert not lists.stalled(upload)
    client.post(f"/lists/{upload.code}/match-again/")
    assert ListUpload.objects.get(pk=upload.pk).match_state == MatchState.QUEUED
    assert "Match again" not in client.get(f"/lists/{upload.code}/").content.decode()
    # Queued for two minutes while no list moved: no worker has taken it.
    long_ago = timezone.now() - lists.STALLED - timedelta(seconds=1)
    ListUpload.objects.filter(pk=upload.pk).update(match_moved_at=long_ago)
    page = client.get(f"/lists/{upload.code}/").content.decode()
    assert "has waited two minutes to be matched" in page and "Match again" in page
    assert "<strong>Not started: no worker</strong>" in client.get("/lists/").content.decode()

    ListUpload.objects.filter(pk=upload.pk).update(
        match_state=MatchState.MATCHING, matched_rows=1, match_moved_at=timezone.now()
    )
    assert "Being matched" in client.get("/lists/").content.decode()  # moved just now
    ListUpload.objects.filter(pk=upload.pk).update(match_moved_at=long_ago)
    page = client.get(f"/lists/{upload.code}/").content.decode()
    assert "has not moved for two minutes" in page and "manage.py db_worker" in page
    index = client.get("/lists/").content.decode()
    assert "<strong>Matching has stopped</strong>" in index and "Being matched" not in index
    settings.TASKS = AT_ONCE
    client.post(f"/lists/{upload.code}/match-again/")
    upload.refresh_from_db()
    assert (upload.match_state, upload.matched_rows) == (MatchState.DONE, 3)


def test_a_run_overtaken_by_another_stops(
    client: Client,
    settings: Any,
    cast: Cast,
    people: dict[str, Person],
    station: Place,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two runs of one list (one started again while the first seemed stalled): once
    the other has saved rows this one has not counted, this one saves none and stops."""
    client.force_login(cast.coordinator)
    upload = queued_upload(client, settings, station)
    monkeypatch.setattr(lists, "MATCH_CHUNK", 1)
    real = lists.match_cells

    def overtaken_at_the_second(people: Any, cells: dict[str, str], **kwargs: Any) -> list[dict]:
        if cells["name"] == "نورلان توختاروف":  # the other run saved this row first
            ListUpload.objects.filter(pk=upload.pk).update(matched_rows=2)
        return real(people, cells, **kwargs)

    monkeypatch.setattr(lists, "match_cells", overtaken_at_the_second)
    lists.match_upload(upload.pk)
    upload.refresh_from_db()
    assert (upload.match_state, upload.matched_rows) == (MatchState.MATCHING, 2)
    first, second, _third = upload.rows.all()
    assert first.candidates and second.candidates == []  # the other run's to save


def test_a_list_queued_behind_others_is_not_stalled_while_the_worker_moves_them(
    client: Client, settings: Any, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    client.force_login(cast.coordinator)
    waiting = queued_upload(client, settings, station)
    long_ago = timezone.now() - lists.STALLED - timedelta(minutes=1)
    ListUpload.objects.filter(pk=waiting.pk).update(match_moved_at=long_ago)
    response = post_list(client, LIST, place=str(station.code), again="on")
    assert response.status_code == 302
    other = ListUpload.objects.exclude(pk=waiting.pk).get()
    ListUpload.objects.filter(pk=other.pk).update(
        match_state=MatchState.MATCHING, match_moved_at=timezone.now()
    )
    waiting.refresh_from_db()
    assert not lists.stalled(waiting)  # the worker is busy with the other list
    page = client.get(f"/lists/{waiting.code}/").content.decode()
    assert "Waiting for the background worker" in page and "Match again" not in page
    ListUpload.objects.filter(pk=other.pk).update(match_moved_at=long_ago)
    assert lists.stalled(waiting)  # nothing has moved for two minutes
    page = client.get(f"/lists/{waiting.code}/").content.decode()
    assert "Match again" in page
    assert f'hx-get="/lists/{waiting.code}/progress/"' in page  # still asks: it may move


def test_a_poll_after_the_session_ended_sends_the_whole_page_to_sign_in(
    client: Client, settings: Any, cast: Cast, station: Place
) -> None:
    client.force_login(cast.coordinator)
    upload = queued_upload(client, settings, station)
    client.logout()
    page = f"/lists/{upload.code}/"
    response = client.get(
        f"{page}progress/",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}?state=pending"},
    )
    assert response.status_code == 200 and response.content == b""
    assert (
        response["HX-Redirect"]
        == "/accounts/login/?next=%2Flists%2F" + str(upload.code) + "%2F%3Fstate%3Dpending"
    )
    # Only a path of this site is sent back to.
    response = client.get(
        f"{page}progress/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver//evil.example/x"},
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F"
    # Without htmx, the usual redirect.
    response = client.get(f"{page}progress/")
    assert response.status_code == 302 and "HX-Redirect" not in response


def test_the_clocks_queue_again_a_list_whose_worker_died(
    client: Client, settings: Any, cast: Cast, people: dict[str, Person], station: Place
) -> None:
    """A list left half-matched by a worker that died goes on by itself once the clocks
    run (``run_clocks``, every minute); one still moving, one queued (its task waits for
    a worker) and one failed (a person starts it again) are left alone."""
    from io import StringIO

    from django.core.management import call_command

    client.force_login(cast.coordinator)
    upload = queued_upload(client, settings, station)
    long_ago = timezone.now() - lists.STALLED - timedelta(seconds=1)
    for state in (MatchState.QUEUED, MatchState.FAILED):
        ListUpload.objects.filter(pk=upload.pk).update(match_state=state, match_moved_at=long_ago)
        call_command("run_clocks", stdout=StringIO())
        assert ListUpload.objects.get(pk=upload.pk).match_state == state
    ListUpload.objects.filter(pk=upload.pk).update(
        match_state=MatchState.MATCHING, matched_rows=1, match_moved_at=timezone.now()
    )
    call_command("run_clocks", stdout=StringIO())
    assert ListUpload.objects.get(pk=upload.pk).matched_rows == 1  # moving: left alone

    ListUpload.objects.filter(pk=upload.pk).update(match_moved_at=long_ago)
    settings.TASKS = AT_ONCE
    said = StringIO()
    call_command("run_clocks", stdout=said)
    upload.refresh_from_db()
    assert (upload.match_state, upload.matched_rows) == (MatchState.DONE, 3)
    assert f"list {upload.code}: its worker stopped; queued again" in said.getvalue()
    assert "Saddar" not in said.getvalue()  # the list's code, never its title
    assert lists.resume_dead() == []  # done: nothing more
