"""Find the likely duplicates of the people an import wrote (or of everyone, ``--all``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qandas.matching.duplicates import mark_all_stale, refresh_stale


class Command(BaseCommand):
    help = (
        "Compare the people listed as stale (by import_people and reindex_names) with "
        "the registry and keep their likely duplicates for the review queue. bin/run runs "
        "it every minute; run it after an import, or from cron in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="compare every live person")

    def progress(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            mark_all_stale()
        done = refresh_stale(progress=self.progress)
        if done or options["verbosity"] > 1:
            self.stdout.write(f"Compared {done} people with the registry.")
