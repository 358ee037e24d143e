"""Who may open each custody page (DESIGN section 1): never liaisons or analysts."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.documents.tests.helpers import RepeatableFile, png_bytes
from qandas.incidents import actions
from qandas.incidents.models import (
    Acknowledgement,
    Alarm,
    Assignment,
    ClockSettings,
    DutyRota,
    Event,
    Place,
)
from qandas.incidents.tests.helpers import raid
from qandas.lib.files import CleanFile
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

READERS = {"coordinator", "lawyer", "admin"}
WRITERS = READERS
# Everyone with a custody role, in either organisation: pages that are not about
# one record show each member their own organisation's.
ANY_CUSTODY = READERS | {"quetta_coordinator", "outsider", "outsider_admin"}
PLACE_EDITORS = {"coordinator", "quetta_coordinator", "admin", "outsider", "outsider_admin"}
# The people live in Karachi: the Quetta coordinator does not see them at all.
UNSEEN = {"quetta_coordinator": 404}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, names=("Bolat Testov",))
    attachment = actions.attach(
        taken.arrest, CleanFile(png_bytes(), "image/png", "png", "order.png"), by=cast.coordinator
    )
    person = taken.people[0]
    episode = person.custody_episodes.get()
    return {
        "person": person,
        "household": taken.household,
        "station": taken.station,
        "arrest": taken.arrest,
        "attachment": attachment,
        "episode": episode,
        "alarm": Alarm.objects.filter(episode=episode).first(),
    }


def events_of(o: dict[str, Any]) -> Any:
    return sorted(Event.objects.values_list("pk", "kind", "retracted_at", "occurred_at"))


def attachments_of(o: dict[str, Any]) -> Any:
    return sorted(o["arrest"].attachments.values_list("pk", flat=True))


def assignments_of(o: dict[str, Any]) -> Any:
    return sorted(Assignment.objects.values_list("pk", "user_id", "ended_at"))


def acknowledgements(o: dict[str, Any]) -> Any:
    return sorted(Acknowledgement.objects.values_list("pk", flat=True))


def places(o: dict[str, Any]) -> Any:
    return sorted(Place.objects.values_list("pk", "name"))


def rota(o: dict[str, Any]) -> Any:
    return sorted(DutyRota.objects.values_list("pk", "lawyer_id"))


def clocks_of_the_organisation(o: dict[str, Any]) -> Any:
    return list(
        ClockSettings.objects.filter(organisation=o["person"].organisation).values_list(
            "unlocated_alarm_hours", flat=True
        )
    )


def when(hours_ago: int = 1) -> str:
    return (timezone.localtime() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def event_data(o: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "kind": "search",
        "people": [str(o["person"].code)],
        "occurred_at": when(),
        "precision": "minute",
        "place": str(o["station"].code),
        "answer": "denied",
        "document_shown": "unknown",
        "source": "family",
        "reliability": "b",
        **extra,
    }


HTML_CASES = [
    Case("incidents:board", lambda o: "/custody/", ANY_CUSTODY),
    Case("incidents:arrest", lambda o: "/custody/arrest/", ANY_CUSTODY),
    Case(
        "incidents:arrest",
        lambda o: f"/custody/arrest/?household={o['household'].code}",
        WRITERS,
        overrides=UNSEEN,
    ),
    Case(
        "incidents:arrest",
        lambda o: "/custody/arrest/",
        WRITERS,
        method="post",
        data=None,  # set per test: it needs the household and the person
        overrides=UNSEEN,
        unchanged=events_of,
    ),
    Case(
        "incidents:event_create",
        lambda o: f"/people/{o['person'].code}/events/new/",
        WRITERS,
        overrides=UNSEEN,
    ),
    Case(
        "incidents:event_create",
        lambda o: f"/people/{o['person'].code}/events/new/",
        WRITERS,
        method="post",
        data=None,
        overrides=UNSEEN,
        unchanged=events_of,
    ),
    Case("incidents:event", lambda o: f"/events/{o['arrest'].code}/", READERS, overrides=UNSEEN),
    Case(
        "incidents:event_edit",
        lambda o: f"/events/{o['arrest'].code}/edit/",
        WRITERS,
        overrides=UNSEEN,
    ),
    Case(
        "incidents:event_edit",
        lambda o: f"/events/{o['arrest'].code}/edit/",
        WRITERS,
        method="post",
        data=None,
        overrides=UNSEEN,
        unchanged=events_of,
    ),
    Case(
        "incidents:event_retract",
        lambda o: f"/events/{o['arrest'].code}/retract/",
        WRITERS,
        overrides=UNSEEN,
    ),
    Case(
        "incidents:event_retract",
        lambda o: f"/events/{o['arrest'].code}/retract/",
        WRITERS,
        method="post",
        data={"reason": "Typed for the wrong family"},
        overrides=UNSEEN,
        unchanged=events_of,
    ),
    Case(
        "incidents:attachment_upload",
        lambda o: f"/events/{o['arrest'].code}/attachments/new/",
        WRITERS,
        method="post",
        data={"file": RepeatableFile("order.png", png_bytes())},
        overrides=UNSEEN,
        unchanged=attachments_of,
    ),
    Case(
        "incidents:attachment_download",
        lambda o: f"/attachments/{o['attachment'].code}/download/",
        READERS,
        overrides=UNSEEN,
    ),
    Case(
        "incidents:episode", lambda o: f"/episodes/{o['episode'].code}/", READERS, overrides=UNSEEN
    ),
    Case(
        "incidents:assign",
        lambda o: f"/episodes/{o['episode'].code}/assign/",
        {"coordinator", "admin"},
        method="post",
        data=None,
        # The lawyer sees the episode but does not assign (role refused before lookup).
        overrides=UNSEEN,
        unchanged=assignments_of,
    ),
    Case(
        "incidents:acknowledge",
        lambda o: f"/alarms/{o['alarm'].code}/acknowledge/",
        WRITERS,
        method="post",
        data={},
        overrides=UNSEEN,
        unchanged=acknowledgements,
    ),
    Case("incidents:places", lambda o: "/places/", ANY_CUSTODY),
    Case("incidents:place_create", lambda o: "/places/new/", PLACE_EDITORS),
    Case(
        "incidents:place_create",
        lambda o: "/places/new/",
        PLACE_EDITORS,
        method="post",
        data={"kind": "court", "name": "District Court East"},
        unchanged=places,
    ),
    Case("incidents:rota", lambda o: "/custody/rota/", ANY_CUSTODY),
    Case(
        "incidents:rota",
        lambda o: "/custody/rota/",
        {"coordinator", "admin"},
        method="post",
        data=None,
        # A lawyer reads the rota but does not set it; the other organisation's
        # members cannot name this organisation's lawyer (their form refuses: 200).
        overrides={"quetta_coordinator": 200, "outsider": 200, "outsider_admin": 200},
        unchanged=rota,
    ),
    Case(
        "incidents:clocks",
        lambda o: "/custody/clocks/",
        {"admin", "outsider_admin"},
        overrides={"outsider": 403},
    ),
    Case(
        "incidents:clocks",
        lambda o: "/custody/clocks/",
        {"admin"},
        method="post",
        data={
            "unlocated_warning_hours": 6,
            "unlocated_alarm_hours": 12,
            "magistrate_hours": 24,
            "out_of_contact_days": 7,
            "hearing_notice_hours": 24,
        },
        # The other organisation's admin sets their own organisation's clocks.
        overrides={"outsider_admin": 302, "outsider": 403},
        unchanged=clocks_of_the_organisation,
    ),
]


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    o = objects
    if case.method == "post" and case.data is None:
        data: dict[str, Any] = {
            "incidents:arrest": {
                "household": str(o["household"].code),
                "idempotency_key": "6f1c0e1a-0000-4000-8000-000000000001",
                "people": [str(o["person"].code)],
                "occurred_at": when(),
                "document_shown": "ignored",
                "source": "family",
            },
            "incidents:event_create": event_data(o, idempotency_key=""),
            "incidents:event_edit": event_data(o, kind="arrest", reason="The time was wrong"),
            "incidents:assign": {"lawyer": str(cast.lawyer.code)},
            "incidents:rota": {
                "city": cast.karachi.pk,
                "on": timezone.localdate().isoformat(),
                "lawyer": cast.lawyer.pk,
            },
        }[case.name]
        case = Case(**{**case.__dict__, "data": data})
    run_case(client, cast, o, case, api=False)
