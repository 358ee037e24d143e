"""Importing people from an organisation's own list: checked whole, then written whole.

``import_people`` (docs/import.md) reads a table (``tables``), checks every row
(``validate``) and, only when no row is refused, writes them all in one transaction
(``write``). People are created or, when their ``external_id`` is known, updated; their
names, search keys and document numbers are written in bulk, because calling
``Person.set_names`` per person (one reindex each) is too slow for lists of many
thousands.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from qandas.accounts.models import City, Membership, Organisation
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.documents.models import Document, DocumentKind
from qandas.lib.fields import normalise_phone
from qandas.lib.scripts import LATIN, detect_script
from qandas.people.models import DatePrecision, Name, NameSource, Person, Sex, fold

from . import index, keys
from .models import NameKey
from .tables import Table

COLUMNS = (
    "external_id",
    "name",
    "other_names",
    "sex",
    "birth_year",
    "father_name",
    "city",
    "phone",
    "document_number",
)
NAME_MAX = 200
EXTERNAL_ID_MAX = 100
DOCUMENT_MAX = 100
FIRST_YEAR = 1900
BATCH = 2000
# Key rows are inserted this many at a time, sorted: the index is then written in order.
KEYS_AT_ONCE = 200_000
PROGRESS_EVERY = 10_000
SEXES = {
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "woman": Sex.FEMALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "man": Sex.MALE,
    "u": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
}

Progress = Callable[[str], None]


class ImportRefused(ValueError):
    """The file as a whole cannot be imported (its columns, its organisation)."""


@dataclass
class PersonRow:
    """One checked row: what it sets on its person (``None``: leave as it is)."""

    line: int
    external_id: str
    names: list[str]
    sex: str | None = None
    birth_year: int | None = None
    father_name: str | None = None
    city_id: int | None = None
    phones: list[str] | None = None
    document_number: str = ""
    name_keys: list[set[str]] = field(default_factory=list)


@dataclass
class Checked:
    rows: list[PersonRow]
    rejected: list[tuple[int, str]]
    existing: dict[str, Person]
    fallback: City | None = None


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    names: int = 0
    documents: int = 0


def check_columns(table: Table, allowed: Iterable[str] = COLUMNS) -> None:
    """Refuse a list without ``name`` or with columns this command does not know."""
    unknown = [c for c in table.columns if c not in allowed]
    if unknown:
        raise ImportRefused(
            f"Unknown columns: {', '.join(unknown)}. The columns are: {', '.join(COLUMNS)}."
        )
    if "name" not in table.columns:
        raise ImportRefused("The list has no “name” column; every row needs a name.")


def cities_by_word() -> dict[str, City]:
    """Every city under its slug and its name, case folded."""
    found: dict[str, City] = {}
    for city in City.objects.all():
        found[city.name.casefold()] = city
        found[city.slug.casefold()] = city
    return found


def default_city(organisation: Organisation | None) -> City | None:
    """The city of rows without one: the only city the organisation works in, if one.

    Its people's and members' cities count; an organisation that has none yet falls
    back to the only city of the installation. Otherwise rows must name their city.
    """
    used: set[int] = set()
    if organisation is not None and organisation.pk:
        used |= set(
            Person.objects.filter(organisation=organisation)
            .values_list("current_city", flat=True)
            .distinct()[:2]
        )
        used |= set(
            Membership.objects.filter(organisation=organisation)
            .exclude(cities=None)
            .values_list("cities", flat=True)
            .distinct()[:2]
        )
    if not used:
        used = set(City.objects.values_list("pk", flat=True)[:2])
    return City.objects.get(pk=used.pop()) if len(used) == 1 else None


def _name_list(value: dict[str, str]) -> list[str]:
    names = [value.get("name", "")]
    names += [n.strip() for n in value.get("other_names", "").split(";")]
    return [n for n in names if n]


def _check_name(text: str, column: str) -> None:
    if len(text) > NAME_MAX:
        raise ValueError(f"{column} is longer than {NAME_MAX} characters")
    if not any(char.isalpha() for char in text):
        raise ValueError(f"{column} has no letters")


def parse_row(line: int, value: dict[str, str], cities: dict[str, City]) -> PersonRow:
    """One row checked; ``ValueError`` says what is wrong with it."""
    if not value.get("name"):
        raise ValueError("name is empty")
    names = _name_list(value)
    for i, text in enumerate(names):
        _check_name(text, "name" if i == 0 else "other_names")
    row = PersonRow(line=line, external_id=value.get("external_id", ""), names=names)
    if len(row.external_id) > EXTERNAL_ID_MAX:
        raise ValueError(f"external_id is longer than {EXTERNAL_ID_MAX} characters")
    if value.get("sex"):
        sex = SEXES.get(value["sex"].casefold())
        if sex is None:
            raise ValueError("sex must be female, male or unknown (or f, m, u)")
        row.sex = sex
    if value.get("birth_year"):
        text = value["birth_year"]
        this_year = timezone.localdate().year
        if not text.isdigit() or not FIRST_YEAR <= int(text) <= this_year:
            raise ValueError(f"birth_year must be a year from {FIRST_YEAR} to {this_year}")
        row.birth_year = int(text)
    if value.get("father_name"):
        _check_name(value["father_name"], "father_name")
        row.father_name = value["father_name"]
    if value.get("city"):
        city = cities.get(value["city"].casefold())
        if city is None:
            raise ValueError(f"unknown city “{value['city'][:40]}”")
        row.city_id = city.pk
    if value.get("phone"):
        row.phones = []
        for raw in value["phone"].replace(",", ";").split(";"):
            if raw.strip():
                try:
                    e164 = normalise_phone(raw)
                except ValidationError as exc:
                    raise ValueError("; ".join(exc.messages)) from None
                if e164 not in row.phones:
                    row.phones.append(e164)
    if value.get("document_number"):
        if len(value["document_number"]) > DOCUMENT_MAX:
            raise ValueError(f"document_number is longer than {DOCUMENT_MAX} characters")
        row.document_number = value["document_number"]
    row.name_keys = [keys.name_keys(text) for text in names]
    return row


def validate(
    table: Table, organisation: Organisation | None, *, progress: Progress | None = None
) -> Checked:
    """Every row checked, and the people of known ``external_id`` found (one query)."""
    check_columns(table)
    cities, fallback = cities_by_word(), default_city(organisation)
    given = {value.get("external_id", "") for _line, value in table.rows} - {""}
    existing: dict[str, Person] = {}
    if organisation is not None and organisation.pk and given:
        wanted = sorted(given)
        for start in range(0, len(wanted), 500):
            for person in Person.objects.filter(
                organisation=organisation, external_id__in=wanted[start : start + 500]
            ):
                existing[person.external_id] = person
    rows: list[PersonRow] = []
    rejected: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    total = len(table.rows)
    for done, (line, value) in enumerate(table.rows, start=1):
        try:
            row = parse_row(line, value, cities)
            if row.external_id in first_line:
                raise ValueError(
                    f"external_id {row.external_id[:40]} is already on line "
                    f"{first_line[row.external_id]}"
                )
            known = existing.get(row.external_id) if row.external_id else None
            if known is not None and known.redacted_at is not None:
                raise ValueError("the person with this external_id was redacted")
            if known is not None and known.merged_into_id is not None:
                raise ValueError("the person with this external_id was merged into another record")
            if known is None and row.city_id is None and fallback is None:
                raise ValueError(
                    "city is empty, and the organisation works in several cities (or none)"
                )
        except ValueError as exc:
            rejected.append((line, str(exc)))
        else:
            rows.append(row)
            if row.external_id:
                first_line[row.external_id] = line
        if progress and (done % PROGRESS_EVERY == 0 or done == total) and total >= PROGRESS_EVERY:
            progress(f"validated {done}/{total}")
    return Checked(rows, rejected, existing, fallback)


def _new_person(row: PersonRow, organisation: Organisation, fallback: City | None) -> dict:
    city_id = row.city_id or (fallback.pk if fallback else None)
    assert city_id is not None  # validate() refused rows without one
    return {
        "code": uuid.uuid4(),
        "organisation_id": organisation.pk,
        "current_city_id": city_id,
        "external_id": row.external_id,
        "sex": row.sex or Sex.UNKNOWN,
        "birth_date": date(row.birth_year, 1, 1) if row.birth_year else None,
        "birth_date_precision": DatePrecision.YEAR,
        "father_name": row.father_name or "",
        "phones": row.phones or [],
    }


UPDATED_FIELDS = ["sex", "birth_date", "birth_date_precision", "father_name"]
UPDATED_FIELDS += ["current_city", "phones", "updated_at"]


def _apply(person: Person, row: PersonRow, now: object) -> None:
    if row.sex is not None:
        person.sex = row.sex
    if row.birth_year and (person.birth_date is None or person.birth_date.year != row.birth_year):
        person.birth_date = date(row.birth_year, 1, 1)
        person.birth_date_precision = DatePrecision.YEAR
    if row.father_name is not None:
        person.father_name = row.father_name
    if row.city_id is not None:
        person.current_city_id = row.city_id
    if row.phones is not None:
        person.phones = row.phones
    person.updated_at = now  # type: ignore[assignment]


def _script(text: str) -> str:
    # An ASCII name with a letter (every name has one) is Latin; skip the slow scan.
    return LATIN if text.isascii() else detect_script(text)


def _prepared(field: Any) -> Callable[[Any], Any]:
    """``field.get_db_prep_save`` remembered per value: an import repeats most values
    (cities, years, sexes, scripts) and preparing each is most of an insert's cost."""
    seen: dict[Any, Any] = {}

    def prepare(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            prepared = seen[value] = field.get_db_prep_save(value, connection)
            return prepared
        except TypeError:  # unhashable (a list of phones): prepared every time
            return field.get_db_prep_save(value, connection)

    return prepare


def _insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows, given as ``{attname: value}``, with one prepared statement.

    Columns a row does not give take the field's default (called per row when it is a
    callable, such as a new ``code``). Model instances and ``bulk_create`` cost more
    than the database's own work; callers read the new ids back.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    now = timezone.now()
    plan = []
    for f in fields:
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        stamped = stamped or (f.has_default() and f.default is timezone.now)
        per_row = not stamped and f.has_default() and callable(f.default)
        fixed = now if stamped else (None if per_row else f.get_default())
        plan.append((f.attname, _prepared(f), per_row, fixed, f))
    values = [
        [
            prepare(row[attname] if attname in row else (f.get_default() if per_row else fixed))
            for attname, prepare, per_row, fixed, f in plan
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        # Names from the model's metadata; every value is a parameter.
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # noqa: S608


def _update_people(people: list[Person]) -> None:
    """Save the imported fields of people with one prepared statement (``bulk_update``
    builds a CASE per field and row, minutes for a few thousand people)."""
    fields = [Person._meta.get_field(name) for name in UPDATED_FIELDS]
    columns = ", ".join(f"{connection.ops.quote_name(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    table = connection.ops.quote_name(Person._meta.db_table)
    # Names from the model's metadata; every value is a parameter.
    sql = f"UPDATE {table} SET {columns} WHERE id = %s"  # noqa: S608
    values = [
        [f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields] + [p.pk]  # type: ignore[union-attr]
        for p in people
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def write(
    checked: Checked, organisation: Organisation, *, progress: Progress | None = None
) -> Written:
    """Create and update everyone of ``checked`` in one transaction, with one audit event."""
    written = Written()
    now = timezone.now()
    total = len(checked.rows)
    keys_waiting: list[index.KeyRow] = []
    with transaction.atomic():
        for start in range(0, total, BATCH):
            batch = checked.rows[start : start + BATCH]
            new: list[dict[str, Any]] = []
            changed: list[Person] = []
            owners: list[Person | dict[str, Any]] = []  # each row's person, in row order
            for row in batch:
                person = checked.existing.get(row.external_id) if row.external_id else None
                if person is None:
                    new.append(_new_person(row, organisation, checked.fallback))
                    owners.append(new[-1])
                else:
                    _apply(person, row, now)
                    changed.append(person)
                    owners.append(person)
            _insert(Person, new)
            new_ids = {}
            if new:
                new_ids = dict(
                    Person.objects.filter(code__in=[p["code"] for p in new]).values_list(
                        "code", "pk"
                    )
                )
            if changed:
                _update_people(changed)
                ids = [p.pk for p in changed]
                NameKey.objects.filter(person_id__in=ids).delete()
                Name.objects.filter(person_id__in=ids).delete()
            person_ids = [o.pk if isinstance(o, Person) else new_ids[o["code"]] for o in owners]
            names: list[dict[str, Any]] = []
            for row, person_id in zip(batch, person_ids, strict=True):
                for i, text in enumerate(row.names):
                    names.append(
                        {
                            "person_id": person_id,
                            "text": text,
                            "script": _script(text),
                            "folded": fold(text),
                            "source": NameSource.OTHER,
                            "is_primary": i == 0,
                            "position": i,
                        }
                    )
            _insert(Name, names)
            name_ids = {
                (person_id, position): pk
                for pk, person_id, position in Name.objects.filter(
                    person_id__in=person_ids
                ).values_list("pk", "person_id", "position")
            }
            for row, person_id in zip(batch, person_ids, strict=True):
                for position, key_set in enumerate(row.name_keys):
                    name_id = name_ids[(person_id, position)]
                    keys_waiting.extend((organisation.pk, person_id, name_id, k) for k in key_set)
            if len(keys_waiting) >= KEYS_AT_ONCE:
                index.insert_keys(keys_waiting)
                keys_waiting = []
            written.documents += _add_documents(batch, person_ids, organisation)
            written.created += len(new)
            written.updated += len(changed)
            written.names += len(names)
            done = start + len(batch)
            if (
                progress
                and total >= PROGRESS_EVERY
                and (done % PROGRESS_EVERY < BATCH or done == total)
            ):
                progress(f"written {done}/{total}")
        index.insert_keys(keys_waiting)
        record(
            Verb.CREATE,
            actor=None,
            obj=organisation,
            via="command",
            # Counts, never names: what the import did, for the audit trail.
            fields=[
                "import_people",
                f"people_created={written.created}",
                f"people_updated={written.updated}",
                f"names={written.names}",
                f"documents={written.documents}",
            ],
        )
    return written


def _add_documents(
    batch: list[PersonRow], person_ids: list[int], organisation: Organisation
) -> int:
    """A document (kind “other”) for each number a person does not hold already."""
    wanted = [(r, p) for r, p in zip(batch, person_ids, strict=True) if r.document_number]
    if not wanted:
        return 0
    held = set(
        Document.objects.filter(
            Q(person_id__in=[p for _r, p in wanted]),
            number__in=[r.document_number for r, _p in wanted],
        ).values_list("person_id", "number")
    )
    documents = [
        {
            "organisation_id": organisation.pk,
            "person_id": person_id,
            "kind": DocumentKind.OTHER,
            "number": row.document_number,
        }
        for row, person_id in wanted
        if (person_id, row.document_number) not in held
    ]
    _insert(Document, documents)
    return len(documents)


def import_table(
    table: Table,
    organisation: Organisation | None,
    *,
    dry_run: bool = False,
    create_org: str = "",
    progress: Progress | None = None,
) -> tuple[Checked, Written | None]:
    """Validate every row; write them all unless a row is refused or this is a dry run."""
    started = time.monotonic()
    checked = validate(table, organisation, progress=progress)
    if checked.rejected or dry_run:
        return checked, None
    with transaction.atomic():
        if organisation is None:
            organisation = Organisation.objects.create(slug=create_org, name=create_org)
        written = write(checked, organisation, progress=progress)
    if progress:
        seconds = max(time.monotonic() - started, 1e-6)
        rate = len(checked.rows) / seconds
        progress(f"{len(checked.rows)} rows in {seconds:.1f} s ({rate:.0f} rows/s)")
    return checked, written
