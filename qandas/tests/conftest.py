"""The demo, for the checks that only read it (``test_demo.py``).

Loading the demo costs seconds, and a module-scoped fixture loads it once per module
(``--dist loadfile`` sends each file whole to one worker), so every read-only check of
the demo lives in one module and shares one load. A test that changes demo data must
load it itself.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from qandas.accounts.models import Membership, Organisation, User
from qandas.applications.models import Application, Authority, Batch, Official, StatusChange
from qandas.correspondence.models import Letter, Promise, Slip
from qandas.documents.models import Document
from qandas.incidents.models import Alarm, Assignment, DutyRota, Episode, Event, Place
from qandas.matching.models import ListRow, ListUpload
from qandas.people.models import Household, Name, Person


@dataclass
class Demo:
    """``manage.py demo`` run twice: first with DEBUG on (as for a developer), then off."""

    private: Path  # the demo's private store (each test gets its own, empty, one)
    first_output: str  # what the first run printed (DEBUG on)
    second_output: str  # what the second run printed (DEBUG off)
    first: dict[str, int]  # row counts after the first run
    second: dict[str, int]  # row counts after the second run
    first_passwords: dict[str, str]  # password hash by username after the first run


def demo_counts() -> dict[str, int]:
    """How many rows of each kind the demo made: a second run must add none."""
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "people": Person.objects.count(),
        "names": Name.objects.count(),
        "households": Household.objects.count(),
        "documents": Document.objects.count(),
        "events": Event.objects.count(),
        "places": Place.objects.count(),
        "alarms": Alarm.objects.count(),
        "episodes": Episode.objects.count(),
        "assignments": Assignment.objects.count(),
        "rota": DutyRota.objects.count(),
        "authorities": Authority.objects.count(),
        "officials": Official.objects.count(),
        "batches": Batch.objects.count(),
        "applications": Application.objects.count(),
        "history": StatusChange.objects.count(),
        "letters": Letter.objects.count(),
        "promises": Promise.objects.count(),
        "slips": Slip.objects.count(),
        "uploads": ListUpload.objects.count(),
        "rows": ListRow.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """The demo, run twice, once per module, in a transaction rolled back afterwards."""
    private = tmp_path_factory.mktemp("private")  # the demo's lists are stored files
    first, second = StringIO(), StringIO()
    with (
        override_settings(PRIVATE_FILES_DIR=private),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        with override_settings(DEBUG=True):
            call_command("demo", stdout=first)
        first_counts = demo_counts()
        first_passwords = dict(User.objects.values_list("username", "password"))
        call_command("demo", stdout=second)
        yield Demo(
            private,
            first.getvalue(),
            second.getvalue(),
            first_counts,
            demo_counts(),
            first_passwords,
        )
        transaction.set_rollback(True)
