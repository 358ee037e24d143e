"""Moving what the people app holds about one record to another, for merges and their undo.

Every app that holds rows pointing at a person offers the same pair (DESIGN section 3):
``repoint(old, new)`` moves them and returns what moved as ``{"app_label.Model": [ids]}``
(a key with a ``:`` suffix carries extra facts an undo needs), and ``restore(old, new,
moved)`` moves exactly those rows back. The matching app calls them all in one
transaction; none of them checks permissions, which is the caller's job.

Here: the names. The merged record's names become extra, non-primary names of the
survivor; its household membership is not moved (the survivor keeps its own).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from qandas.people.models import Name, Person, names_changed

NAMES = "people.Name"
PRIMARY = "people.Name:primary"  # the id of the name that was the old record's primary

Moved = dict[str, list[int]]


class RepointConflict(Exception):
    """Two records cannot be merged as they are; the message says what to fix first."""


def repoint(old: Person, new: Person) -> Moved:
    """Give ``old``'s names to ``new`` as extra names, after its own, none primary."""
    with transaction.atomic():
        names = list(Name.objects.filter(person=old).order_by("-is_primary", "position", "pk"))
        start = (Name.objects.filter(person=new).aggregate(end=Max("position"))["end"] or 0) + 1
        for i, name in enumerate(names):
            Name.objects.filter(pk=name.pk).update(person=new, is_primary=False, position=start + i)
        names_changed.send(sender=Person, person=new)
        names_changed.send(sender=Person, person=old)
    return {
        NAMES: [n.pk for n in names],
        PRIMARY: [n.pk for n in names if n.is_primary],
    }


def restore(old: Person, new: Person, moved: Moved) -> None:
    """Give back to ``old`` exactly the names ``repoint`` moved, in their order."""
    primary = set(moved.get(PRIMARY, []))
    with transaction.atomic():
        for i, pk in enumerate(moved.get(NAMES, [])):
            Name.objects.filter(pk=pk, person=new).update(
                person=old, is_primary=pk in primary, position=i
            )
        names_changed.send(sender=Person, person=old)
        names_changed.send(sender=Person, person=new)
