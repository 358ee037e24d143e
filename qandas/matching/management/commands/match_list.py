"""``manage.py match_list PATH --org SLUG [--top K] [--encoding NAME]``: candidates for each
row of a list.

Prints one JSON line per data row, in order (docs/import.md)::

    {"row": 1, "line": 2, "candidates": [{"person": CODE, "external_id": null,
                                          "score": 0.93, "name": "…", "why": "…"}]}

``row`` counts data rows from 1 (empty rows are skipped, and not counted); ``line`` is
the row's line in the file (the line a CSV row starts on, an XLSX row's number), as
import_people's refusals and the list page give it, to join the output to the file by.
Candidates are the organisation's people (all of them: this is an operator's tool, run
on the server), best first, scoring at least ``search.FLOOR`` as the search box's and
the list page's do: those of the row's name and of each of its ``other_names``, each
person once at their best; one found by an other name says which (``"by"``). The
row's ``birth_year``, ``father_name``, ``document_number`` and ``city`` help to rank
them. Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from itertools import groupby
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qandas.accounts.models import Organisation
from qandas.matching import importing, search
from qandas.matching.batch import Hints, match_rows
from qandas.matching.tables import NAME_PARTS, TableError, encoding_argument, read_path

PROGRESS_EVERY = 10_000
# What ranks the candidates: the names, and the facts Hints reads.
USED = (
    *("name", "other_names", "birth_year", "age", "father_name", "document_number", "city"),
    *NAME_PARTS,  # joined as the name when there is no name column
)


class Command(BaseCommand):
    # A data command: Django's system checks (URLs, templates, security settings) say
    # nothing about the file, and cost seconds on every run of a script calling it.
    requires_system_checks: list[str] = []
    help = (
        "Match each row of a CSV or XLSX list (a name column, and optionally birth_year, "
        "father_name, document_number, city) against an organisation's people; prints one "
        "JSON line per row with its best candidates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV or XLSX list")
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument(
            "--top", type=at_least_one, default=5, help="candidates per row, best first (default 5)"
        )
        parser.add_argument(
            "--encoding",
            type=encoding_argument,
            help="the CSV file's encoding when it cannot be told for sure "
            "(cp1256, cp1251, kz1048, utf_16, ...); an XLSX file's is its own",
        )

    def _write(
        self, line: int, number: int, found: list[tuple[str, list[dict[str, Any]]]], top: int
    ) -> None:
        """One row's line of output: the candidates of its names reaching the floor,
        merged (``best_of``); ``found``: each name's, with the other name it is ("" for
        the row's name)."""
        # Here, not in batch.Matcher, whose choosing bench/tune_names.py runs as it is.
        candidates = search.best_of(found, top)
        self.stdout.write(
            json.dumps({"row": number, "line": line, "candidates": candidates}, ensure_ascii=False)
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation “{options['org']}”.")
        try:
            table = read_path(options["path"], encoding=options["encoding"])
        except TableError as exc:
            raise CommandError(f"{options['path']}: {exc}") from None
        if "name" not in table.columns:
            raise CommandError(f"{options['path']}: the list has no “name” column.")
        # import_people's other columns (sex, phone, external_id) are read there but
        # rank no candidate here: named too, so that nobody takes them as used.
        ignored = [c for c in table.columns if c not in USED]
        if ignored:
            self.stderr.write(f"Columns not used for matching: {', '.join(ignored)}.")
        total, started = len(table.rows), time.monotonic()
        # Each of a row's names (its name, then its other names) is matched as a row of
        # its own, with the row's facts; the row's candidates are all theirs, each
        # person once at their best (``search.best_of``).
        asked: list[Hints] = []
        owner: list[tuple[int, str]] = []  # each name's row, and the other name it is
        for at, (_line, value) in enumerate(table.rows):
            row = Hints.from_row(value)
            # At least one, empty if need be: every row has its line of output.
            for name, by in importing.names_to_match(value) or [(row.name, "")]:
                asked.append(replace(row, name=name))
                owner.append((at, by))
        found = match_rows(organisation, asked, top=options["top"])
        for at, of_row in groupby(zip(owner, found, strict=True), key=lambda one: one[0][0]):
            line, number = table.rows[at][0], at + 1
            named = [(by, scored) for (_at, by), scored in of_row]
            self._write(line, number, named, options["top"])
            if number % PROGRESS_EVERY == 0 or (number == total and total >= PROGRESS_EVERY):
                self.stderr.write(f"matched {number}/{total}")
        seconds = max(time.monotonic() - started, 1e-6)
        self.stderr.write(f"{total} rows in {seconds:.1f} s ({total / seconds:.0f} rows/s)")


def at_least_one(value: str) -> int:
    """``--top``: a whole number from 1 (argparse: a wrong command line, exit 2)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number: “{value}”") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number
