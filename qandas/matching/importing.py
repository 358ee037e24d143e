"""Importing people from an organisation's own list: all rows or none.

``import_people`` (docs/import.md) reads a table (``tables``) and checks and writes it
in one transaction (``import_table``): rows are parsed and their names keyed a chunk at
a time (``parse_chunk``; in a worker per core for a long list, since keying names is
most of the work), checked against each other and the registry (``Checker``), and
written as they come (``Writer``) while the workers go on with the next chunks. The
first refused row stops the writing, every row is still checked so that all refusals
are named, and the transaction is rolled back: nothing is imported half-way. People
are created or, when their ``external_id`` is known, updated; their names, search keys
and document numbers are written in bulk, because calling ``Person.set_names`` per
person (one reindex each) is too slow for lists of many thousands.
"""

from __future__ import annotations

import multiprocessing
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from qandas.accounts.models import City, Membership, Organisation
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.documents.models import Document, DocumentKind
from qandas.lib.bulk import insert_rows
from qandas.lib.fields import normalise_phone
from qandas.lib.forked import Forked
from qandas.lib.numbers import FIRST_YEAR, birth_year, number_key
from qandas.lib.scripts import LATIN, detect_script, has_control, has_letter, visible
from qandas.people.models import DatePrecision, Name, NameSource, Person, Sex, fold

from . import duplicates, index, variants
from .batch import cores
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
BATCH = 2000
CHUNK = 1000  # rows parsed and keyed together (by a worker, for a long list)
PARALLEL_FROM = 3000  # rows from which a list is parsed in a worker per core
# Key rows are inserted this many at a time, sorted: the index is then written in order.
KEYS_AT_ONCE = 200_000
PROGRESS_EVERY = 10_000
CACHE_KIB = 512 * 1024  # SQLite's page cache while importing (``roomy_cache``)
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
    keys: set[str] = field(default_factory=set)  # of all its names, each once


@dataclass
class Checked:
    """What checking a list found: how many rows are fine (and of those, how many update
    someone by their ``external_id``), and each refused row's line and why. Counts, not
    the rows: a row parsed, with its names' keys, took about 5 KB, and keeping every one
    to the end held gigabytes for a file of a million rows."""

    good: int
    updates: int
    rejected: list[tuple[int, str]]


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


# What parts other_names: the semicolon, and the Arabic and the fullwidth one, which a
# keyboard in Urdu, Persian or Chinese types in its place.
NAME_SEPARATORS = str.maketrans({"؛": ";", "；": ";"})


def name_list(value: dict[str, str]) -> list[str]:
    """A row's names: ``name``, then each of ``other_names`` (``;``-separated, or ``؛``
    or ``；``), as read (invisible characters dropped, spaces trimmed), the empty ones
    left out."""
    names = [visible(value.get("name", "")).strip()]
    others = value.get("other_names", "").translate(NAME_SEPARATORS)
    names += [visible(n).strip() for n in others.split(";")]
    return [n for n in names if n]


# A list row's other names matched besides its name (``match_list``, an uploaded list):
# each is a search of its own, and a cell may hold hundreds.
OTHER_NAMES_MATCHED = 5


# An alias written in the name's cell, as police lists write one: "Nurlan Kenzhebayev
# alias Nurik", "… @ Nurik", "… urf Nurik", "… a.k.a. Nurik", "… عرف نوریک". Matched as
# the name and another name, not as one name: with "urf", the alias's brother came
# first (found by exploratory testing, 14b).
ALIAS = re.compile(r"\s*@\s*|\s+(?:alias|urf|a\.?k\.?a\.?|عرف)\s+", re.IGNORECASE)


def names_to_match(value: dict[str, str]) -> list[tuple[str, str]]:
    """The names of a list row to match: its name and its first ``OTHER_NAMES_MATCHED``
    other names, each once, with the other name each is ("" for the row's name: what
    ``search.best_of`` takes). An alias in the name's cell (``ALIAS``) is another name."""
    written = visible(value.get("name", "")).strip()  # the name, if any, comes first
    own, *aliases = [part.strip() for part in ALIAS.split(written)] if written else [""]
    if not own:  # nothing before the alias word: the cell is the name
        own, aliases = written, []
    every = [own, *aliases, *name_list({**value, "name": ""})]
    names = list(dict.fromkeys(n for n in every if n))[: OTHER_NAMES_MATCHED + bool(own)]
    return [(name, "" if name == own else name) for name in names]


def _check_name(text: str, column: str) -> None:
    if len(text) > NAME_MAX:
        raise ValueError(f"{column} is longer than {NAME_MAX} characters")
    # As the API refuses them (people.api.check_name): a line break in a quoted cell
    # made a name of two lines.
    if has_control(text):
        raise ValueError(f"{column} holds a control character (a line break or a tab)")
    if not has_letter(text):
        raise ValueError(f"{column} has no letters")


def parse_row(line: int, value: dict[str, str], cities: dict[str, City]) -> PersonRow:
    """One row checked; ``ValueError`` says what is wrong with it."""
    if not visible(value.get("name", "")).strip():
        raise ValueError("name is empty")
    names = name_list(value)
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
        row.birth_year = birth_year(value["birth_year"])
        if row.birth_year is None:
            this_year = timezone.localdate().year
            raise ValueError(f"birth_year must be a year from {FIRST_YEAR} to {this_year}")
    father = visible(value.get("father_name", "")).strip()
    if father:
        _check_name(father, "father_name")
        row.father_name = father
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
    return row


def existing_people(table: Table, organisation: Organisation | None) -> dict[str, Person]:
    """The organisation's people whose ``external_id`` the list gives (one query a 500)."""
    given = {value.get("external_id", "") for _line, value in table.rows} - {""}
    existing: dict[str, Person] = {}
    if organisation is not None and organisation.pk and given:
        wanted = sorted(given)
        for start in range(0, len(wanted), 500):
            for person in Person.objects.filter(
                organisation=organisation, external_id__in=wanted[start : start + 500]
            ):
                existing[person.external_id] = person
    return existing


class Checker:
    """The checks of a row against the rows before it and the registry."""

    def __init__(self, existing: dict[str, Person], fallback: City | None) -> None:
        self.existing = existing
        self.fallback = fallback
        self.first_line: dict[str, int] = {}

    def check(self, row: PersonRow) -> None:
        """``ValueError`` says why the row is refused."""
        if row.external_id in self.first_line:
            raise ValueError(
                f"external_id {row.external_id[:40]} is already on line "
                f"{self.first_line[row.external_id]}"
            )
        known = self.existing.get(row.external_id) if row.external_id else None
        if known is not None and known.redacted_at is not None:
            raise ValueError("the person with this external_id was redacted")
        if known is not None and known.merged_into_id is not None:
            raise ValueError("the person with this external_id was merged into another record")
        if known is None and row.city_id is None and self.fallback is None:
            raise ValueError(
                "city is empty, and the organisation works in several cities (or none)"
            )
        if row.external_id:
            self.first_line[row.external_id] = row.line


# What a worker parses rows with: set in the parent before the workers are forked.
_worker_cities: dict[str, City] = {}


def parse_chunk(chunk: list[tuple[int, dict[str, str]]]) -> list[PersonRow | tuple[int, str]]:
    """Each row parsed, with the keys of its names, or (line, why it is refused)."""
    parsed: list[PersonRow | tuple[int, str]] = []
    for line, value in chunk:
        try:
            row = parse_row(line, value, _worker_cities)
        except ValueError as exc:
            parsed.append((line, str(exc)))
        else:
            row.keys = index.person_keys(row.names)
            parsed.append(row)
    return parsed


def parsed_chunks(
    rows: list[tuple[int, dict[str, str]]], cities: dict[str, City], *, workers: int | None = None
) -> Iterator[list[PersonRow | tuple[int, str]]]:
    """``parse_chunk`` of each chunk, in order; for a long list, in ``workers`` forked
    processes (by default one per core but one: this process writes meanwhile).

    The workers are forked with the cities and the variant dictionary already read and
    never touch the database; the caller writes one chunk while they parse the next.
    """
    global _worker_cities
    _worker_cities = cities
    chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
    if workers is None:
        workers = cores() - 1  # this process writes while the workers parse
    fork = "fork" in multiprocessing.get_all_start_methods()
    if workers < 1 or len(rows) < PARALLEL_FROM or not fork:
        yield from map(parse_chunk, chunks)
        return
    variants.table()  # read once here, shared with the forked workers
    with Forked(workers) as pool:
        yield from pool.map(parse_chunk, chunks)


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
        "romanised": index.romanised_names(row.keys),
    }


UPDATED_FIELDS = ["sex", "birth_date", "birth_date_precision", "father_name"]
UPDATED_FIELDS += ["current_city", "phones", "updated_at", "romanised"]


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
    person.romanised = index.romanised_names(row.keys)  # the row's names replace theirs
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
    now = timezone.now()
    plan = []
    for f in fields:
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        stamped = stamped or (f.has_default() and f.default is timezone.now)
        per_row = not stamped and f.has_default() and callable(f.default)
        fixed = now if stamped else (None if per_row else f.get_default())
        prepare = _prepared(f)
        # A value no row gives and no default makes per row is prepared once.
        plan.append((f.attname, prepare, per_row, None if per_row else prepare(fixed), f))
    values = [
        [
            prepare(row[attname])
            if attname in row
            else (prepare(f.get_default()) if per_row else prepared)
            for attname, prepare, per_row, prepared, f in plan
        ]
        for row in rows
    ]
    insert_rows(model._meta.db_table, [str(f.column) for f in fields], values)


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


class Writer:
    """Writes checked rows a batch at a time; key rows go in sorted, many at once."""

    def __init__(self, organisation: Organisation, checker: Checker) -> None:
        self.organisation = organisation
        self.existing = checker.existing
        self.fallback = checker.fallback
        self.written = Written()
        self.now = timezone.now()
        self.keys_waiting: list[index.KeyRow] = []
        self.written_ids: list[int] = []  # to compare with the registry afterwards

    def add(self, rows: list[PersonRow]) -> None:
        for start in range(0, len(rows), BATCH):
            self._batch(rows[start : start + BATCH])

    def _batch(self, batch: list[PersonRow]) -> None:
        new: list[dict[str, Any]] = []
        changed: list[Person] = []
        owners: list[Person | dict[str, Any]] = []  # each row's person, in row order
        for row in batch:
            person = self.existing.get(row.external_id) if row.external_id else None
            if person is None:
                new.append(_new_person(row, self.organisation, self.fallback))
                owners.append(new[-1])
            else:
                _apply(person, row, self.now)
                changed.append(person)
                owners.append(person)
        _insert(Person, new)
        new_ids = {}
        if new:
            new_ids = dict(
                Person.objects.filter(code__in=[p["code"] for p in new]).values_list("code", "pk")
            )
        if changed:
            _update_people(changed)
            ids = [p.pk for p in changed]
            NameKey.objects.filter(person_id__in=ids).delete()
            Name.objects.filter(person_id__in=ids).delete()
        person_ids = [o.pk if isinstance(o, Person) else new_ids[o["code"]] for o in owners]
        self.written_ids.extend(person_ids)
        names: list[dict[str, Any]] = []
        organisation_id = self.organisation.pk
        for row, owner, person_id in zip(batch, owners, person_ids, strict=True):
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
            # Built in C (``zip``, ``repeat``): millions of rows for a long list.
            born = owner["birth_date"] if isinstance(owner, dict) else owner.birth_date
            self.keys_waiting.extend(
                zip(
                    repeat(organisation_id),
                    repeat(person_id),
                    row.keys,
                    repeat(index.year_of(born)),
                )
            )
            row.keys = set()  # written: a long list need not hold every key twice
        _insert(Name, names)
        if len(self.keys_waiting) >= KEYS_AT_ONCE:
            index.insert_keys(self.keys_waiting)
            self.keys_waiting = []
        self.written.documents += _add_documents(
            batch, person_ids, self.organisation, checked_before=bool(changed)
        )
        self.written.created += len(new)
        self.written.updated += len(changed)
        self.written.names += len(names)

    def finish(self) -> Written:
        """The last keys, and one audit event for the whole import."""
        index.insert_keys(self.keys_waiting)
        self.keys_waiting = []
        # Their likely duplicates are found by refresh_duplicates, not here: comparing
        # a long list with the registry takes longer than the import.
        duplicates.mark_stale(self.written_ids)
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: a search right after a large import
            # otherwise plans on the empty tables' (p95 260 ms against 107 ms, 1M people).
            with connection.cursor() as cursor:
                for model in (Person, Name, NameKey):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        written = self.written
        record(
            Verb.CREATE,
            actor=None,
            obj=self.organisation,
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
    batch: list[PersonRow],
    person_ids: list[int],
    organisation: Organisation,
    *,
    checked_before: bool = True,
) -> int:
    """A document (kind “other”) for each number a person does not hold already.

    ``checked_before``: whether any of the people existed before (new people hold none).
    """
    wanted = [(r, p) for r, p in zip(batch, person_ids, strict=True) if r.document_number]
    if not wanted:
        return 0
    # A number the person holds already, however written ("AB 123" for "ab123"), is
    # not added again.
    held: set[tuple[int, str]] = set()
    if checked_before:
        held = set(
            Document.objects.filter(
                Q(person_id__in=[p for _r, p in wanted]),
                number_key__in=[number_key(r.document_number) for r, _p in wanted],
            ).values_list("person_id", "number_key")
        )
    documents = [
        {
            "organisation_id": organisation.pk,
            "person_id": person_id,
            "kind": DocumentKind.OTHER,
            "number": row.document_number,
            "number_key": key,
        }
        for row, person_id in wanted
        if (person_id, key := number_key(row.document_number)) not in held
    ]
    _insert(Document, documents)
    return len(documents)


@contextmanager
def roomy_cache() -> Iterator[None]:
    """On SQLite, a page cache of ``CACHE_KIB`` for the import's transaction. With the
    default 2 MB, the key index's pages are written out to the log and read back as a
    long list's keys go in all over it: 2M key rows took 16.8 s, against 15.8 s with
    512 MiB (inserted alone, outside Django), and more as the index grows."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def import_table(
    table: Table,
    organisation: Organisation | None,
    *,
    dry_run: bool = False,
    create_org: str = "",
    progress: Progress | None = None,
    workers: int | None = None,
) -> tuple[Checked, Written | None]:
    """Check every row and write them all, in one transaction; nothing if a row is
    refused or this is a dry run (``Checked.rejected`` names every refused row). A dry
    run opens no transaction: it writes nothing, and on SQLite a transaction takes the
    write lock when it begins (``transaction_mode``), which held every other writer
    (a sign-in, the task worker) off for as long as a long file took to check."""
    started = time.monotonic()
    check_columns(table)
    existing = existing_people(table, organisation)
    checker = Checker(existing, default_city(organisation))
    checked = Checked(0, 0, [])
    total = len(table.rows)
    done = 0
    writer: Writer | None = None

    def started_writer() -> Writer:
        # Made (and --create-org's organisation with it) only once there is to write.
        nonlocal organisation, writer
        if writer is None:
            organisation = organisation or Organisation.objects.create(
                slug=create_org, name=create_org
            )
            writer = Writer(organisation, checker)
        return writer

    with roomy_cache(), nullcontext() if dry_run else transaction.atomic():
        for chunk in parsed_chunks(table.rows, cities_by_word(), workers=workers):
            good: list[PersonRow] = []
            for item in chunk:
                if isinstance(item, tuple):
                    checked.rejected.append(item)
                    continue
                try:
                    checker.check(item)
                except ValueError as exc:
                    checked.rejected.append((item.line, str(exc)))
                else:
                    good.append(item)
            checked.good += len(good)
            checked.updates += sum(1 for r in good if r.external_id in existing)
            if not checked.rejected and not dry_run:
                started_writer().add(good)
            before, done = done, done + len(chunk)
            if (
                progress
                and total >= PROGRESS_EVERY
                and (done // PROGRESS_EVERY > before // PROGRESS_EVERY or done == total)
            ):
                state = "checked" if checked.rejected or dry_run else "imported"
                progress(f"{state} {done}/{total}")
        if dry_run:
            _said_rate(progress, checked.good, started)
            return checked, None
        if checked.rejected:
            transaction.set_rollback(True)  # rows written before a refused one, too
            return checked, None
        written = started_writer().finish()  # a list of no rows still records its import
    _said_rate(progress, checked.good, started)
    return checked, written


def _said_rate(progress: Progress | None, rows: int, started: float) -> None:
    if progress:
        seconds = max(time.monotonic() - started, 1e-6)
        progress(f"{rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s)")
