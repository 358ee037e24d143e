"""Pages of the duplicate review: likely duplicates, one pair, merges and their undo.

Who: coordinators and admins, for the records they may change (both of a pair; a
coordinator's are those of their cities). Liaisons, lawyers and analysts are refused:
a merge rewrites a person's whole history, so it is for those who register people.
Every change is a POST; URLs carry person and merge codes, never names.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qandas.accounts.models import Role, User
from qandas.applications import repoint as applications_repoint
from qandas.applications.models import Application
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.correspondence import repoint as correspondence_repoint
from qandas.correspondence.models import Letter
from qandas.documents import repoint as documents_repoint
from qandas.incidents import repoint as incidents_repoint
from qandas.incidents.actions import state_of
from qandas.incidents.models import CustodyState, Episode, EventPerson
from qandas.lib.access import not_found, role_required, signed_in, visible_or_404
from qandas.people import repoint as people_repoint
from qandas.people.merged import merged_in_scope, merged_survivor
from qandas.people.models import Name, Person, edit_filter

from .duplicate_forms import MergeForm, NotSameForm
from .duplicates import (
    LIST_ROWS,
    MergeRefused,
    RepointConflict,
    likely_duplicates,
    merge,
    not_same,
    not_same_decisions,
    ordered,
    reopen,
    score_pair,
    undo,
    undo_refused_by_redaction,
    waiting,
)
from .models import DuplicateDecision, ListRow, Merge, Verdict

REVIEWERS = (Role.COORDINATOR, Role.ADMIN)
QUEUE_SIZE = 50
MERGES_SHOWN = 100


@role_required(*REVIEWERS)
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    people = Person.objects.editable_by(user)
    pairs = likely_duplicates(people, limit=QUEUE_SIZE)
    context = {"pairs": pairs, "waiting": waiting(people), "full": len(pairs) >= QUEUE_SIZE}
    return render(request, "matching/duplicate_list.html", context)


def pair_of(user: User, first: str, second: str) -> tuple[Person, Person]:
    """Both records, if the user may change both (404 when not visible, 403 when not
    theirs to change); a pair across organisations is no pair."""
    a, b = visible_or_404(Person, user, first), visible_or_404(Person, user, second)
    # A redacted record is no record to compare or merge: not found, even for an admin
    # (it answered 403, "your role does not allow this: ask an administrator").
    if a.is_redacted or b.is_redacted:
        raise Http404
    # Visible but not both to change: 403, as ``editable_or_404`` answers.
    if Person.objects.editable_by(user).filter(pk__in=[a.pk, b.pk]).count() != len({a.pk, b.pk}):
        raise PermissionDenied
    if a.pk == b.pk or a.organisation_id != b.organisation_id:
        raise Http404
    return a, b


def card(person: Person) -> dict[str, Any]:
    """What the pair page shows of one record, side by side with the other."""
    return {
        "person": person,
        "names": list(person.names.all()),
        "documents": person.documents.count(),
        "events": EventPerson.objects.filter(person=person).count(),
        "applications": Application.objects.filter(person=person).count(),
        "letters": Letter.people.through.objects.filter(person=person).count(),
        "phones": len(person.phones),
        # What a merge also moves, and a reviewer weighs: one record detained with an
        # open alarm and a lawyer, the other free, said only "Events 1 / 4".
        "custody": CustodyState(state_of(person)).label,
        "episodes": Episode.objects.filter(person=person).count(),
        "list_rows": ListRow.objects.filter(person=person).count(),
    }


def render_pair(
    request: HttpRequest,
    pair: tuple[Person, Person],
    *,
    merge_form: MergeForm | None = None,
    not_same_form: NotSameForm | None = None,
    status: int = 200,
) -> HttpResponse:
    score, why = score_pair(*pair)
    first, second = ordered(*pair)
    # Someone said they are two people: a merge overrules it, so the page says so first.
    decided = (
        DuplicateDecision.objects.filter(first=first, second=second, verdict=Verdict.NOT_SAME)
        .select_related("decided_by")
        .first()
    )
    context = {
        "pair": pair,
        "decided": decided,
        "cards": [card(person) for person in pair],
        "score": score,
        "why": why,
        "merge_form": merge_form or MergeForm(pair=pair),
        "not_same_form": not_same_form or NotSameForm(),
    }
    return render(request, "matching/duplicate_pair.html", context, status=status)


def merged_already(request: HttpRequest, user: User, first: str, second: str) -> Person | None:
    """When the two were merged (either way, not undone) into a record ``user`` may
    change: that record, with a message saying so. A second reviewer acting on a pair a
    colleague merged meanwhile, or a page come back to, got a bare 404."""
    try:
        codes = {str(uuid.UUID(str(first))), str(uuid.UUID(str(second)))}
    except ValueError:
        return None
    done = (
        Merge.objects.filter(
            survivor__code__in=codes, merged__code__in=codes, undone_at__isnull=True
        )
        .select_related("merged_by", "merged")
        .first()
    )
    if done is None:
        return None
    survivor = Person.objects.editable_by(user).filter(pk=done.survivor_id).first()
    # The merged record must be one the user could see before the merge, else its code
    # is answered as any other they may not see (``pair_of``: 404).
    if survivor is None or merged_in_scope(user, done.merged.code) is None:
        return None
    messages.info(
        request,
        _("These two records were already merged, into this one, by %(by)s on %(date)s.")
        % {
            "by": done.merged_by.username if done.merged_by else _("someone"),
            "date": timezone.localtime(done.merged_at).strftime("%Y-%m-%d"),
        },
    )
    return survivor


@role_required(*REVIEWERS)
@require_GET
def duplicate_pair(request: HttpRequest, first: str, second: str) -> HttpResponse:
    user = signed_in(request)
    if (survivor := merged_already(request, user, first, second)) is not None:
        return redirect("people:detail", code=survivor.code)
    pair = pair_of(user, first, second)
    for person in pair:  # both records, side by side: a read of each (security R27)
        record(Verb.VIEW, actor=user, request=request, obj=person, fields=["duplicates"])
    return render_pair(request, pair)


@role_required(*REVIEWERS)
@require_POST
def duplicate_merge(request: HttpRequest, first: str, second: str) -> HttpResponse:
    user = signed_in(request)
    if (survivor := merged_already(request, user, first, second)) is not None:
        return redirect("people:detail", code=survivor.code)
    pair = pair_of(user, first, second)
    form = MergeForm(request.POST, pair=pair)
    if not form.is_valid():
        return render_pair(request, pair, merge_form=form)
    survivor = form.cleaned_data["survivor"]
    try:
        merge(survivor, form.merged, by=user, score=score_pair(*pair)[0], request=request)
    except (MergeRefused, RepointConflict) as refused:
        form.add_error(None, str(refused))
        return render_pair(request, pair, merge_form=form, status=409)
    messages.success(
        request,
        _(
            "Merged. The other record's names, documents, events, custody history, "
            "applications, letters and list rows are on this one now, with the details "
            "this one lacked; the merge can be undone."
        ),
    )
    return redirect("people:detail", code=survivor.code)


@role_required(*REVIEWERS)
@require_POST
def duplicate_not_same(request: HttpRequest, first: str, second: str) -> HttpResponse:
    user = signed_in(request)
    if (survivor := merged_already(request, user, first, second)) is not None:
        return redirect("people:detail", code=survivor.code)
    pair = pair_of(user, first, second)
    form = NotSameForm(request.POST)
    if not form.is_valid():
        return render_pair(request, pair, not_same_form=form)
    try:
        not_same(
            *pair,
            by=user,
            note=form.cleaned_data["note"],
            score=score_pair(*pair)[0],
            request=request,
        )
    except MergeRefused as refused:
        form.add_error(None, str(refused))
        return render_pair(request, pair, not_same_form=form, status=409)
    messages.success(
        request, _("Marked as two different people. The pair will not be proposed again.")
    )
    return redirect("duplicates:list")


@role_required(*REVIEWERS)
@require_POST
def duplicate_reopen(request: HttpRequest, first: str, second: str) -> HttpResponse:
    """Withdraw the pair's "not the same person" decision: it may be proposed again."""
    user = signed_in(request)
    pair = pair_of(user, first, second)
    try:
        withdrawn = reopen(*pair, by=user, request=request)
    except MergeRefused as refused:
        messages.error(request, str(refused))
    else:
        if withdrawn:
            messages.success(
                request,
                _("Decision withdrawn: the two records may be proposed as one person again."),
            )
        else:
            messages.info(request, _("There was no decision to withdraw."))
    return redirect("duplicates:pair", first=pair[0].code, second=pair[1].code)


# What a merge moved (the keys of ``Merge.moved``) in a caseworker's words, counted.
MOVED_WORDS = {
    people_repoint.NAMES: ngettext_lazy("%(count)d name", "%(count)d names", "count"),
    documents_repoint.DOCUMENTS: ngettext_lazy(
        "%(count)d document", "%(count)d documents", "count"
    ),
    incidents_repoint.INVOLVEMENTS: ngettext_lazy("%(count)d event", "%(count)d events", "count"),
    incidents_repoint.EPISODES: ngettext_lazy(
        "%(count)d custody episode", "%(count)d custody episodes", "count"
    ),
    incidents_repoint.ASSIGNMENTS: ngettext_lazy(
        "%(count)d assignment", "%(count)d assignments", "count"
    ),
    incidents_repoint.ALARMS: ngettext_lazy("%(count)d alarm", "%(count)d alarms", "count"),
    applications_repoint.APPLICATIONS: ngettext_lazy(
        "%(count)d application", "%(count)d applications", "count"
    ),
    correspondence_repoint.LINKS: ngettext_lazy("%(count)d letter", "%(count)d letters", "count"),
    LIST_ROWS: ngettext_lazy("%(count)d list row", "%(count)d list rows", "count"),
}


def moved_in_words(moved: dict[str, list[Any]]) -> list[str]:
    """What a merge moved, kind by kind: "1 name", "2 events" (not the internal keys).
    A kind no phrase names yet is called by its model's verbose name."""
    said = []
    for key, ids in moved.items():
        if not ids or ":" in key:  # a suffixed key holds facts for the undo, not rows moved
            continue
        phrase = MOVED_WORDS.get(key)
        if phrase is not None:
            said.append(phrase % {"count": len(ids)})
            continue
        try:
            meta = apps.get_model(key)._meta
            kind = meta.verbose_name if len(ids) == 1 else meta.verbose_name_plural
        except (LookupError, ValueError):
            kind = key
        said.append(_("%(count)d %(kind)s") % {"count": len(ids), "kind": kind})
    carried = [
        str(getattr(Person._meta.get_field(field), "verbose_name", field))
        for field, *_values in moved.get(people_repoint.CARRIED, [])
        if field not in ("birth_date_precision", "relationship", "photo_content_type")
    ]
    if carried:
        said.append(_("details it lacked: %(fields)s") % {"fields": ", ".join(carried)})
    return said


def merged_name_ids(moved: dict[str, list[int]]) -> list[int]:
    """The merged record's names: those moved and those left on it because the survivor
    had them already (``people.repoint.KEPT``), its primary first."""
    primary = set(moved.get(people_repoint.PRIMARY, []))
    ids = moved.get(people_repoint.NAMES, []) + moved.get(people_repoint.KEPT, [])
    return sorted(ids, key=lambda pk: pk not in primary)


def merges_for(user: User) -> Any:
    """Merges of records the user may change (the merged one included)."""
    scope = Person.objects.filter(edit_filter(user, city_field="current_city"))
    return Merge.objects.filter(survivor__in=scope, merged__in=scope)


@role_required(*REVIEWERS)
@require_GET
def merge_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    merges = list(
        merges_for(user)
        .select_related("survivor", "merged", "merged_by", "undone_by")
        .prefetch_related("survivor__names")[:MERGES_SHOWN]
    )
    name_ids = {pk for done in merges for pk in merged_name_ids(done.moved)}
    texts = dict(Name.objects.filter(pk__in=name_ids).values_list("pk", "text"))
    for done in merges:
        # A moved name the survivor's edits removed since is shown as the merge wrote it.
        written = dict(
            zip(
                done.moved.get(people_repoint.NAMES, []),
                [text for text, _source in done.moved.get(people_repoint.WRITTEN, [])],
                strict=False,
            )
        )
        done.merged_names = [
            texts.get(pk) or written[pk]
            for pk in merged_name_ids(done.moved)
            if pk in texts or pk in written
        ]
        done.moved_words = moved_in_words(done.moved)
        # A record kept, merged since into another (a chain): the record it is on now.
        if done.survivor.merged_into_id is not None:
            done.kept_now = merged_survivor(user, done.survivor.code)
        done.redacted = undo_refused_by_redaction(done)
    decisions = list(not_same_decisions(Person.objects.editable_by(user))[:MERGES_SHOWN])
    for decision in decisions:  # namesakes told apart by birth and city
        decision.people = (decision.first, decision.second)  # type: ignore[attr-defined]
    return render(
        request, "matching/duplicate_merges.html", {"merges": merges, "decisions": decisions}
    )


def _left_behind(done: Merge) -> list[str]:
    """What undoing ``done`` would not take back, in words, for its confirmation page
    and its message: the events recorded on the record kept since the merge, and the
    details the other record gave it that were edited since (none for a merge with a
    redacted record, which the undo refuses: the values it kept are blanked)."""
    said = []
    name = done.survivor.primary_name
    since = incidents_repoint.recorded_since(done.survivor, done.merged_at)
    if since:
        said.append(
            ngettext(
                "%(count)d event was recorded on %(name)s since the merge, and stays on "
                "that record: check whether it concerns the other person.",
                "%(count)d events were recorded on %(name)s since the merge, and stay on "
                "that record: check whether they concern the other person.",
                since,
            )
            % {"count": since, "name": name}
        )
    if not undo_refused_by_redaction(done):
        kept = people_repoint.kept_after_undo(
            done.survivor, done.moved.get(people_repoint.CARRIED) or []
        )
        if kept:
            fields = ", ".join(
                str(getattr(Person._meta.get_field(field), "verbose_name", field)) for field in kept
            )
            said.append(
                _(
                    "Details the other record gave %(name)s were edited since the merge and "
                    "left as they are: %(fields)s. Check them."
                )
                % {"name": name, "fields": fields}
            )
    return said


@role_required(*REVIEWERS)
@require_http_methods(["GET", "POST"])
def merge_undo(request: HttpRequest, code: str) -> HttpResponse:
    """GET: what the undo will do and leave, to confirm; POST: undo it."""
    user = signed_in(request)
    done = merges_for(user).filter(code=code).first()
    if done is None:
        raise not_found(Merge, code)
    if done.undone_at is not None:
        messages.info(request, _("This merge was already undone."))
        return redirect("duplicates:merges")
    left = _left_behind(done)  # said before the undo runs, which changes it
    if request.method == "GET":
        context = {"done": done, "left": left, "redacted": undo_refused_by_redaction(done)}
        return render(request, "matching/duplicate_undo.html", context)
    try:
        undo(done, by=user, request=request)
    except MergeRefused as refused:
        messages.error(request, str(refused))
        return redirect("duplicates:merges")
    if not left:
        messages.success(request, _("Merge undone: both records are back as they were."))
        return redirect("duplicates:merges")
    messages.success(request, _("Merge undone."))
    for words in left:
        messages.warning(request, words)
    return redirect("duplicates:merges")
