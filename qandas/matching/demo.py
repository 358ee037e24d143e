"""The lists demo: scenario step 9, and one record registered twice.

With the demo community and the custody scenario loaded, right after ``manage.py demo``:

- the Karachi coordinator has uploaded a police list from Manghopir Road Police
  Station, dated yesterday, the station that told the family it held nobody: the
  raided brothers, their cousin and the man missing since three days are on it, in
  English spellings and in Urdu script, with one local man who matches nobody. Every
  row waits for the coordinator to confirm it, which records where the man is held;
- the admin has uploaded the embassy's list of Karachi applicants from the batch sent
  for consideration, in Kazakh and Russian Cyrillic, each row with its application's
  reference;
- the wife of the missing man was registered a second time, under the Russian
  spelling of her name, by a volunteer who did not find her record: the duplicate
  review shows the pair to the Karachi coordinator.

Lists go through the upload's own code path (``lists.clean_list_file`` and
``lists.create_upload``), so their files are in the private store, and are matched
at once (``lists.match_upload``), so their rows have candidates without the worker.
Every name is invented. Loaded once: each part has a fixed code, and a part whose code
exists is not added again.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from qandas.accounts.demo import Demo, demo_loaded
from qandas.accounts.models import City, Organisation, User
from qandas.applications.models import Application, Batch
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.incidents.models import Place, PlaceKind
from qandas.people import demo as people_demo
from qandas.people.models import DatePrecision, Name, NameSource, Person, Sex

from . import lists
from .list_views import UPLOAD_FIELDS
from .models import ListKind, ListUpload

NAMESPACE = uuid.UUID("9c4e1b27-5a8d-4f36-b0e2-7d1a3c5f8e64")
POLICE_LIST = "police-list-manghopir"
EMBASSY_LIST = "embassy-list-karachi"
DUPLICATE = "second-record-akmaral"

STATION = "Manghopir Road Police Station"
# The custody demo's fixed people (``qandas.incidents.demo``), by their Latin name.
MISSING_HUSBAND = "Galym Tursynov"
REGISTERED_TWICE = "Akmaral Tursynova"
SECOND_RECORD_NAME = "Турсынова Акмарал"  # Russian spelling: no Kazakh letters
SECOND_RECORD_FATHER = "Нурбек"

# Police list rows: (who is meant, name as the station wrote it, father's name as
# written, whether the station gave a birth year). English spellings and Urdu script.
POLICE_ROWS: list[tuple[str | None, str, str, bool]] = [
    ("Ruslan Saparbekov", "Roslan Saparbekof", "Kairat", True),
    ("Azamat Saparbekov", "عظمت سپربیکوف", "قیرت", False),
    ("Dauren Mukashev", "DAWRAN MUKASHOV", "Esengaldi", True),
    (MISSING_HUSBAND, "غالم ترسنوف", "ترسن", False),
    (None, "Imran Qureshi", "Tariq Mehmood", True),  # a local man: matches nobody
]
LOCAL_MAN_BORN = 1988
# How the embassy's clerk wrote each row: (in Kazakh letters, in capitals, given name
# first), one row each.
EMBASSY_STYLES = [
    (True, True, False),
    (False, False, False),
    (True, False, True),
    (False, True, False),
    (True, False, False),
]
SENT_FOR_CONSIDERATION = "Қарауға жіберілді"
# Kazakh letters as a Russian-speaking clerk writes them.
RUSSIAN = str.maketrans("ӘәҒғҚқҢңӨөҰұҮүҺһІі", "АаГгКкНнОоУуУуХхИи")


def key(label: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, label)


def csv_file(name: str, header: list[str], rows: list[list[str]]) -> SimpleUploadedFile:
    """A list as a spreadsheet program saves it: CSV in UTF-8 with a byte order mark."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8-sig"), "text/csv")


def upload(
    organisation: Organisation,
    file: SimpleUploadedFile,
    *,
    code: uuid.UUID,
    by: User,
    kind: str,
    title: str,
    listed_on: date,
    city: City,
    place: Place | None = None,
) -> ListUpload:
    """Store and match a list as the upload page does, audit event included."""
    clean, table = lists.clean_list_file(file)
    created = lists.create_upload(
        clean,
        table,
        by=by,
        organisation_id=organisation.pk,
        code=code,
        kind=kind,
        title=title,
        listed_on=listed_on,
        place=place,
        city=city,
    )
    # Matched now, not by the worker: the demo's lists are ready as soon as it is
    # loaded, with or without one (the queued task then finds them done).
    lists.match_upload(created.pk)
    created.refresh_from_db()
    record(
        Verb.CREATE,
        actor=by,
        obj=created,
        fields=UPLOAD_FIELDS,
    )
    return created


def by_latin_name(organisation: Organisation, names: list[str]) -> dict[str, Person] | None:
    """The custody demo's people by Latin name; None if one of them is not there."""
    found = {
        name.text: name.person
        for name in Name.objects.filter(
            person__organisation=organisation, text__in=names
        ).select_related("person")
    }
    return found if set(names) <= set(found) else None


def load_police_list(organisation: Organisation, cities: dict[str, City], by: User) -> bool:
    """Yesterday's list from the station that said it held nobody."""
    if ListUpload.objects.filter(code=key(POLICE_LIST)).exists():
        return False
    meant = by_latin_name(organisation, [who for who, *_rest in POLICE_ROWS if who])
    station = Place.objects.filter(
        organisation=organisation, kind=PlaceKind.POLICE_STATION, name=STATION
    ).first()
    if meant is None or station is None:
        return False
    listed_on = timezone.localdate() - timedelta(days=1)
    rows: list[list[str]] = []
    for number, (who, written, father, with_year) in enumerate(POLICE_ROWS, start=1):
        person = meant.get(who) if who else None
        born = person.birth_date if person else date(LOCAL_MAN_BORN, 1, 1)
        year = str(born.year) if with_year and born else ""
        rows.append(
            [
                written,
                father,
                year,
                f"{310 + number * 7}/{listed_on.year}",
                "14 Foreigners Act 1946",
            ]
        )
    upload(
        organisation,
        csv_file(
            f"manghopir-detainees-{listed_on.isoformat()}.csv",
            ["Name", "Father Name", "Birth Year", "FIR Number", "Section"],
            rows,
        ),
        code=key(POLICE_LIST),
        by=by,
        kind=ListKind.POLICE,
        title=f"{STATION}: persons in lock-up",
        listed_on=listed_on,
        city=cities["karachi"],
        place=station,
    )
    return True


def cyrillic_words() -> dict[str, str]:
    """The demo community's given and family names, Latin to Kazakh Cyrillic."""
    words = {latin: cyrillic for latin, cyrillic, _arabic in people_demo.MEN + people_demo.WOMEN}
    for family in people_demo.FAMILIES:
        for woman in (False, True):
            latin, cyrillic, _arabic = people_demo.family_form(family, woman)
            words[latin] = cyrillic
    return words


def embassy_spelling(person: Person, index: int, words: dict[str, str]) -> str | None:
    """How the embassy writes ``person`` on row ``index``: in Kazakh letters or as a
    Russian-speaking clerk spells them (``EMBASSY_STYLES``); None if not known."""
    latin = next((n.text for n in person.names.all() if n.script == "latin"), "")
    parts = latin.split()
    if len(parts) != 2 or not all(part in words for part in parts):
        return None
    given, family = (words[part] for part in parts)
    kazakh, capitals, given_first = EMBASSY_STYLES[index]
    text = f"{given} {family}" if given_first else f"{family} {given}"
    if not kazakh:
        text = text.translate(RUSSIAN)
    return text.upper() if capitals else text


def karachi_applicants(batch: Batch, karachi: City) -> list[tuple[Person, Application]]:
    """One person per Karachi application of the batch (a household's first member),
    in the batch's order."""
    chosen = []
    for application in (
        Application.objects.filter(batch=batch)
        .select_related("person")
        .prefetch_related("household__members__names", "person__names")
        .order_by("pk")
    ):
        if application.person is not None:
            people = [application.person]
        elif application.household is not None:
            people = sorted(application.household.members.all(), key=lambda p: p.pk)
        else:
            continue
        if people and people[0].current_city_id == karachi.pk:
            chosen.append((people[0], application))
    return chosen


def load_embassy_list(organisation: Organisation, cities: dict[str, City], by: User) -> bool:
    """The embassy's list of the Karachi applicants it sent for consideration."""
    if ListUpload.objects.filter(code=key(EMBASSY_LIST)).exists():
        return False
    batch = Batch.objects.filter(organisation=organisation).order_by("pk").first()
    if batch is None:
        return False
    words = cyrillic_words()
    rows: list[list[str]] = []
    for person, application in karachi_applicants(batch, cities["karachi"]):
        name = embassy_spelling(person, len(rows), words)
        if name is None:
            continue
        father = words.get(person.father_name, person.father_name)
        rows.append(
            [
                str(len(rows) + 1),
                name,
                father if EMBASSY_STYLES[len(rows)][0] else father.translate(RUSSIAN),
                str(person.birth_date.year) if person.birth_date else "",
                application.reference,
                SENT_FOR_CONSIDERATION,
            ]
        )
        if len(rows) == len(EMBASSY_STYLES):
            break
    if not rows:
        return False
    listed_on = timezone.localdate() - timedelta(days=12)
    upload(
        organisation,
        csv_file(
            f"embassy-karachi-{listed_on.isoformat()}.csv",
            ["No", "Name", "Father Name", "Birth Year", "Reference", "Status"],
            rows,
        ),
        code=key(EMBASSY_LIST),
        by=by,
        kind=ListKind.EMBASSY,
        title="Embassy of Kazakhstan: Karachi applicants sent for consideration",
        listed_on=listed_on,
        city=cities["karachi"],
    )
    return True


def load_second_record(organisation: Organisation, cities: dict[str, City], by: User) -> bool:
    """The missing man's wife, registered again under the Russian spelling of her name,
    with her birth year and father's name but not her household."""
    if Person.objects.filter(code=key(DUPLICATE)).exists():
        return False
    first = by_latin_name(organisation, [REGISTERED_TWICE])
    if first is None:
        return False
    original = first[REGISTERED_TWICE]
    born = original.birth_date
    second = Person.objects.create(
        code=key(DUPLICATE),
        organisation=organisation,
        current_city=cities["karachi"],
        sex=Sex.FEMALE,
        birth_date=born.replace(month=1, day=1) if born else None,
        birth_date_precision=DatePrecision.YEAR,
        father_name=SECOND_RECORD_FATHER,
        languages="Kazakh, Russian",
        created_by=by,
    )
    second.set_names([{"text": SECOND_RECORD_NAME, "source": NameSource.OTHER}])
    return True


@transaction.atomic
def load(organisation: Organisation, cities: dict[str, City], users: dict[str, User]) -> int:
    """Add what is missing of the lists demo; returns how many parts were added."""
    if "karachi" not in users or "admin" not in users or "karachi" not in cities:
        return 0
    return (
        load_police_list(organisation, cities, users["karachi"])
        + load_embassy_list(organisation, cities, users["admin"])
        + load_second_record(organisation, cities, users["karachi"])
    )


@receiver(demo_loaded, sender=Demo)
def add_demo_lists(
    sender: Any,
    organisation: Organisation,
    cities: dict[str, City],
    users: dict[str, User],
    **kwargs: Any,
) -> None:
    load(organisation, cities, users)
