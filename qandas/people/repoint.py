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

from django.db import models, transaction
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

# Each detail the old record gave the new one, which lacked it: [field, what the new
# record held, what it was given], as JSON (``CARRIED_FIELDS``).
CARRIED = "people.Person:carried"
# A merge gives the record kept each of these it lacks (a field it has is its own): phone
# numbers and languages are joined, the others taken when empty, by group (a birth date
# with its precision, a household with the relationship to its head, a photo with its
# type).
CARRIED_FIELDS: tuple[tuple[str, ...], ...] = (
    ("phones",),
    ("languages",),
    ("sex",),
    ("birth_date", "birth_date_precision"),
    ("father_name",),
    ("clan",),
    ("place_of_origin",),
    ("household", "relationship"),
    ("notes",),
    # The same stored file, held by both records (``people.models.drop_photo`` deletes it only
    # once neither holds it): a copy would outlive a merge rolled back.
    ("photo", "photo_content_type"),
)

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


def _value(person: Person, field: str) -> Any:
    """A field of a person as JSON holds it (a household by its id, a date as text)."""
    value = getattr(person, f"{field}_id" if field == "household" else field)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _stored(field: str, value: Any) -> Any:
    """``_value``'s JSON back as the field holds it."""
    if field == "household":
        return {"household_id": value}
    model_field = Person._meta.get_field(field)
    assert isinstance(model_field, models.Field)  # a column of the person's own
    return {field: model_field.to_python(value)}


def _carry(old: Person, new: Person) -> list[list[Any]]:
    """Give ``new`` the details of ``old`` it lacks (``CARRIED_FIELDS``): what the
    merged record alone knew (a family's phone number, the household) stays in reach."""
    carried: list[list[Any]] = []
    for group in CARRIED_FIELDS:
        first = group[0]
        theirs, ours = _value(old, first), _value(new, first)
        if first == "phones":
            given = ours + [p for p in theirs if p not in ours]
            changes = [(first, given)] if given != ours else []
        elif first == "languages":
            said = [w.strip() for w in ours.split(",") if w.strip()]
            folded = {w.casefold() for w in said}
            more = [
                w.strip()
                for w in theirs.split(",")
                if w.strip() and w.strip().casefold() not in folded
            ]
            changes = [(first, ", ".join(said + more))] if more else []
        elif first == "notes":
            given = f"{ours}\n\n{theirs}" if ours and theirs else ours or theirs
            changes = [(first, given)] if theirs and given != ours else []
        elif first == "sex":
            changes = [(first, theirs)] if ours == "unknown" and theirs != "unknown" else []
        else:
            empty = ours in ("", None) and theirs not in ("", None)
            changes = [(field, _value(old, field)) for field in group] if empty else []
        for field, given in changes:
            carried.append([field, _value(new, field), given])
    if carried:
        values: dict[str, Any] = {}
        for field, _before, given in carried:
            values.update(_stored(field, given))
        Person.objects.filter(pk=new.pk).update(**values)
    return carried


def _uncarry(new: Person, carried: list[list[Any]]) -> None:
    """Give back ``new`` what it held before ``_carry`` (``_undone``)."""
    values, _kept = _undone(Person.objects.get(pk=new.pk), carried)
    if values:
        Person.objects.filter(pk=new.pk).update(**values)


def kept_after_undo(new: Person, carried: list[list[Any]]) -> list[str]:
    """The fields the old record gave ``new`` that an undo now would leave as they are,
    edited since the merge (``_undone``): what a reviewer should check by hand."""
    return _undone(Person.objects.get(pk=new.pk), carried)[1]


def _undone(current: Person, carried: list[list[Any]]) -> tuple[dict[str, Any], list[str]]:
    """The values that give back the record kept what it held before ``_carry``, and the
    fields left as they are. A group of fields (``CARRIED_FIELDS``) not changed since
    comes back as a whole. One edited since keeps its edit, and its group goes with it
    (a new photo keeps its type, a birth date set since its precision); but the phone
    numbers, languages and notes the old record gave are taken out of it (a merge is
    undone because the two are different people: one's number must not stay on the
    other's record), and a field that still holds some of them is left."""
    group_of = {field: group for group in CARRIED_FIELDS for field in group}
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for one in carried:
        groups.setdefault(group_of.get(one[0], (one[0],)), []).append(one)
    values: dict[str, Any] = {}
    kept: list[str] = []
    for fields in groups.values():
        if all(_value(current, field) == given for field, _before, given in fields):
            for field, before, _given in fields:
                values.update(_stored(field, before))
            continue
        field, before, given = fields[0]
        now = _value(current, field)
        taken = _taken_out(field, now, before, given)
        if taken is None:
            kept.append(field)
        elif taken != now:
            values.update(_stored(field, taken))
    return values, kept


def _taken_out(field: str, now: Any, before: Any, given: Any) -> Any:
    """``now`` (edited since the merge) without what ``_carry`` added to ``before`` to
    give ``given``; None for a field whose additions cannot be told apart (or are
    forgotten: a redaction blanks the values a merge kept)."""
    if given is None or before is None or now is None:
        return None
    if field == "phones":
        added = {p for p in given if p not in before}
        return [p for p in now if p not in added]
    if field == "languages":
        had = {w.strip().casefold() for w in before.split(",")}
        added = {w.strip().casefold() for w in given.split(",")} - had - {""}
        said = [w.strip() for w in now.split(",") if w.strip()]
        left = ", ".join(w for w in said if w.casefold() not in added)
        # Still there, written otherwise ("Kazakh; Uzbek"): left, and named.
        return None if any(word in left.casefold() for word in added) else left
    if field == "notes":
        block = given[len(before) :] if given.startswith(before) else ""
        return now.replace(block, "", 1).strip() if block and block in now else None
    return None


def repoint(old: Person, new: Person) -> Moved:
    """Give ``old``'s names to ``new`` as extra names, after its own, none primary; a
    name ``new`` has already (``same_name``), or that another of ``old``'s moves
    before it, is not moved but left on ``old``. Then the details ``new`` lacks
    (``_carry``); ``old`` keeps its own, hidden with it."""
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
        carried = _carry(old, new)
    return {
        CARRIED: carried,
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
        _uncarry(new, moved.get(CARRIED) or [])
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
