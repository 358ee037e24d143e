"""``manage.py import_places PATH --org SLUG [--dry-run]``: load places from a CSV file.

Columns (header row required, in any order): ``kind``, ``name``, and optionally
``city``, ``admin_code``, ``latitude``, ``longitude``. See docs/places.md.
All rows or none: one bad row and nothing is saved. A row whose kind and name the
organisation already has updates that place, so importing a file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from qandas.accounts.models import City, Organisation
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.incidents.models import Place, PlaceKind

COLUMNS = ["kind", "name", "city", "admin_code", "latitude", "longitude"]
REQUIRED = ["kind", "name"]
FIELDS = COLUMNS  # what an import sets, for the audit trail
NAME_MAX = Place._meta.get_field("name").max_length or 200
ADMIN_CODE_MAX = Place._meta.get_field("admin_code").max_length or 50


class DryRun(Exception):
    """Raised to roll the transaction back after a dry run."""


@dataclass
class Row:
    line: int
    kind: str
    name: str
    city: City | None
    admin_code: str
    latitude: Decimal | None
    longitude: Decimal | None


def kind_of(text: str) -> str:
    """A PlaceKind value from its value or its English label, in any case."""
    wanted = " ".join(text.replace("_", " ").split()).casefold()
    for kind in PlaceKind:
        if wanted in (kind.value.replace("_", " "), str(kind.label).casefold()):
            return kind.value
    raise ValueError(f"unknown kind {text!r} (one of: {', '.join(PlaceKind.values)})")


def coordinate(text: str, column: str, limit: int) -> Decimal | None:
    """A latitude or longitude in degrees, as a decimal number (kept to six places)."""
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise ValueError(f"{column} {text!r} is not a decimal number (like 24.8607)")
    if not -limit <= value <= limit:
        raise ValueError(f"{column} {text} is not between -{limit} and {limit}")
    return value.quantize(Decimal("0.000001"))


def read_rows(path: Path) -> list[tuple[int, dict[str | None, Any]]]:
    """The file's rows, each with the line it ends on; refuses a file that is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the file ({exc.strerror}).") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CommandError(
            f'{path}: not UTF-8 text (line {line}). Save it as "CSV UTF-8" and try again.'
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(column or "").strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise CommandError(
            f"{path}: the first line must name the columns ({', '.join(COLUMNS)}; kind and "
            f"name required). Missing: {', '.join(missing)}."
        )
    unknown = [column for column in header if column not in COLUMNS]
    if unknown or len(set(header)) != len(header):
        raise CommandError(
            f"{path}: unknown or repeated columns in the first line: {', '.join(header)}."
        )
    reader.fieldnames = header
    return [(reader.line_num, dict(raw)) for raw in reader]


def parse(line: int, raw: dict[str | None, Any], cities: dict[str, City]) -> Row:
    """One row, checked; ValueError says what is wrong with it."""
    if raw.get(None):
        raise ValueError("more values than the header has columns")
    value = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    if not value["kind"]:
        raise ValueError("kind is empty")
    kind = kind_of(value["kind"])
    name = value["name"]
    if not name:
        raise ValueError("name is empty")
    if len(name) > NAME_MAX:
        raise ValueError(f"name is longer than {NAME_MAX} characters")
    admin_code = value["admin_code"]
    if len(admin_code) > ADMIN_CODE_MAX:
        raise ValueError(f"admin_code is longer than {ADMIN_CODE_MAX} characters")
    city = None
    if value["city"]:
        city = cities.get(value["city"].casefold())
        if city is None:
            raise ValueError(f"unknown city {value['city']!r} (give a city's slug or name)")
    latitude = coordinate(value["latitude"], "latitude", 90)
    longitude = coordinate(value["longitude"], "longitude", 180)
    if (latitude is None) != (longitude is None):
        raise ValueError("give both latitude and longitude, or neither")
    return Row(line, kind, name, city, admin_code, latitude, longitude)


class Command(BaseCommand):
    help = (
        "Import police stations, courts, prisons, border crossings and cities from a UTF-8 "
        "CSV file with the columns kind,name,city,admin_code,latitude,longitude. All rows "
        "or none; a place with the same kind and name is updated, not duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV file")
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, save nothing"
        )

    def handle(self, *args: Any, path: Path, org: str, dry_run: bool, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No organisation with the slug {org!r} (known: {known}).")
        raws = read_rows(path)
        cities: dict[str, City] = {}
        for city in City.objects.all():
            cities[city.name.casefold()] = city
            cities[city.slug.casefold()] = city
        rows: list[Row] = []
        errors: list[str] = []
        seen: dict[tuple[str, str], int] = {}
        for line, raw in raws:
            try:
                row = parse(line, raw, cities)
            except ValueError as exc:
                errors.append(f"line {line}: {exc}")
                continue
            earlier = seen.setdefault((row.kind, row.name), row.line)
            if earlier != row.line:
                errors.append(f"line {row.line}: the same kind and name as line {earlier}")
                continue
            rows.append(row)
        if errors:
            for error in errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(
                f"{len(errors)} row(s) rejected; nothing was imported. Correct them and try again."
            )
        try:
            with transaction.atomic():
                created, updated, unchanged = self.save(organisation, rows)
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        prefix = "Dry run, nothing saved: would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}{created} created, {updated} updated, {unchanged} unchanged "
            f"(organisation {organisation.slug})."
        )

    def save(self, organisation: Organisation, rows: list[Row]) -> tuple[int, int, int]:
        created = updated = unchanged = 0
        existing = {
            (place.kind, place.name): place
            for place in Place.objects.filter(
                organisation=organisation, name__in=[row.name for row in rows]
            )
        }
        for row in rows:
            values: dict[str, Any] = {
                "city_id": row.city.pk if row.city else None,
                "admin_code": row.admin_code,
                "latitude": row.latitude,
                "longitude": row.longitude,
            }
            place = existing.get((row.kind, row.name))
            if place is None:
                place = Place.objects.create(
                    organisation=organisation, kind=row.kind, name=row.name, **values
                )
                record(Verb.CREATE, actor=None, obj=place, fields=FIELDS)
                created += 1
                continue
            changed = [name for name, value in values.items() if getattr(place, name) != value]
            if not changed:
                unchanged += 1
                continue
            for name in changed:
                setattr(place, name, values[name])
            place.save(update_fields=changed)
            record(
                Verb.UPDATE,
                actor=None,
                obj=place,
                fields=[name.removesuffix("_id") for name in changed],
            )
            updated += 1
        return created, updated, unchanged
