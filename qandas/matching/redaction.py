"""What matching holds of a person being redacted, blanked with them.

A redaction blanks a person's details and what other parts of Qandas hold that
identifies them (``Person.redact``, ``person_redacted``). Matching holds three such
things: a merge's record of the names it moved and the details it carried (what an undo
writes back; a merge with a redacted record cannot be undone, so they are never needed
again), the candidates of uploaded lists' rows (the name each matched, and why), and
the notes of duplicate decisions about a pair the person is in. The lists' own cells
are left: they are what the list said, not the registry's record.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q

from qandas.people import repoint
from qandas.people.models import REDACTED, Person

from .models import OVERRULED, DuplicateDecision, ListRow, Merge


def forget_redacted(person: Person) -> list[str]:
    """Blank what matching holds of ``person`` (runs inside the redaction's transaction);
    returns what was blanked, for the audit trail (field names, never values)."""
    blanked = []
    if _forget_merges(person):
        blanked.append("merges.names")
    if _forget_candidates(person):
        blanked.append("lists.candidates")
    decisions = DuplicateDecision.objects.filter(Q(first=person) | Q(second=person))
    if decisions.exclude(note="").update(note=""):
        blanked.append("duplicates.notes")
    return blanked


def _forget_merges(person: Person) -> bool:
    """The names a merge moved as it wrote them (``repoint.WRITTEN``), shown once a name
    is gone, the values of the details it carried (``repoint.CARRIED``): their fields
    stay, for the merges page to say which; and the note of the decision it overruled."""
    changed = False
    for done in Merge.objects.filter(Q(merged=person) | Q(survivor=person)):
        moved: dict[str, Any] = dict(done.moved)
        written = [[REDACTED, source] for _text, source in moved.get(repoint.WRITTEN, [])]
        carried = [[field, None, None] for field, *_values in moved.get(repoint.CARRIED, [])]
        overruled = [[k, "" if k == "note" else v] for k, v in moved.get(OVERRULED, [])]
        if (
            written == moved.get(repoint.WRITTEN, [])
            and carried == moved.get(repoint.CARRIED, [])
            and overruled == moved.get(OVERRULED, [])
        ):
            continue
        if repoint.WRITTEN in moved:
            moved[repoint.WRITTEN] = written
        if repoint.CARRIED in moved:
            moved[repoint.CARRIED] = carried
        if OVERRULED in moved:
            moved[OVERRULED] = overruled
        Merge.objects.filter(pk=done.pk).update(moved=moved)
        changed = True
    return changed


def _forget_candidates(person: Person) -> bool:
    """The name each list row's candidate ``person`` matched, and why: the page shows no
    redacted candidate, but the stored row tied the person to their name."""
    rows = ListRow.objects.filter(upload__organisation_id=person.organisation_id)
    if connection.features.supports_json_field_contains:  # PostgreSQL: chosen in the database
        rows = rows.filter(candidates__contains=[{"person": person.pk}])
    changed = []
    for row in rows.only("pk", "candidates").iterator(chunk_size=2000):
        named = [c for c in row.candidates if c.get("person") == person.pk]
        if any(c.get("name") or c.get("why") for c in named):
            row.candidates = [
                {**c, "name": "", "why": ""} if c.get("person") == person.pk else c
                for c in row.candidates
            ]
            changed.append(row)
    ListRow.objects.bulk_update(changed, ["candidates"], batch_size=500)
    return bool(changed)
