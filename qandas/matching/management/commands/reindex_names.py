"""Rebuild every name's search keys (after the key rules or the dictionary change)."""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from qandas.matching.duplicates import mark_all_stale
from qandas.matching.index import (
    KeyRow,
    insert_keys,
    keep_romanised,
    key_rows,
    person_keys,
    romanised_names,
    year_of,
)
from qandas.matching.models import NameKey
from qandas.people.models import Name, Person

BATCH = 2000


class Command(BaseCommand):
    help = "Rebuild the search keys of every name (run after upgrading Qandas)."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(
            Person.objects.filter(redacted_at__isnull=True, merged_into__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        with transaction.atomic():
            NameKey.objects.all().delete()
            # Only people keyed below have romanised names (none once redacted or merged).
            Person.objects.exclude(romanised="").filter(
                Q(redacted_at__isnull=False) | Q(merged_into__isnull=False)
            ).update(romanised="")
            for start in range(0, len(ids), BATCH):
                batch = ids[start : start + BATCH]
                texts: dict[tuple[int, int, int | None], list[str]] = defaultdict(list)
                for organisation_id, person_id, born, text in Name.objects.filter(
                    person_id__in=batch
                ).values_list("person__organisation_id", "person_id", "person__birth_date", "text"):
                    texts[(organisation_id, person_id, year_of(born))].append(text)
                rows: list[KeyRow] = []
                romanised = dict.fromkeys(batch, "")  # someone with no name has none
                for (org, person, year), names in texts.items():
                    found = person_keys(names)
                    rows += key_rows(org, person, found, year)
                    romanised[person] = romanised_names(found)
                insert_keys(rows)
                keep_romanised(romanised)
                if len(ids) > BATCH:
                    print(
                        f"keyed {min(start + BATCH, len(ids))}/{len(ids)} people", file=sys.stderr
                    )
            mark_all_stale()  # new keys may pair people differently
        self.stdout.write(
            f"Keyed the names of {len(ids)} people; refresh_duplicates compares them again."
        )
