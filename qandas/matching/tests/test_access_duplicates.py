"""The duplicate review pages against every member of the cast.

Coordinators and admins review the pairs they may change (a coordinator: their cities);
lawyers, liaisons and analysts are refused by role, even for people they may read.
"""

from typing import Any

import pytest
from django.test import Client

from qandas.matching import duplicates
from qandas.matching.models import DuplicateDecision, Merge
from qandas.people.models import Person
from qandas.test import Case, Cast, run_case

# Like every access matrix, run on PostgreSQL only: the gate's raw SQL in matching is
# tested on both engines by test_search, test_lists and test_duplicates.
pytestmark = pytest.mark.django_db

# Anyone who registers people opens the queue; it lists only pairs they may change.
REVIEWERS_ANYWHERE = {"coordinator", "quetta_coordinator", "admin", "outsider", "outsider_admin"}
REVIEWERS = {"coordinator", "admin"}
NOT_THEIR_CITY = {"quetta_coordinator": 404}


def named(cast: Cast, text: str) -> Person:
    person = Person.objects.create(organisation=cast.organisation, current_city=cast.karachi)
    person.set_names([{"text": text}])
    return person


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    first, second = named(cast, "Askar Temirbekov"), named(cast, "Аскар Темирбеков")
    kept, gone = named(cast, "Nurzhan Abilov"), named(cast, "Нуржан Абилов")
    merge = duplicates.merge(kept, gone, by=cast.admin)
    # Decided, so that withdrawing the decision (reopen) changes something when allowed.
    duplicates.not_same(first, second, by=cast.admin, note="Two brothers")
    return {"first": first, "second": second, "merge": merge}


def pair_url(suffix: str = "") -> Any:
    return lambda o: f"/duplicates/{o['first'].code}/{o['second'].code}/{suffix}"


def pair_state(o: dict[str, Any]) -> Any:
    people = Person.objects.filter(pk__in=[o["first"].pk, o["second"].pk])
    return (
        sorted(people.values_list("merged_into", flat=True), key=str),
        sorted(DuplicateDecision.objects.values_list("first", "second", "verdict")),
        Merge.objects.count(),
    )


def undo_state(o: dict[str, Any]) -> Any:
    merge = Merge.objects.get(pk=o["merge"].pk)
    return merge.undone_at, Person.objects.get(pk=merge.merged_id).merged_into_id


HTML_CASES = [
    Case("duplicates:list", lambda o: "/duplicates/", REVIEWERS_ANYWHERE),
    Case("duplicates:pair", pair_url(), REVIEWERS, overrides=NOT_THEIR_CITY),
    Case(
        "duplicates:merge",
        pair_url("merge/"),
        REVIEWERS,
        method="post",
        data={"survivor": ""},  # replaced below: the first record's code
        overrides=NOT_THEIR_CITY,
        unchanged=pair_state,
    ),
    Case(
        "duplicates:not_same",
        pair_url("not-same/"),
        REVIEWERS,
        method="post",
        data={"note": "Two brothers"},
        overrides=NOT_THEIR_CITY,
        unchanged=pair_state,
    ),
    Case(
        "duplicates:reopen",
        pair_url("reopen/"),
        REVIEWERS,
        method="post",
        overrides=NOT_THEIR_CITY,
        unchanged=pair_state,
    ),
    Case("duplicates:merges", lambda o: "/duplicates/merges/", REVIEWERS_ANYWHERE),
    Case(
        "duplicates:undo",
        lambda o: f"/duplicates/merges/{o['merge'].code}/undo/",
        REVIEWERS,
        overrides=NOT_THEIR_CITY,
    ),
    Case(
        "duplicates:undo",
        lambda o: f"/duplicates/merges/{o['merge'].code}/undo/",
        REVIEWERS,
        method="post",
        overrides=NOT_THEIR_CITY,
        unchanged=undo_state,
    ),
]


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    if case.name == "duplicates:merge":
        case = Case(**{**case.__dict__, "data": {"survivor": str(objects["first"].code)}})
    run_case(client, cast, objects, case, api=False)


def test_only_reviewers_get_the_link(client: Client, cast: Cast) -> None:
    for name, shown in [
        ("coordinator", True),
        ("admin", True),
        ("liaison", False),
        ("lawyer", False),
    ]:
        client.force_login(cast.users[name])
        assert (b'href="/duplicates/"' in client.get("/").content) is shown, name
