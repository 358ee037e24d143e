"""Moving the letters that name a merged record to the survivor, and back on undo.

The contract is the people app's (``qandas.people.repoint``). A letter that names both
records names the survivor once; the undo names the merged record on it again.
"""

from __future__ import annotations

from django.db import transaction

from qandas.correspondence.models import Letter
from qandas.people.models import Person
from qandas.people.repoint import Moved

LetterPerson = Letter.people.through
LINKS = LetterPerson._meta.label  # "correspondence.Letter_people"
SHARED = f"{LINKS}:shared"  # letters that named both: the old link was removed


def repoint(old: Person, new: Person) -> Moved:
    """Make every letter that names ``old`` name ``new`` instead."""
    with transaction.atomic():
        both = set(LetterPerson.objects.filter(person=new).values_list("letter_id", flat=True))
        links = LetterPerson.objects.filter(person=old).order_by("pk")
        moved = [pk for pk, letter in links.values_list("pk", "letter_id") if letter not in both]
        shared = sorted(
            letter for letter in links.values_list("letter_id", flat=True) if letter in both
        )
        LetterPerson.objects.filter(person=old, letter_id__in=shared).delete()
        LetterPerson.objects.filter(pk__in=moved).update(person=new)
    return {LINKS: moved, SHARED: shared}


def restore(old: Person, new: Person, moved: Moved) -> None:
    """Name ``old`` again on exactly the letters ``repoint`` moved."""
    with transaction.atomic():
        LetterPerson.objects.filter(pk__in=moved.get(LINKS, []), person=new).update(person=old)
        LetterPerson.objects.bulk_create(
            [LetterPerson(letter_id=letter, person=old) for letter in moved.get(SHARED, [])],
            ignore_conflicts=True,
        )
