"""An authority's or an official's record: letters, promises and slips in date order.

The timeline is meant to be shown to others (a PDF for a meeting, a journalist, a
court), so it holds no personal data of community members: no letter text and no
names, unless the user asks for the names of the people they may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from qandas.accounts.models import User
from qandas.applications.models import Authority, Official
from qandas.correspondence.models import DuePrecision, Letter, Promise, Slip
from qandas.people.models import Person

# On the same day, a letter comes before the promise made in it, which comes before
# any slip or keeping of it.
ORDER = {"letter": 0, "promise": 1, "slip": 2, "kept": 3}


def due_text(day: date, precision: str) -> str:
    """A due date as exact as it was given: ``2026-12-31``, ``2026-12`` or ``2026``."""
    if precision == DuePrecision.MONTH:
        return f"{day:%Y-%m}"
    if precision == DuePrecision.YEAR:
        return f"{day:%Y}"
    return f"{day:%Y-%m-%d}"


@dataclass
class Entry:
    on: date
    kind: str  # letter, promise, slip or kept
    letter: Letter | None = None
    promise: Promise | None = None
    slip: Slip | None = None
    names: list[str] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.on, ORDER[self.kind], self.letter.pk if self.letter else 0)


@dataclass
class Timeline:
    authority: Authority
    official: Official | None
    entries: list[Entry]
    with_names: bool
    today: date

    @property
    def subject(self) -> str:
        return str(self.official) if self.official else str(self.authority)

    def counts(self) -> dict[str, int]:
        promises = [e.promise for e in self.entries if e.kind == "promise" and e.promise]
        return {
            "letters": sum(1 for e in self.entries if e.kind == "letter"),
            "promises": len(promises),
            "broken": sum(1 for p in promises if p.state == "broken"),
            "kept": sum(1 for p in promises if p.state == "kept"),
            "slips": sum(1 for e in self.entries if e.kind == "slip"),
        }


def build(
    user: User,
    *,
    authority: Authority,
    official: Official | None = None,
    with_names: bool = False,
) -> Timeline:
    """The timeline of ``official`` (if given) or of the whole ``authority``."""
    letters = Letter.objects.visible_to(user).select_related("official", "reply_to")
    promises = Promise.objects.visible_to(user).select_related("official", "letter", "authority")
    if official is not None:
        letters = letters.filter(official=official)
        promises = promises.filter(official=official)
    else:
        letters = letters.filter(authority=authority)
        promises = promises.filter(authority=authority)
    if with_names:
        shown = Person.objects.visible_to(user).prefetch_related("names")
        letters = letters.prefetch_related(Prefetch("people", queryset=shown, to_attr="shown"))
    promises = promises.prefetch_related(
        Prefetch("slips", queryset=Slip.objects.select_related("letter"))
    )
    entries: list[Entry] = []
    for letter in letters:
        names = [str(p.primary_name) for p in getattr(letter, "shown", [])]
        entries.append(Entry(letter.dated_on, "letter", letter=letter, names=names))
    for promise in promises:
        entries.append(Entry(promise.made_on, "promise", letter=promise.letter, promise=promise))
        for slip in promise.slips.all():
            entries.append(
                Entry(slip.given_on, "slip", letter=slip.letter, promise=promise, slip=slip)
            )
        if promise.kept_on is not None:
            entries.append(Entry(promise.kept_on, "kept", promise=promise))
    entries.sort(key=lambda e: e.sort_key)
    return Timeline(authority, official, entries, with_names, timezone.localdate())
