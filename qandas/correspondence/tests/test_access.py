"""Who may open each letters, promises and timeline page (DESIGN section 1).

Coordinators read; liaisons and admins read and write; lawyers and analysts are
refused; another organisation's record is a 404.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.correspondence.models import Letter, LetterScan, Promise
from qandas.correspondence.tests.helpers import exchange
from qandas.documents.tests.helpers import RepeatableFile, png_bytes
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

READERS = {"coordinator", "quetta_coordinator", "liaison", "admin"}
WRITERS = {"liaison", "admin"}
# Lists answer every reader, in either organisation, with their own organisation's.
LISTERS = READERS | {"outsider", "outsider_admin"}
# The other organisation's coordinator is refused by role before any lookup.
BY_ROLE = {"outsider": 403}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    x = exchange(cast.organisation, cast.karachi, cast.liaison)
    return {"x": x}


def letters(o: dict[str, Any]) -> Any:
    return sorted(Letter.objects.values_list("pk", "subject", "dated_on"))


def scans(o: dict[str, Any]) -> Any:
    return sorted(LetterScan.objects.values_list("pk", flat=True))


def promises(o: dict[str, Any]) -> Any:
    return sorted(Promise.objects.values_list("pk", "due_on", "slip_count", "kept_on", "quote"))


def today() -> str:
    return timezone.localdate().isoformat()


def letter_data(o: dict[str, Any]) -> dict[str, Any]:
    x = o["x"]
    return {
        "direction": "in",
        "dated_on": today(),
        "authority": str(x.authority.code),
        "official": str(x.official.code),
        "subject": "A new answer",
        "text": "Still under consideration.",
        "reply_to": str(x.reply.code),
    }


def L(o: dict[str, Any]) -> Letter:
    return o["x"].reply


def P(o: dict[str, Any]) -> Promise:
    return o["x"].promise


HTML_CASES = [
    Case("correspondence:letters", lambda o: "/letters/", LISTERS),
    Case(
        "correspondence:letter_create",
        lambda o: "/letters/new/",
        WRITERS | {"outsider_admin"},
        overrides=BY_ROLE,
    ),
    Case(
        "correspondence:letter_create",
        lambda o: f"/letters/new/?reply_to={L(o).code}",
        WRITERS | {"outsider_admin"},
        overrides=BY_ROLE,
    ),
    Case(
        "correspondence:letter_create",
        lambda o: "/letters/new/",
        WRITERS | {"outsider_admin"},
        method="post",
        data=None,  # set per test: it needs the codes
        # The other organisation's admin cannot name this organisation's authority:
        # the form refuses (200) and nothing is saved.
        overrides={**BY_ROLE, "outsider_admin": 200},
        unchanged=letters,
    ),
    Case("correspondence:letter", lambda o: f"/letters/{L(o).code}/", READERS),
    Case(
        "correspondence:letter_edit",
        lambda o: f"/letters/{L(o).code}/edit/",
        WRITERS,
        overrides=BY_ROLE,
    ),
    Case(
        "correspondence:letter_edit",
        lambda o: f"/letters/{L(o).code}/edit/",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=letters,
    ),
    Case(
        "correspondence:scan_upload",
        lambda o: f"/letters/{L(o).code}/scans/new/",
        WRITERS,
        overrides=BY_ROLE,
    ),
    Case(
        "correspondence:scan_upload",
        lambda o: f"/letters/{L(o).code}/scans/new/",
        WRITERS,
        method="post",
        data={"file": RepeatableFile("answer.png", png_bytes())},
        overrides=BY_ROLE,
        unchanged=scans,
    ),
    Case(
        "correspondence:scan_download",
        lambda o: f"/letter-scans/{o['x'].scan.code}/download/",
        READERS,
    ),
    Case(
        "correspondence:promise_from_letter",
        lambda o: f"/letters/{L(o).code}/promises/new/",
        WRITERS,
        overrides=BY_ROLE,
    ),
    Case(
        "correspondence:promise_from_letter",
        lambda o: f"/letters/{L(o).code}/promises/new/",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=promises,
    ),
    Case("correspondence:promises", lambda o: "/promises/", LISTERS),
    Case("correspondence:promises", lambda o: "/promises/?state=broken", LISTERS),
    Case(
        "correspondence:promise_create",
        lambda o: "/promises/new/",
        WRITERS | {"outsider_admin"},
        overrides=BY_ROLE,
    ),
    Case(
        "correspondence:promise_create",
        lambda o: "/promises/new/",
        WRITERS | {"outsider_admin"},
        method="post",
        data=None,
        overrides={**BY_ROLE, "outsider_admin": 200},
        unchanged=promises,
    ),
    Case("correspondence:promise", lambda o: f"/promises/{P(o).code}/", READERS),
    Case(
        "correspondence:promise_slip",
        lambda o: f"/promises/{P(o).code}/slips/",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=promises,
    ),
    Case(
        "correspondence:promise_keep",
        lambda o: f"/promises/{P(o).code}/kept/",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=promises,
    ),
    Case(
        "correspondence:authority_timeline",
        lambda o: f"/authorities/{o['x'].authority.code}/timeline/",
        READERS,
    ),
    Case(
        "correspondence:authority_timeline",
        lambda o: f"/authorities/{o['x'].authority.code}/timeline/?names=on&pdf=1",
        READERS,
    ),
    Case(
        "correspondence:official_timeline",
        lambda o: f"/officials/{o['x'].official.code}/timeline/",
        READERS,
    ),
    Case(
        "correspondence:official_timeline",
        lambda o: f"/officials/{o['x'].official.code}/timeline/?pdf=1",
        READERS,
    ),
]


def post_data(o: dict[str, Any], name: str) -> dict[str, Any]:
    x = o["x"]
    later = (timezone.localdate() + timedelta(days=90)).isoformat()
    if name == "correspondence:letter_create":
        return letter_data(o)
    if name == "correspondence:letter_edit":
        return {**letter_data(o), "dated_on": x.reply.dated_on.isoformat(), "subject": "Edited"}
    if name == "correspondence:promise_from_letter":
        return {
            "quote": "In December.",
            "made_on": x.reply.dated_on.isoformat(),
            "due_on": later,
            "due_precision": "month",
        }
    if name == "correspondence:promise_create":
        return {
            "meeting_on": today(),
            "authority": str(x.authority.code),
            "official": str(x.official.code),
            "quote": "Next month.",
            "due_on": later,
            "due_precision": "month",
        }
    if name == "correspondence:promise_slip":
        return {"due_on": later, "due_precision": "day", "letter": "", "quote": "Later."}
    return {"kept_on": today()}


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    if case.method == "post" and case.data is None:
        case = Case(**{**case.__dict__, "data": post_data(objects, case.name)})
    run_case(client, cast, objects, case, api=False)
