"""Moving what the people app holds about one record to another, for merges and their undo.

Every app that holds rows pointing at a person offers the same pair (DESIGN section 3):
``repoint(old, new)`` moves them and returns what moved as ``{"app_label.Model": [ids]}``
(a key with a ``:`` suffix carries extra facts an undo needs), and ``restore(old, new,
moved)`` moves exactly those rows back. The matching app calls them all in one
transaction; none of them checks permissions, which is the caller's job.

Here: the names. The merged record's names become extra, non-primary names of the
survivor, each once: a name the survivor already has (``same_name``) stays on the merged
record, hidden with it, so that the survivor's page does not show it twice and an undo
finds it where it was. Its household membership is not moved (the survivor keeps its own).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from qandas.lib.scripts import as_read, detect_script
from qandas.people.models import Name, Person, fold, names_changed

NAMES = "people.Name"  # the ids of the names moved, in the old record's order
PRIMARY = "people.Name:primary"  # the id of the name that was the old record's primary
POSITIONS = "people.Name:position"  # each moved name's position there, as ``NAMES``
KEPT = "people.Name:kept"  # the ids of the names left there: the new record had them
# Each moved name's [text, source], as ``NAMES``: what an undo writes back on the old
# record when the new record's names were edited since and that one was removed.
WRITTEN = "people.Name:written"

Moved = dict[str, list[Any]]


class RepointConflict(Exception):
    """Two records cannot be merged as they are; the message says what to fix first."""


def same_name(text: str) -> str:
    """What two names must share to be one name on one record: their text in its search
    form (``fold``, as ``Name.folded`` holds it: case folded in every script) as a reader
    sees it (``qandas.lib.scripts.as_read``), and runs of spaces made one, none at the
    ends. As a reader sees it:

    - invisible format characters (zero-width space, non-joiner and joiner, byte order
      mark, direction marks) are dropped: "Nurlan" and a zero-width space is "Nurlan";
    - letters are composed one way (NFKC): ``é`` as one character or as ``e`` and an
      accent;
    - an Arabic-script letter that Arabic, Persian and Urdu keyboards type as different
      code points is one letter: Arabic yeh and alef maksura are Persian yeh, Arabic kaf
      is keheh, Urdu heh goal is heh (``SAME_LETTER``), so "عبديكريموف" is
      "عبدیکریموف";
    - vowel signs and tatweel, which Arabic-script writing adds or leaves out, are
      dropped: "مُحَمَّد" and "مـحـمـد" are "محمد".

    So "Berik  ZHANUZAKOV " is "Berik Zhanuzakov", but "Berik Dzhanuzakov", "Берик
    Жанузаков", "Bérik Zhanuzakov", "فاطمة" and "فاطمه" (teh marbuta, heh) or "أحمد" and
    "احمد" (a hamza) are other writings of a name, which a caseworker may need to find
    the person by or to match a document, and are kept. Search unifies more letters than
    this (``matching.keys``: ayn as alef, Pashto and Urdu letters as their nearest
    Arabic ones) because it compares names as they sound; a reader sees those as other
    letters."""
    return " ".join(as_read(fold(text)).split())


def repoint(old: Person, new: Person) -> Moved:
    """Give ``old``'s names to ``new`` as extra names, after its own, none primary; a
    name ``new`` has already (``same_name``), or that another of ``old``'s moves
    before it, is not moved but left on ``old``."""
    with transaction.atomic():
        names = list(Name.objects.filter(person=old).order_by("-is_primary", "position", "pk"))
        held = {
            same_name(text)
            for text in Name.objects.filter(person=new).values_list("text", flat=True)
        }
        moving: list[Name] = []
        kept: list[Name] = []
        for name in names:
            same = same_name(name.text)
            (kept if same in held else moving).append(name)
            held.add(same)
        start = (Name.objects.filter(person=new).aggregate(end=Max("position"))["end"] or 0) + 1
        for i, name in enumerate(moving):
            Name.objects.filter(pk=name.pk).update(person=new, is_primary=False, position=start + i)
        names_changed.send(sender=Person, person=new)
        names_changed.send(sender=Person, person=old)
    return {
        NAMES: [n.pk for n in moving],
        WRITTEN: [[n.text, n.source] for n in moving],
        PRIMARY: [n.pk for n in names if n.is_primary],
        POSITIONS: [n.position for n in moving],
        KEPT: [n.pk for n in kept],
    }


def restore(old: Person, new: Person, moved: Moved) -> None:
    """Give back to ``old`` exactly the names ``repoint`` moved, where they were (a merge
    recorded before positions were kept: in their order); those it left on ``old``
    never moved. A moved name that ``new`` no longer has (its names were edited since)
    is written again from what the merge recorded (``WRITTEN``), so ``old`` comes back
    with every name it had; ``new`` keeps the names it was given since."""
    primary = set(moved.get(PRIMARY, []))
    ids = moved.get(NAMES, [])
    positions = moved.get(POSITIONS) or list(range(len(ids)))
    written = moved.get(WRITTEN) or [None] * len(ids)
    with transaction.atomic():
        for pk, position, was in zip(ids, positions, written, strict=True):
            back = Name.objects.filter(pk=pk, person=new).update(
                person=old, is_primary=pk in primary, position=position
            )
            if not back and was is not None:
                text, source = was
                Name.objects.create(
                    person=old,
                    text=text,
                    script=detect_script(text),
                    folded=fold(text),
                    source=source,
                    is_primary=pk in primary,
                    position=position,
                )
        names_changed.send(sender=Person, person=old)
        names_changed.send(sender=Person, person=new)
