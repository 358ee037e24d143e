"""Who may open each list page: custody readers (DESIGN section 1), never liaisons or
analysts; a list of Karachi is not for the Quetta coordinator nor another organisation."""

from typing import Any

import pytest
from django.test import Client

from qandas.documents.tests.helpers import RepeatableFile
from qandas.incidents.models import Event, Place
from qandas.matching import lists
from qandas.matching.models import ListRow, ListUpload, MatchState
from qandas.matching.tests.test_lists import LIST, register, upload_for
from qandas.test import Case, Cast, run_case

# Like every access matrix, run on PostgreSQL only: the gate's raw SQL in matching is
# tested on both engines by test_search, test_lists and test_duplicates.
pytestmark = pytest.mark.django_db

READERS = {"coordinator", "lawyer", "admin"}
WRITERS = READERS
# Pages that are not about one list show each custody member their own organisation's.
ANY_CUSTODY = READERS | {"quetta_coordinator", "outsider", "outsider_admin"}
# The list is of Karachi: the Quetta coordinator does not see it at all.
UNSEEN = {"quetta_coordinator": 404}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    person = register(cast, "Aibek Sharifi", year=1990)
    station = Place.objects.create(
        organisation=cast.organisation, kind="police_station", name="Saddar Station"
    )
    upload = upload_for(cast, cast.coordinator, station)
    # A second list whose first row is confirmed, with its event, for undo.
    decided = upload_for(cast, cast.coordinator, station).rows.get(line=2)
    lists.confirm(decided, person, by=cast.coordinator, create_event=True)
    # A third whose matching failed, to be started again.
    failed = upload_for(cast, cast.coordinator, station)
    ListUpload.objects.filter(pk=failed.pk).update(match_state=MatchState.FAILED, matched_rows=1)
    return {
        "person": person,
        "upload": upload,
        "row": upload.rows.get(line=2),
        "decided": decided,
        "failed": failed,
    }


def uploads(o: dict[str, Any]) -> Any:
    return sorted(ListUpload.objects.values_list("pk", "organisation_id"))


def match_states(o: dict[str, Any]) -> Any:
    return sorted(ListUpload.objects.values_list("pk", "match_state", "matched_rows"))


def rows(o: dict[str, Any]) -> Any:
    return sorted(ListRow.objects.values_list("pk", "state", "person_id", "event_id"))


def rows_and_events(o: dict[str, Any]) -> Any:
    return rows(o), sorted(Event.objects.values_list("pk", "retracted_at"))


HTML_CASES = [
    Case("lists:list", lambda o: "/lists/", ANY_CUSTODY),
    Case("lists:upload", lambda o: "/lists/new/", ANY_CUSTODY),
    Case(
        "lists:upload",
        lambda o: "/lists/new/",
        ANY_CUSTODY,
        method="post",
        data={
            "kind": "embassy",
            "listed_on": "2026-01-05",
            "file": RepeatableFile("list.csv", LIST.encode()),
        },
        unchanged=uploads,
    ),
    Case("lists:detail", lambda o: f"/lists/{o['upload'].code}/", READERS, overrides=UNSEEN),
    # Corrected by its uploader (the coordinator) or an admin: not by the lawyer.
    Case(
        "lists:edit",
        lambda o: f"/lists/{o['upload'].code}/edit/",
        {"coordinator", "admin"},
        overrides=UNSEEN,
    ),
    Case(
        "lists:edit",
        lambda o: f"/lists/{o['upload'].code}/edit/",
        {"coordinator", "admin"},
        method="post",
        data={"kind": "court", "listed_on": "2026-01-05", "city": "karachi"},
        overrides=UNSEEN,
        unchanged=lambda o: sorted(ListUpload.objects.values_list("pk", "kind")),
    ),
    Case(
        "lists:find",
        lambda o: f"/lists/{o['upload'].code}/find/",
        READERS,
        method="post",
        data={"find": "Aibek Sharifi"},
        overrides=UNSEEN,
        unchanged=rows,
    ),
    Case(
        "lists:download",
        lambda o: f"/lists/{o['upload'].code}/download/",
        READERS,
        overrides=UNSEEN,
    ),
    Case(
        "lists:progress",
        lambda o: f"/lists/{o['upload'].code}/progress/",
        READERS,
        overrides=UNSEEN,
    ),
    Case(
        "lists:match_again",
        lambda o: f"/lists/{o['failed'].code}/match-again/",
        WRITERS,
        method="post",
        data={},
        overrides=UNSEEN,
        unchanged=match_states,
    ),
    Case(
        "lists:confirm",
        lambda o: f"/lists/rows/{o['row'].code}/confirm/",
        WRITERS,
        method="post",
        data=None,  # set per test: it names the person
        overrides=UNSEEN,
        unchanged=rows,
    ),
    Case(
        "lists:row_search",
        lambda o: f"/lists/rows/{o['row'].code}/search/",
        WRITERS,
        method="post",
        data={"q": "Aibek Sharifi"},
        overrides=UNSEEN,
        unchanged=rows,
    ),
    Case(
        "lists:reject",
        lambda o: f"/lists/rows/{o['row'].code}/reject/",
        WRITERS,
        method="post",
        data={},
        overrides=UNSEEN,
        unchanged=rows,
    ),
    Case(
        "lists:undo",
        lambda o: f"/lists/rows/{o['decided'].code}/undo/",
        WRITERS,
        method="post",
        data={},
        overrides=UNSEEN,
        unchanged=rows_and_events,
    ),
]


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    if case.data is None and case.method == "post":
        data = {"person": str(objects["person"].code), "event": "on"}
        case = Case(**{**case.__dict__, "data": data})
    run_case(client, cast, objects, case, api=False)
