"""Lists in the application: upload a police, court, deportation or embassy list, match
each row against the registry, and turn a reviewer's confirmation into a custody event.

The file is read (``tables.read``) and checked before anything is written; then, in
one transaction, the file goes to the private store, its rows are saved, and a
background task is queued that matches them against the registry (``match_upload``),
a chunk at a time, while the list's page shows how far it is. Candidates are only ever
people the uploader may record custody events for, and they are filtered again by the
viewer's scope when shown. No row can be decided before the whole list is matched.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qandas.accounts.models import Role, User
from qandas.incidents import actions
from qandas.incidents.models import Event, EventKind, EventRevision, PlaceKind, custody_people
from qandas.incidents.models.events import RevisionAction, Source, TimePrecision
from qandas.incidents.models.places import CUSTODY_READERS
from qandas.lib import files
from qandas.lib.files import CleanFile
from qandas.lib.numbers import birth_year, number_key, row_birth_year
from qandas.lib.scripts import has_letter
from qandas.people.merged import merged_here, now_kept_as
from qandas.people.models import Person, fold

from . import importing, keys, search
from .models import ListCandidate, ListKind, ListRow, ListUpload, MatchState, RowState
from .tables import Table, TableError, read, unreadable

MAX_ROWS = 5000  # matching a row takes a few milliseconds; bigger lists go to match_list
TOP = 5
# Past the ``TOP`` a row shows, up to this many more people who scored as high as the last
# are kept with its candidates: the page says how many of them its viewer may see (a
# common name's namesakes, never shown by the cut), and to search for them.
TIED_KEPT = 20
# People a reviewer's own search for a row offers besides its candidates: as many as the
# namesakes past the cut it may be asked to find (``TIED_KEPT``).
SEARCHED = TIED_KEPT
# The import columns (DESIGN section 5), shown first and in this order; others follow.
KNOWN_COLUMNS = tuple(c for c in importing.COLUMNS if c != "external_id")
# What a confirmed row of each kind of list says happened, and where.
EVENT_OF = {
    ListKind.POLICE: EventKind.LOCATED,
    ListKind.COURT: EventKind.COURT_HEARING,
    ListKind.DEPORTATION: EventKind.DEPORTATION,
}
# The places each kind of list records its event at: a police list's "held at this
# station" at a border crossing, or a court hearing at a police station, cannot be.
PLACE_KINDS = {
    ListKind.POLICE: {PlaceKind.POLICE_STATION, PlaceKind.PRISON},
    ListKind.COURT: {PlaceKind.COURT},
    ListKind.DEPORTATION: {PlaceKind.BORDER_CROSSING},
}
# A list dated before this year is a typing error (0001-01-01 made someone detained since
# the year 1, before their birth).
FIRST_LIST_YEAR = 1970
EVENT_NOTE = {
    ListKind.POLICE: gettext_lazy("Listed as held at this station on this date."),
    ListKind.COURT: gettext_lazy("Listed for a hearing at this court on this date."),
    ListKind.DEPORTATION: gettext_lazy("Listed as deported through this crossing on this date."),
}
# A deportation list may name no crossing: its note names none either.
NOTE_WITHOUT_PLACE = {
    ListKind.DEPORTATION: gettext_lazy("Listed as deported on this date."),
}


# Reading an uploaded list ------------------------------------------------------------------


def clean_list_file(
    uploaded: UploadedFile, *, encoding: str | None = None
) -> tuple[CleanFile, Table]:
    """Check an uploaded CSV or XLSX and read every row; ``TableError`` says why not.

    The type is decided by the bytes, never the name. Nothing is stored here.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise TableError(_too_big(limit))
    uploaded.seek(0)
    buffer = bytearray()
    for chunk in uploaded.chunks():
        buffer.extend(chunk)
        if len(buffer) > limit:
            raise TableError(_too_big(limit))
    data = bytes(buffer)
    if not data:
        raise TableError(_("This file is empty."))
    if files.sniff(data) is not None:
        raise TableError(_("This is a PDF or an image, not a list. Upload a CSV or XLSX file."))
    name = uploaded.name or ""
    if data.startswith(b"PK\x03\x04"):
        if not _is_workbook(data):  # a ZIP of something else, or a workbook cut short
            raise unreadable()
        content_type = files.XLSX
    else:
        content_type = files.CSV
    # Read no further than the limit: a 14 MB file of one-letter rows took 29 s and 2 GB.
    table = read(data, filename=name, encoding=encoding or None, max_rows=MAX_ROWS)
    if "name" not in table.columns:
        raise TableError(
            _("The list needs a column called “name”. Its columns are: %(columns)s.")
            % {"columns": ", ".join(table.columns) or "—"}
        )
    if not table.rows:
        raise TableError(_("The list has a header but no rows."))
    if len(table.rows) > MAX_ROWS:
        raise TableError(
            _(
                "The list has %(rows)s rows; the limit here is %(limit)s. Split it, or ask "
                "an administrator to run “manage.py match_list” on it."
            )
            % {
                "rows": number_format(len(table.rows), force_grouping=True),
                "limit": number_format(MAX_ROWS, force_grouping=True),
            }
        )
    extension = files.TABLE_EXTENSION[content_type]
    return CleanFile(data, content_type, extension, files.display_name(name, extension)), table


def _too_big(limit: int) -> str:
    return _("The file is larger than %(mb)s MB; split it.") % {"mb": f"{limit / files.MB:g}"}


def _is_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


# Who sees which lists --------------------------------------------------------------------


def visible_uploads(user: User) -> QuerySet[ListUpload]:
    """The lists ``user`` may read: custody records (DESIGN section 1).

    Admins: their organisation's. Coordinators and lawyers: lists of their cities, and
    the lists they uploaded themselves. Liaisons and analysts: none.
    """
    condition = Q(pk__in=[])
    for membership in user.scope().filter(role__in=CUSTODY_READERS).prefetch_related("cities"):
        mine = Q(organisation_id=membership.organisation_id)
        if membership.role != Role.ADMIN:
            cities = [city.pk for city in membership.cities.all()]
            mine &= Q(city__in=cities) | Q(uploaded_by=user)
        condition |= mine
    return ListUpload.objects.filter(condition)


def visible_rows(user: User) -> QuerySet[ListRow]:
    return ListRow.objects.filter(upload__in=visible_uploads(user))


# Matching ------------------------------------------------------------------------------------


def unread_birth_year(cells: dict[str, str]) -> str:
    """The row's ``birth_year`` cell when it holds something that is not a year (the row
    was then matched without one), else ""."""
    text = cells.get("birth_year", "").strip()
    return text if text and birth_year(text) is None else ""


def nameless(cells: dict[str, str]) -> bool:
    """Whether the row gives no name to match: none, or only ones without a letter
    (``😀``), among its name and other names."""
    return not any(has_letter(name) for name in importing.name_list(cells))


def match_cells(
    people: QuerySet[Person], cells: dict[str, str], *, top: int = TOP, on: date | None = None
) -> list[dict]:
    """The candidates for one row, best first, as ``ListRow.candidates`` keeps them: those
    of its name and of each of its other names (``other_names``, ``;``-separated), each
    person once at their best (``search.best_of``: one found only by an other name says
    which, ``"by"``). ``on``: the list's date, which an age is counted to."""
    found = []
    names = importing.names_to_match(cells)
    if not names and number_key(cells.get("document_number", "")):
        names = [("", "")]  # a document number alone finds its holder
    for name, by in names:
        # Scored on plain values: the page loads the people it shows, when it shows them.
        matches = _scored(people, name, cells, limit=top + TIED_KEPT, on=on)
        candidates = [
            {"person": m.facts.pk, "score": m.score, "name": m.name, "why": m.why} for m in matches
        ]
        found.append((by, candidates))
    return search.best_of(found, top, tied=TIED_KEPT)


def _scored(
    people: QuerySet[Person],
    name: str,
    cells: dict[str, str],
    *,
    limit: int,
    on: date | None = None,
) -> list[search.Scored]:
    """The people best matching ``name`` with the facts a row's cells give."""
    return search.scored_people(
        people,
        name,
        birth_year=row_birth_year(cells, on),
        father_name=cells.get("father_name", ""),
        document_number=cells.get("document_number", ""),
        city=cells.get("city", ""),
        limit=limit,
    )


def create_upload(
    clean: CleanFile, table: Table, *, by: User, organisation_id: int, **fields: Any
) -> ListUpload:
    """Store the file and its rows in one transaction, with the task that matches them
    (``tasks.match_upload``): the worker matches them after the commit, or, where tasks
    run at once (``TASKS_IMMEDIATE``), they are matched before this returns."""
    from .tasks import match_upload

    upload: ListUpload | None = None
    try:
        with transaction.atomic():
            upload = ListUpload.store(
                clean,
                by=by,
                organisation_id=organisation_id,
                encoding=table.encoding,
                headers=table.headers,
                match_moved_at=timezone.now(),
                **fields,
            )
            ListRow.objects.bulk_create(
                [ListRow(upload=upload, line=line, cells=cells) for line, cells in table.rows],
                batch_size=500,
            )
            match_upload.enqueue(upload.pk)
    except BaseException:
        if upload is not None:
            files.delete_stored(upload.storage_name)
        raise
    upload.refresh_from_db()
    return upload


MATCH_CHUNK = 100  # rows matched, then saved with the progress, at a time
# Matching that has not moved for this long may start again: it saves its progress every
# ``MATCH_CHUNK`` rows, about a second's work against a million people. It was ten
# minutes, for which a list whose worker was killed and started again sat still.
STALLED = timedelta(minutes=2)


def match_upload(pk: int) -> None:
    """Match an upload's rows against the registry, ``MATCH_CHUNK`` at a time, each chunk
    saved with the count of rows done, in the order of their lines: a run started again
    after a failure goes on from there. Candidates are only ever people the uploader may
    record custody events for (the gate as it is now for them). Should another run have
    moved the count meanwhile (one started again while this one seemed stalled), this
    one stops. A failure leaves the upload ``failed``, and is raised again."""
    upload = ListUpload.objects.select_related("uploaded_by").filter(pk=pk).first()
    if upload is None or upload.match_state == MatchState.DONE:
        return
    done = upload.matched_rows
    ListUpload.objects.filter(pk=pk).update(
        match_state=MatchState.MATCHING, match_moved_at=timezone.now()
    )
    try:
        by = upload.uploaded_by
        people = (
            custody_people(by, write=True).filter(organisation_id=upload.organisation_id)
            if by is not None
            else Person.objects.none()  # nobody to see people through: no candidate
        )
        rows = list(upload.rows.order_by("line").only("pk", "cells")[done:])
        for start in range(0, len(rows), MATCH_CHUNK):
            chunk = rows[start : start + MATCH_CHUNK]
            for row in chunk:
                row.candidates = match_cells(people, row.cells, on=upload.listed_on)
            with transaction.atomic():
                moved = ListUpload.objects.filter(
                    pk=pk, matched_rows=done, match_state=MatchState.MATCHING
                ).update(matched_rows=done + len(chunk), match_moved_at=timezone.now())
                if not moved:
                    return
                ListRow.objects.bulk_update(chunk, ["candidates"])
                index_candidates(chunk)
            done += len(chunk)
        ListUpload.objects.filter(pk=pk, matched_rows=done, match_state=MatchState.MATCHING).update(
            match_state=MatchState.DONE, match_moved_at=timezone.now()
        )
    except Exception:
        ListUpload.objects.filter(pk=pk).update(
            match_state=MatchState.FAILED, match_moved_at=timezone.now()
        )
        raise


def index_candidates(rows: list[ListRow]) -> None:
    """Keep the rows' candidates by id (``ListCandidate``), as the rows now hold them:
    each person once, at their best (the first)."""
    ListCandidate.objects.filter(row__in=[row.pk for row in rows]).delete()
    indexed = []
    for row in rows:
        seen: set[int] = set()
        for c in row.candidates:
            if c["person"] not in seen:
                seen.add(c["person"])
                indexed.append(ListCandidate(row=row, person_id=c["person"], score=c["score"]))
    ListCandidate.objects.bulk_create(indexed, batch_size=500)


def stalled(upload: ListUpload, *, now: datetime | None = None) -> bool:
    """Whether the upload's matching failed, or has not moved for ``STALLED`` (its worker
    died, or none runs): it may then be started again (``match_again``)."""
    if upload.match_state == MatchState.FAILED:
        return True
    if upload.match_state == MatchState.DONE or upload.match_moved_at is None:
        return False
    since = (now or timezone.now()) - STALLED
    if upload.match_moved_at >= since:
        return False
    if upload.match_state == MatchState.QUEUED:
        # Waiting behind other lists: the worker is alive if it moved any of them since.
        moving = ListUpload.objects.filter(match_moved_at__gte=since).exclude(
            match_state=MatchState.QUEUED
        )
        return not moving.exists()
    return True


def match_again(upload: ListUpload) -> bool:
    """Queue the matching of a failed or stalled upload again, from the rows not yet
    matched; False when it is neither (matched, or moving)."""
    from .tasks import match_upload

    if not stalled(upload):
        return False
    with transaction.atomic():
        queued = ListUpload.objects.filter(
            pk=upload.pk, match_state=upload.match_state, match_moved_at=upload.match_moved_at
        ).update(match_state=MatchState.QUEUED, match_moved_at=timezone.now())
        if not queued:
            return False  # someone else did, or it moved meanwhile
        match_upload.enqueue(upload.pk)
    return True


def resume_dead(*, now: datetime | None = None) -> list[ListUpload]:
    """Queue again every upload whose matching started and has not moved for
    ``STALLED``: its worker died in the middle of it (killed, the machine restarted), and
    the task it had taken is never run again. Run with the clocks (``run_clocks``), so
    such a list goes on once a worker runs, without anyone asking. A list still queued
    is left alone (its task waits in the queue for a worker), and so is a failed one (it
    may fail the same way again: a person starts it again, ``match_again``). Returns the
    uploads queued."""
    since = (now or timezone.now()) - STALLED
    dead = ListUpload.objects.filter(match_state=MatchState.MATCHING, match_moved_at__lt=since)
    return [upload for upload in dead.order_by("pk") if match_again(upload)]


# Showing rows ----------------------------------------------------------------------------------


# How the list page labels the columns it knows (docs/import.md's); another column is
# shown as the file names it.
COLUMN_LABELS = {
    "other_names": gettext_lazy("Other names"),
    "sex": gettext_lazy("Sex"),
    "birth_year": gettext_lazy("Birth year"),
    "age": gettext_lazy("Age"),
    "father_name": gettext_lazy("Father's name"),
    "city": gettext_lazy("City"),
    "phone": gettext_lazy("Phone"),
    "document_number": gettext_lazy("Document number"),
}


def column_label(column: str, headers: dict[str, str] | None = None) -> str:
    """A column's label: a column Qandas reads by its name in the reader's language,
    another as the file's header wrote it (``ListUpload.headers``)."""
    if column in COLUMN_LABELS:
        return str(COLUMN_LABELS[column])
    return (headers or {}).get(column) or column


def columns_of(rows: list[ListRow]) -> list[str]:
    """The columns to show besides the name: the known ones in order, then the others."""
    present: set[str] = set()
    for row in rows:
        present |= set(row.cells)
    known = [c for c in KNOWN_COLUMNS[1:] if c in present]
    return known + sorted(present - set(KNOWN_COLUMNS))


@dataclass
class Candidate:
    """One of a row's candidates as the page shows it: the person as they are now.

    ``name`` is the person's name the row matched, written as the person has it now, and
    ``why`` says how it matched; both are "" once the person no longer has that name (it
    was changed or removed after the list was matched), so that the page never shows a
    name, or the words of one, that is no longer theirs.
    """

    person: Person
    score: float
    percent: int
    name: str
    why: str
    by: str = ""  # the row's other name that found this person; "": its name did


def _still_named(person: Person, matched: str) -> str:
    """The person's name that is ``matched`` (case folded alike), or "" if none is now."""
    wanted = fold(matched)
    return next((n.text for n in person.names.all() if fold(n.text) == wanted), "")


def _shown_candidates(user: User) -> QuerySet[Person]:
    """The people ``user`` is shown as a row's candidates: custody records they may
    read, not redacted."""
    return custody_people(user).filter(redacted_at__isnull=True)


def rows_with_candidates(user: User, rows: QuerySet[ListRow]) -> list[int]:
    """The ids of ``rows``, in order, with a candidate ``user`` may see, as
    ``candidates_for`` shows them. The stored candidates are the uploader's: a row whose
    only candidates are in another city, or redacted since, is no row with candidates to
    its viewer (the filter told that a name on the list is registered out of sight)."""
    found = list(rows.exclude(candidates=[]).values_list("pk", "candidates"))
    # A list's rows may name a hundred thousand people: asked about in pieces.
    kept: dict[int, int] = {}
    for piece in search.in_pieces(sorted({c["person"] for _pk, cs in found for c in cs})):
        kept.update(now_kept_as(set(piece)))
    visible: set[int] = set()
    for piece in search.in_pieces(sorted(set(kept.values()))):
        visible.update(_shown_candidates(user).filter(pk__in=piece).values_list("pk", flat=True))
    return [pk for pk, candidates in found if any(kept[c["person"]] in visible for c in candidates)]


def candidates_for(user: User, rows: list[ListRow]) -> dict[int, list[Candidate]]:
    """Each row's candidates that ``user`` may see (not redacted), in one query, with
    the names they have now (``Candidate``); a candidate merged into another record
    since is that record (``now_kept_as``), once."""
    kept = now_kept_as({c["person"] for row in rows for c in row.candidates})
    people = {
        p.pk: p
        for p in _shown_candidates(user)
        .filter(pk__in=set(kept.values()))
        .select_related("current_city")
        .prefetch_related("names")
    }
    shown: dict[int, list[Candidate]] = {}
    for row in rows:
        shown[row.pk] = []
        offered: set[int] = set()
        for c in row.candidates:
            person = people.get(kept[c["person"]])
            if person is None or person.pk in offered:
                continue
            offered.add(person.pk)
            name = _still_named(person, c["name"])
            why = c["why"] if name else ""
            shown[row.pk].append(
                Candidate(person, c["score"], round(c["score"] * 100), name, why, c.get("by", ""))
            )
    return shown


FOUND_SHOWN = 50  # rows a search of one list by name shows, best first


def rows_named(rows: list[ListRow], query: str) -> tuple[list[ListRow], int]:
    """Of ``rows``, those whose name or one of its other names is like ``query``, in any
    script, as the registry's search scores a name (``search.score_many``: from
    ``search.FLOOR``), best first, then by line: at most ``FOUND_SHOWN``; and how many
    there are. Someone not in the registry has no candidate to find them by; a relative
    asking after him gives his name."""
    asked = keys.analyse(query)
    names: list[tuple[keys.Token, ...]] = []
    owners: list[int] = []
    for at, row in enumerate(rows):
        for name in importing.name_list(row.cells):
            if tokens := keys.analyse(name):
                names.append(tokens)
                owners.append(at)
    if not asked or not names:
        return [], 0
    best: dict[int, float] = {}
    for at, score in zip(owners, search.score_names(asked, names).scores.tolist(), strict=True):
        best[at] = max(best.get(at, 0.0), score)
    found = sorted(
        (at for at, score in best.items() if search.reaches(score, search.FLOOR)),
        key=lambda at: (-best[at], rows[at].line),
    )
    for at in found[:FOUND_SHOWN]:
        # How alike, shown with the row: a weak likeness (another name sharing a
        # syllable) read as the name asked (found by exploratory testing, 13a).
        rows[at].likeness = round(best[at] * 100)  # type: ignore[attr-defined]
    return [rows[at] for at in found[:FOUND_SHOWN]], len(found)


PERSON_ROWS = 20  # rows a person's page lists that may name them, the latest lists first


@dataclass
class Naming:
    """A row waiting for review that has a person among its candidates."""

    row: ListRow
    percent: int  # the person's score on it, in percent
    page: int  # the page of the list's review that shows the row


def rows_naming(user: User, person: Person, *, page_size: int) -> tuple[list[Naming], int]:
    """The rows still to review that have ``person`` (or a record merged into them since)
    among their candidates, on matched lists ``user`` may read, the latest lists first
    (at most ``PERSON_ROWS``); and how many there are. Where a relative asks after
    someone, which lists may hold them. None for a redacted person, nor for someone the
    user may not see custody records of (as ``candidates_for`` shows no such candidate)."""
    if person.is_redacted or not custody_people(user).filter(pk=person.pk).exists():
        return [], 0
    ids = merged_here(person)
    found = ListCandidate.objects.filter(
        person_id__in=ids,
        row__state=RowState.PENDING,
        row__upload__match_state=MatchState.DONE,
        row__upload__in=visible_uploads(user),
    )
    total = found.values("row").distinct().count()
    best: dict[int, ListCandidate] = {}
    ordered = found.select_related("row__upload", "row__upload__place").order_by(
        "-row__upload__listed_on", "-row__upload__uploaded_at", "row__line", "-score"
    )
    # Each row at most once for each of ``ids``: enough to find the first rows.
    for candidate in ordered[: PERSON_ROWS * len(ids)]:
        if candidate.row_id not in best:  # the person and a record merged into them: once
            best[candidate.row_id] = candidate
            if len(best) == PERSON_ROWS:
                break
    shown = [Naming(c.row, round(c.score * 100), page_of(c.row, page_size)) for c in best.values()]
    return shown, total


def page_of(row: ListRow, page_size: int) -> int:
    """The page of its list's review (all rows, by line) that shows ``row``."""
    return row.upload.rows.filter(line__lt=row.line).count() // page_size + 1


def tied_past(candidates: list[Candidate], top: int = TOP) -> int:
    """How many of ``candidates`` (best first) past the ``top`` shown scored as high as
    the last of those: people the cut left out who are as likely."""
    if len(candidates) <= top:
        return 0
    last = candidates[top - 1].score
    return sum(1 for c in candidates[top:] if c.score >= last)


def search_for_row(
    user: User, row: ListRow, query: str, *, shown: set[int] | frozenset[int] = frozenset()
) -> list[Candidate]:
    """The ``SEARCHED`` people best matching ``query`` with the facts of the row's cells,
    among those ``user`` may record custody events for, from the search's ``FLOOR`` as
    the row's candidates are, but for those ``shown`` already: a reviewer's own search,
    when the row's candidates do not hold the person on the list. The ones shown are
    left out before the best are taken, or a name many share offered the same ones."""
    people = (
        custody_people(user, write=True)
        .filter(organisation_id=row.upload.organisation_id)
        .exclude(pk__in=shown)
    )
    matches = _scored(people, query, row.cells, limit=SEARCHED, on=row.upload.listed_on)
    loaded = (
        Person.objects.filter(pk__in=[m.facts.pk for m in matches])
        .select_related("current_city")
        .prefetch_related("names")
        .in_bulk()
    )
    return [
        Candidate(loaded[m.facts.pk], m.score, round(m.score * 100), m.name, m.why)
        for m in matches
        if m.facts.pk in loaded and search.reaches(m.score, search.FLOOR)
    ]


# Decisions ---------------------------------------------------------------------------------------


class DecisionError(Exception):
    """The row cannot be decided this way; the message says why."""


class AlreadyDecided(DecisionError):
    """The reviewer's own decision again (posted twice): it stands, nothing more is done."""

    def __init__(self) -> None:
        super().__init__(_("You had already decided this row so; nothing more was done."))


def event_blocker(upload: ListUpload) -> str | None:
    """Why confirming a row of this list cannot record an event, or None if it can."""
    kind = EVENT_OF.get(ListKind(upload.kind))
    if kind is None:
        return _("Rows of this kind of list are linked to the person; no event is recorded.")
    if upload.place is None and kind != EventKind.DEPORTATION:
        return _("The list has no place, so no event can be recorded from it.")
    if upload.place is not None and upload.place.kind not in PLACE_KINDS[ListKind(upload.kind)]:
        return (
            wrong_place(ListKind(upload.kind)) + " " + _("Confirming a row links the person only.")
        )
    return None


def wrong_place(kind: ListKind) -> str:
    """Why a place of another kind cannot be a ``kind`` list's (``PLACE_KINDS``)."""
    if kind == ListKind.DEPORTATION:
        return str(_("A deportation's place is the border crossing, and this one is not."))
    if kind == ListKind.COURT:
        return str(_("A court list's place is a court, and this one is not."))
    return str(_("A police list's place is a police station or a prison, and this one is not."))


def listed_at(upload: ListUpload, *, now: datetime) -> datetime:
    """When a row of the list says something happened: on the list's date (to the day).

    A hearing is set in the morning and may be in the future; a list of people held or
    deported says so by the end of its day, but not later than now.
    """
    zone = timezone.get_current_timezone()
    if upload.kind == ListKind.COURT:
        return datetime.combine(upload.listed_on, time(9, 0), tzinfo=zone)
    end = datetime.combine(upload.listed_on, time(23, 59), tzinfo=zone)
    return min(end, now)


def _matched(row: ListRow) -> None:
    """Refuse a decision on a row of a list still being matched."""
    if not ListUpload.objects.filter(pk=row.upload_id, match_state=MatchState.DONE).exists():
        raise DecisionError(
            _(
                "This list is still being matched against the registry: its rows can be "
                "decided once it is done."
            )
        )


def _claim(row: ListRow, *, by: User, state: str, person: Person | None, now: datetime) -> None:
    claimed = ListRow.objects.filter(pk=row.pk, state=RowState.PENDING).update(
        state=state, person=person, decided_by=by, decided_at=now
    )
    if claimed != 1:
        now_is = ListRow.objects.filter(pk=row.pk).values_list("state", "person", "decided_by")
        decided = now_is.first()
        if decided == (state, person.pk if person else None, by.pk):
            raise AlreadyDecided  # the same decision posted twice (a double click)
        if decided is not None and decided[2] == by.pk:
            raise DecisionError(
                _("You had already decided this row otherwise: undo that decision first.")
            )
        raise DecisionError(_("This row was already decided by someone else; reload the page."))
    row.state, row.person, row.decided_by, row.decided_at = state, person, by, now


def facts_of(upload: ListUpload) -> str:
    """What a confirmation records from the list (its kind, date and place), as a row's
    form carries it: a correction made meanwhile (``list_views.edit``) is then seen."""
    return f"{upload.kind}|{upload.listed_on.isoformat()}|{upload.place_id or ''}"


CORRECTED = gettext_lazy(
    "The list's details were corrected since this page was opened: nothing was recorded. "
    "Check the row again."
)
CHOOSE = gettext_lazy("Choose one of the row's candidates, or search for someone else.")
# A person the reviewer may not record custody events for, of another organisation, or
# no one at all: the same words for each.
OUT_OF_REACH = gettext_lazy(
    "You cannot confirm this row to that person: they are not among the people of this "
    "list's organisation whose custody you may record."
)


def confirm(
    row: ListRow,
    person: Person,
    *,
    by: User,
    create_event: bool,
    now: datetime | None = None,
    facts: str | None = None,
) -> actions.Outcome | None:
    """Link the row to a person and, if asked, record what the list says.

    The person is one of the row's candidates or one the reviewer searched for
    (``search_for_row``): either way, one of the list's organisation whom the reviewer may
    record custody events for. Both happen or neither does; a second post of the same
    confirmation finds the row decided and records nothing. ``facts``: the list's details
    as the reviewer's page showed them (``facts_of``); corrected since, nothing is done.

    The list is locked meanwhile: its details are those the event records (a correction
    waits, then finds the row decided: ``list_views.edit``), and two lines naming one
    person confirmed at once record one event, the second linked to the first's. On
    PostgreSQL both recorded an event, and a correction made at the same moment left the
    event with the date it corrected (found by exploratory testing, 13a).
    """
    now = now or timezone.now()
    _matched(row)
    allowed = custody_people(by, write=True).filter(organisation_id=row.upload.organisation_id)
    if not allowed.filter(pk=person.pk).exists():
        raise DecisionError(OUT_OF_REACH)
    with transaction.atomic():
        upload = ListUpload.objects.select_for_update().get(pk=row.upload_id)
        row.upload = upload
        if facts is not None and facts != facts_of(upload):
            raise DecisionError(CORRECTED)
        blocker = event_blocker(upload) if create_event else None
        if blocker:
            raise DecisionError(blocker)
        _claim(row, by=by, state=RowState.CONFIRMED, person=person, now=now)
        if not create_event:
            return None
        # The list says it once however many of its lines name them (a name in two
        # scripts): a second line is linked to the event the first recorded.
        twin = (
            ListRow.objects.filter(
                upload=upload, person=person, state=RowState.CONFIRMED, event__isnull=False
            )
            .exclude(pk=row.pk)
            .filter(event__retracted_at__isnull=True)
            .select_related("event")
            .order_by("line")
            .first()
        )
        if twin is not None and twin.event is not None:
            ListRow.objects.filter(pk=row.pk).update(event=twin.event)
            row.event = twin.event
            row.recorded_by_line = twin.line  # type: ignore[attr-defined]
            return None
        kind = ListKind(upload.kind)
        try:
            outcome = actions.record_event(
                by=by,
                people=[person],
                idempotency_key=_event_key(row),
                now=now,
                kind=EVENT_OF[kind],
                occurred_at=listed_at(upload, now=now),
                precision=TimePrecision.DAY,
                place=upload.place,
                source=Source.POLICE,
                # Neither the list's title nor its file name: they often name people, and
                # the event is read by some who may not read the list (its page links it
                # for those who may: ``event_list_row``).
                source_detail=_("%(list)s of %(date)s, line %(line)s")
                % {"list": kind.label, "date": upload.listed_on.isoformat(), "line": row.line},
                notes=str(
                    EVENT_NOTE[kind]
                    if upload.place_id or kind not in NOTE_WITHOUT_PLACE
                    else NOTE_WITHOUT_PLACE[kind]
                ),
            )
        except ValidationError as exc:
            raise DecisionError(" ".join(exc.messages)) from exc
        event: Event = outcome.events[0]
        ListRow.objects.filter(pk=row.pk).update(event=event)
        row.event = event
    return outcome


def _event_key(row: ListRow) -> uuid.UUID:
    """The key of the event a confirmation of ``row`` records: derived from the row, and
    new for each confirmation, so that a row undone and confirmed again records its event
    anew instead of being handed back the one the undo retracted."""
    generation = 0
    while True:
        key = uuid.uuid5(row.code, "event" if generation == 0 else f"event:{generation}")
        if not Event.objects.filter(idempotency_key=key).exists():
            return key
        generation += 1


def reject(row: ListRow, *, by: User, now: datetime | None = None) -> None:
    """None of the candidates is the person on the list."""
    _matched(row)
    with transaction.atomic():
        _claim(row, by=by, state=RowState.REJECTED, person=None, now=now or timezone.now())


@dataclass
class Undone:
    """What undoing a decision did about the event its confirmation had recorded."""

    event: Event | None = None  # the event the confirmation recorded, if any
    retracted: bool = False  # retracted by this undo
    already_retracted: bool = False  # someone had retracted it before: left as it is
    corrected: bool = False  # someone had corrected it since: kept, it is theirs now
    shared_with: int | None = None  # the line of another row of the list that records it


def undo(row: ListRow, *, by: User, now: datetime | None = None) -> Undone:
    """Send a decided row back to review, and retract the event its confirmation recorded.

    Only someone who may decide the row may undo it: for a confirmed row, someone who may
    record custody events for its person. The event is retracted through the incidents
    app (kept, struck through, with a reason; custody state derived again). An event
    someone retracted already stays as it is; one someone corrected since says what they
    wrote, not what the list said, so it is kept. The row is reset either way, and
    ``Undone`` says which happened. Losing a race to another decision raises.
    """
    now = now or timezone.now()
    if row.state == RowState.PENDING:
        raise DecisionError(_("This row is waiting for review already; nothing to undo."))
    if (
        row.state == RowState.CONFIRMED
        and row.person_id is not None
        and not custody_people(by, write=True).filter(pk=row.person_id).exists()
    ):
        raise DecisionError(
            _("You may not change this person's custody record, so you cannot undo this.")
        )
    event_id = row.event_id
    done = Undone()
    with transaction.atomic():
        reset = ListRow.objects.filter(
            pk=row.pk, state=row.state, person=row.person_id, event=event_id
        ).update(state=RowState.PENDING, person=None, event=None, decided_by=None, decided_at=None)
        if reset != 1:
            raise DecisionError(_("This row was changed by someone else; reload the page."))
        if event_id is not None:
            # Locked as a correction locks it: an undo meeting a correction waits for it,
            # then sees it and keeps the event.
            event = Event.objects.select_for_update().get(pk=event_id)
            done.event = event
            sharing = (
                ListRow.objects.filter(event=event_id, state=RowState.CONFIRMED)
                .order_by("line")
                .values_list("line", flat=True)
                .first()
            )
            if sharing is not None:
                done.shared_with = sharing  # the other line still says it: kept
            elif event.retracted_at is not None:
                done.already_retracted = True
            elif EventRevision.objects.filter(
                event=event, action=RevisionAction.CORRECTED
            ).exists():
                done.corrected = True
            else:
                if not Event.objects.editable_by(by).filter(pk=event.pk).exists():
                    raise DecisionError(
                        _("You may not change this event, so you cannot undo this.")
                    )
                upload = row.upload
                reason = _("Line %(line)s of the %(list)s of %(date)s was sent back to review.") % {
                    "line": row.line,
                    "list": ListKind(upload.kind).label.lower(),
                    "date": upload.listed_on.isoformat(),
                }
                done.retracted = actions.retract_event(event, by=by, reason=reason[:500], now=now)
                done.already_retracted = not done.retracted
    row.state, row.person, row.event, row.decided_by, row.decided_at = (
        RowState.PENDING,
        None,
        None,
        None,
        None,
    )
    return done


def with_counts(uploads: QuerySet[ListUpload]) -> QuerySet[ListUpload]:
    """Uploads with how many of their rows are pending, confirmed and rejected."""
    return uploads.annotate(
        **{
            f"{state}_count": Count("rows", filter=Q(rows__state=state))
            for state in RowState.values
        }
    ).order_by("-uploaded_at", "-pk")
