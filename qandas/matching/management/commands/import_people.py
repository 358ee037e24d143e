"""``manage.py import_people PATH --org SLUG [--create-org] [--dry-run] [--encoding NAME]``
(docs/import.md).

A CSV or XLSX list with the columns ``external_id, name, other_names`` (``;``-separated),
``sex, birth_year, father_name, city, phone, document_number``; only ``name`` is
required. A row whose ``external_id`` the organisation already has updates that person.
All rows or none: every refused row is named with its line and reason, and nothing is
written. A row without a city takes the only city the organisation works in (or, for
an organisation with none yet, the installation's only city); otherwise ``city`` is
required.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qandas.accounts.models import Organisation
from qandas.matching.importing import ImportRefused, import_table
from qandas.matching.tables import TableError, encoding_argument, read_path


class Command(BaseCommand):
    # A data command: Django's system checks (URLs, templates, security settings) say
    # nothing about the file, and cost seconds on every run of a script calling it.
    requires_system_checks: list[str] = []
    help = (
        "Import people from a CSV or XLSX file (columns: external_id, name, other_names, sex, "
        "birth_year, father_name, city, phone, document_number; only name is required). "
        "All rows or none. Without a city column or value, a row takes the only city the "
        "organisation works in; with several, city is required."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV or XLSX file")
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument(
            "--create-org", action="store_true", help="create the organisation if it is missing"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--encoding",
            type=encoding_argument,
            help="the CSV file's encoding when it cannot be told for sure "
            "(cp1256, cp1251, kz1048, utf_16, ...); an XLSX file's is its own",
        )

    def progress(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["org"]
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None and not options["create_org"]:
            raise CommandError(f"No organisation “{slug}”; add --create-org to create it.")
        if organisation is None:  # to be created: a slug as the model's field takes it
            field = Organisation._meta.get_field("slug")
            try:
                field.clean(slug, None)
            except ValidationError as exc:
                raise CommandError(f"--org “{slug}”: {' '.join(exc.messages)}") from None
        try:
            table = read_path(options["path"], encoding=options["encoding"])
            checked, written = import_table(
                table,
                organisation,
                dry_run=options["dry_run"],
                create_org=slug,
                progress=self.progress,
            )
        except (TableError, ImportRefused) as exc:
            raise CommandError(f"{options['path']}: {exc}") from None
        if checked.rejected:
            for line, reason in checked.rejected:
                self.stderr.write(f"line {line}: {reason}")
            raise CommandError(
                f"{len(checked.rejected)} of {len(table.rows)} rows refused; nothing imported."
            )
        if written is None:
            self.stdout.write(
                f"Dry run: {checked.good} rows are fine ({checked.good - checked.updates} "
                f"new people, {checked.updates} updates); nothing written."
            )
            return
        self.stdout.write(
            f"Imported {checked.good} rows: {written.created} people created, "
            f"{written.updated} updated, {written.documents} documents added. "
            "refresh_duplicates compares them with the registry for the duplicate review."
        )
