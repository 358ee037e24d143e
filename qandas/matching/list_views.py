"""Pages for lists: upload one, review its rows against the registry, download it."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qandas.accounts.models import Membership, Role, User
from qandas.audit.disclosure import download_stored
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.incidents.models import custody_people
from qandas.incidents.models.places import CUSTODY_READERS, CUSTODY_WRITERS
from qandas.lib.access import not_found, role_required, signed_in
from qandas.lib.views import is_htmx
from qandas.people.merged import merged_survivor
from qandas.people.models import Person

from . import lists
from .list_forms import ListFactsForm, ListFindForm, ListUploadForm, RowFilterForm, RowSearchForm
from .models import ListKind, ListRow, ListUpload, RowState

PAGE_SIZE = 50
# What a list's details are (the correction form's fields), for the audit trail (field
# names) and the correction form's start.
FACTS = list(ListFactsForm.base_fields)
UPLOAD_FIELDS = [*FACTS, "display_name", "size"]


def _upload_or_404(request: HttpRequest, code: str) -> ListUpload:
    try:
        return (
            lists.visible_uploads(signed_in(request))
            .select_related("place", "city", "uploaded_by")
            .get(code=code)
        )
    except ListUpload.DoesNotExist as exc:
        raise not_found(ListUpload, code) from exc
    except ValueError as exc:
        raise Http404 from exc


def _row_or_404(request: HttpRequest, code: str) -> ListRow:
    try:
        return (
            lists.visible_rows(signed_in(request))
            .select_related("upload__place", "upload__organisation")
            .get(code=code)
        )
    except ListRow.DoesNotExist as exc:
        raise not_found(ListRow, code) from exc
    except ValueError as exc:
        raise Http404 from exc


@role_required(*CUSTODY_READERS)
@require_GET
def upload_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    uploads = lists.with_counts(
        lists.visible_uploads(user).select_related("place", "city", "uploaded_by")
    )
    page = Paginator(uploads, PAGE_SIZE).get_page(request.GET.get("page"))
    for one in page:
        # Failed, or not moved for long: the list's page offers to match it again.
        one.stalled = lists.stalled(one)  # type: ignore[attr-defined]
    return render(
        request,
        "matching/list_list.html",
        {"page": page, "can_upload": user.has_role(*CUSTODY_WRITERS)},
    )


@role_required(*CUSTODY_WRITERS)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    membership = user.scope().filter(role__in=CUSTODY_WRITERS).order_by("pk").first()
    if membership is None:
        raise PermissionDenied
    form = ListUploadForm(
        request.POST or None, request.FILES or None, user=user, membership=membership
    )
    if request.method == "POST" and form.is_valid():
        assert form.checked_file is not None and form.table is not None
        data = form.cleaned_data
        created = lists.create_upload(
            form.checked_file,
            form.table,
            by=user,
            organisation_id=membership.organisation_id,
            kind=data["kind"],
            title=data["title"],
            listed_on=data["listed_on"],
            place=data["place"],
            city=data["city"],
        )
        record(Verb.CREATE, actor=user, request=request, obj=created, fields=UPLOAD_FIELDS)
        if created.matched:
            messages.success(
                request,
                _("List uploaded: %(count)s rows matched against the registry.")
                % {"count": len(form.table.rows)},
            )
        else:
            messages.success(
                request,
                _(
                    "List uploaded: its %(count)s rows are being matched against the "
                    "registry. This page shows them as soon as they are."
                )
                % {"count": len(form.table.rows)},
            )
        return HttpResponseRedirect(reverse("lists:detail", kwargs={"code": created.code}))
    return render(request, "matching/list_form.html", {"form": form})


def _review_context(
    request: HttpRequest, upload: ListUpload, rows: list[ListRow]
) -> dict[str, Any]:
    """What the review page and one row's fragment show: each row with its cells in
    column order and the candidates this user may see."""
    user = signed_in(request)
    blocker = lists.event_blocker(upload)
    columns = lists.columns_of(rows)
    candidates = lists.candidates_for(user, rows)
    # A confirmed row names its person only to those who may see them.
    # Undoing a confirmation needs the right to change the person's custody record: not
    # offered where it could only fail (a person redacted since, or of another city).
    writable = custody_people(user, write=True).filter(pk=OuterRef("pk"))
    linked = {
        p.pk: p
        for p in custody_people(user)
        .filter(pk__in=[r.person_id for r in rows if r.person_id], redacted_at__isnull=True)
        .annotate(changeable=Exists(writable))
        .prefetch_related("names")
    }
    changeable = {pk for pk, p in linked.items() if p.changeable}  # type: ignore[attr-defined]
    labels = {c: lists.column_label(c, upload.headers) for c in columns}
    for row in rows:
        row.shown_person = linked.get(row.person_id or 0)  # type: ignore[attr-defined]
        row.undoable = row.state != "confirmed" or row.person_id in changeable  # type: ignore[attr-defined]
        row.shown_cells = [(labels[c], row.cells.get(c, "")) for c in columns]  # type: ignore[attr-defined]
        # The first ``TOP`` this user may see; those the cut left out who scored as
        # high are counted, and found by a search of the row (``row_search``).
        row.shown_candidates = candidates[row.pk][: lists.TOP]  # type: ignore[attr-defined]
        row.tied_past = lists.tied_past(candidates[row.pk])  # type: ignore[attr-defined]
        row.unread_birth_year = lists.unread_birth_year(row.cells)  # type: ignore[attr-defined]
        row.nameless = lists.nameless(row.cells)  # type: ignore[attr-defined]
    return {
        "upload": upload,
        "rows": rows,
        "columns": columns,
        "blocker": blocker,
        "event_kind": lists.EVENT_OF.get(ListKind(upload.kind)),
        "event_default": blocker is None
        and upload.kind in (ListKind.POLICE, ListKind.COURT, ListKind.DEPORTATION),
        "can_decide": user.has_role(*CUSTODY_WRITERS) and upload.matched,
        "facts": lists.facts_of(upload),
    }


def _progress_context(request: HttpRequest, upload: ListUpload) -> dict[str, Any]:
    """How far the matching of a list is, for its page and for the page's polling."""
    total = upload.rows.count()
    return {
        "upload": upload,
        "total_rows": total,
        "percent_matched": 100 * upload.matched_rows // total if total else 100,
        "stalled": lists.stalled(upload),
        "can_restart": signed_in(request).has_role(*CUSTODY_WRITERS),
    }


@role_required(*CUSTODY_READERS)
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """One list, row by row with its candidates; filter by state."""
    user = signed_in(request)
    upload = _upload_or_404(request, code)
    form = RowFilterForm(request.GET or None)
    rows = upload.rows.select_related("event", "decided_by")
    state = form.cleaned_data.get("state") if form.is_valid() else ""
    if state:
        rows = rows.filter(state=state)
    page: Page[Any]
    if form.is_valid() and form.cleaned_data.get("candidates"):
        # Those with a candidate this user may see: the page of their ids, then its rows.
        ids = lists.rows_with_candidates(user, rows)
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(rows.filter(pk__in=list(page.object_list)))
    else:
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    extra = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "back_state": state,
        "back_candidates": bool(form.is_valid() and form.cleaned_data.get("candidates")),
    }
    return _list_page(request, upload, shown, back_page=page.number, **extra)


@role_required(*CUSTODY_READERS)
@require_POST
def find(request: HttpRequest, code: str) -> HttpResponse:
    """The rows of one list whose names are like a name asked, best first (``rows_named``),
    on the list's page, without its pages. POSTed, so that names stay out of URLs (R13);
    opening the list is audited as its page is."""
    upload = _upload_or_404(request, code)
    find_form = ListFindForm(request.POST)
    rows: list[ListRow] = []
    found = None
    if find_form.is_valid():
        every = list(upload.rows.select_related("event", "decided_by"))
        rows, found = lists.rows_named(every, find_form.cleaned_data["find"])
    return _list_page(
        request, upload, rows, back_page="", form=RowFilterForm(), find_form=find_form, found=found
    )


def _list_page(
    request: HttpRequest, upload: ListUpload, rows: list[ListRow], **extra: Any
) -> HttpResponse:
    """A list's page showing ``rows``: its details, how far its matching is, and the rows
    with their candidates; seeing it is audited."""
    user = signed_in(request)
    record(Verb.VIEW, actor=user, request=request, obj=upload)
    context = _review_context(request, upload, rows)
    _said_in_rows(request, rows)
    context.update(
        {
            "find_form": ListFindForm(),
            "back_state": "",
            "counts": lists.with_counts(ListUpload.objects.filter(pk=upload.pk)).get(),
            **extra,
        }
    )
    if not upload.matched:
        context.update(_progress_context(request, upload))
    counts = context["counts"]
    decided = counts.confirmed_count + counts.rejected_count > 0
    context["can_correct"] = not decided and _correcting(user, upload) is not None
    return render(request, "matching/list_detail.html", context)


def _correcting(user: User, upload: ListUpload) -> Membership | None:
    """The membership by which ``user`` may correct the list's details: its
    organisation's administrators, and whoever uploaded it while they may still record
    custody events there; else None."""
    memberships = user.scope().filter(
        organisation_id=upload.organisation_id, role__in=CUSTODY_WRITERS
    )
    if upload.uploaded_by_id != user.pk:
        memberships = memberships.filter(role=Role.ADMIN)
    return memberships.order_by("pk").first()


def _a_code(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


ALREADY_DECIDED = gettext_lazy(
    "Rows of this list are decided already: its details can be corrected only while every "
    "row waits for review. Undo those decisions first."
)


def _decided(upload: ListUpload) -> bool:
    return upload.rows.exclude(state=RowState.PENDING).exists()


@role_required(*CUSTODY_WRITERS)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    """Correct a list's kind, title, date, place or city while none of its rows is
    decided: a list uploaded with the wrong date or no place could only be uploaded
    again, and every event recorded from it carried the mistake."""
    user = signed_in(request)
    upload = _upload_or_404(request, code)
    membership = _correcting(user, upload)
    if membership is None:
        raise PermissionDenied
    if _decided(upload):
        messages.error(request, ALREADY_DECIDED)
        return HttpResponseRedirect(reverse("lists:detail", kwargs={"code": upload.code}))
    initial = {field: getattr(upload, field) for field in FACTS}
    form = ListFactsForm(
        request.POST or None, user=user, membership=membership, initial=initial, upload=upload
    )
    if request.method == "POST" and form.is_valid():
        changed = [f for f in FACTS if form.cleaned_data[f] != getattr(upload, f)]
        if not changed:
            messages.info(request, _("Nothing was changed."))
            return HttpResponseRedirect(reverse("lists:detail", kwargs={"code": upload.code}))
        with transaction.atomic():
            # A confirmation holds the list locked until its row is decided (``lists.confirm``).
            locked = ListUpload.objects.select_for_update().get(pk=upload.pk)
            decided = _decided(locked)
            if not decided:
                for field in changed:
                    setattr(locked, field, form.cleaned_data[field])
                locked.save(update_fields=changed)
                record(Verb.UPDATE, actor=user, request=request, obj=locked, fields=changed)
        if decided:  # decided meanwhile: nothing changes
            messages.error(request, ALREADY_DECIDED)
            return HttpResponseRedirect(reverse("lists:detail", kwargs={"code": upload.code}))
        messages.success(request, _("The list's details are corrected."))
        return HttpResponseRedirect(reverse("lists:detail", kwargs={"code": upload.code}))
    return render(request, "matching/list_edit.html", {"form": form, "upload": upload})


@role_required(*CUSTODY_READERS)
@require_GET
def progress(request: HttpRequest, code: str) -> HttpResponse:
    """How far the list's matching is: the list page asks every few seconds while it is
    matched, and reloads itself once it is (``HX-Refresh``). Says no name: not audited."""
    upload = _upload_or_404(request, code)
    if upload.matched:
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    return render(request, "matching/list_detail.html#progress", _progress_context(request, upload))


@role_required(*CUSTODY_WRITERS)
@require_POST
def match_again(request: HttpRequest, code: str) -> HttpResponseBase:
    """Start a failed or stalled matching again, from the rows not yet matched."""
    user = signed_in(request)
    upload = _upload_or_404(request, code)
    if lists.match_again(upload):
        record(
            Verb.UPDATE,
            actor=user,
            request=request,
            obj=upload,
            fields=["match_state"],
        )
        messages.success(request, _("The list's matching starts again where it stopped."))
    else:
        messages.info(request, _("The list's matching is not stuck: nothing to start again."))
    return HttpResponseRedirect(reverse("lists:detail", kwargs={"code": upload.code}))


class _Tell:
    """Messages about one row: shown in that row wherever its page is (``_list_page``),
    not at the top of the page only, far above the row a plain form goes back to
    (found by exploratory testing, 13b: 1,800 pixels above, without JavaScript)."""

    def __init__(self, request: HttpRequest, row: ListRow) -> None:
        self.request, self.tag = request, row_tag(row)

    def _add(self, level: int, text: str) -> None:
        messages.add_message(self.request, level, text, extra_tags=self.tag)

    def success(self, text: str) -> None:
        self._add(messages.SUCCESS, text)

    def info(self, text: str) -> None:
        self._add(messages.INFO, text)

    def warning(self, text: str) -> None:
        self._add(messages.WARNING, text)

    def error(self, text: str) -> None:
        self._add(messages.ERROR, text)


def row_tag(row: ListRow) -> str:
    return f"row-{row.code}"


def _said_in_rows(request: HttpRequest, rows: list[ListRow]) -> None:
    """Each row shown its own messages (``_Tell``); the page's top shows the others."""
    shown = {row_tag(row): row for row in rows}
    for message in messages.get_messages(request):
        row = shown.get(message.extra_tags or "")
        if row is not None:
            row.said = [*getattr(row, "said", []), message]  # type: ignore[attr-defined]
            setattr(message, "in_row", True)  # noqa: B010  (a Message has no such field)


def _after_decision(request: HttpRequest, row: ListRow) -> HttpResponseBase:
    """htmx gets the row again; a plain form goes back to the page it came from."""
    if is_htmx(request):
        row.refresh_from_db()
        context = _review_context(request, row.upload, [row])
        row.said = list(messages.get_messages(request))  # type: ignore[attr-defined]
        context.update(
            {
                "row": row,
                "back_state": request.POST.get("state", ""),
                "back_page": request.POST.get("page", ""),
                "back_candidates": request.POST.get("candidates") == "on",
            }
        )
        return render(request, "matching/list_detail.html#row", context)
    # Back to the filter and page the decision was made on.
    back = {k: request.POST[k] for k in ("state", "page") if request.POST.get(k, "").isalnum()}
    if not back:  # from a search of the list by name: the page of all rows that holds it
        back["page"] = str(lists.page_of(row, PAGE_SIZE))
    elif request.POST.get("candidates") == "on":  # "Only rows with candidates": still so
        back["candidates"] = "on"
    url = reverse("lists:detail", kwargs={"code": row.upload.code})
    return HttpResponseRedirect(f"{url}{'?' + urlencode(back) if back else ''}#row-{row.code}")


def _audit_decision(request: HttpRequest, user: User, row: ListRow, fields: list[str]) -> None:
    """A decision on a row (confirm, reject, undo) is an update of the row; its fields
    (names, never values) tell which: a rejection adds "no_match", an undo "undone"."""
    record(
        Verb.UPDATE,
        actor=user,
        request=request,
        obj=row,
        organisation=row.upload.organisation,
        fields=fields,
    )


@role_required(*CUSTODY_WRITERS)
@require_POST
def confirm(request: HttpRequest, code: str) -> HttpResponseBase:
    """This candidate is the person on the list; record what the list says if ticked."""
    user = signed_in(request)
    row = _row_or_404(request, code)
    tell = _Tell(request, row)
    chosen = request.POST.get("person", "")
    try:
        person = custody_people(user, write=True).get(code=chosen)
    except (Person.DoesNotExist, ValidationError, ValueError):
        person = None
    try:
        if not chosen:
            raise lists.DecisionError(lists.CHOOSE)
        if person is None:
            # Merged since the page was shown (found by exploratory testing, 13a): said
            # so, when the reviewer may see the record kept, not "out of reach".
            kept = merged_survivor(user, chosen) if _a_code(chosen) else None
            if kept is not None and custody_people(user, write=True).filter(pk=kept.pk).exists():
                raise lists.DecisionError(
                    _(
                        "That record was merged into %(name)s's since this page was opened: "
                        "nothing was recorded. Check the row again."
                    )
                    % {"name": kept.primary_name}
                )
            # The same words for nobody at all: no code is confirmed.
            raise lists.DecisionError(lists.OUT_OF_REACH)
        outcome = lists.confirm(
            row,
            person,
            by=user,
            create_event=request.POST.get("event") == "on",
            facts=request.POST.get("facts"),
        )
    except lists.DecisionError as exc:
        said = tell.info if isinstance(exc, lists.AlreadyDecided) else tell.error
        said(str(exc))
        return _after_decision(request, row)
    _audit_decision(
        request, user, row, ["state", "person", "event"] if outcome else ["state", "person"]
    )
    if outcome is not None and outcome.created:
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=outcome.events[0],
            fields=["kind", "people", "occurred_at", "precision", "place", "source"],
        )
        for warning in outcome.warnings:
            tell.warning(warning)
    elif getattr(row, "recorded_by_line", None) is not None:
        tell.info(
            _("Line %(line)s of this list recorded that event for them already: linked to it.")
            % {"line": row.recorded_by_line},  # type: ignore[attr-defined]
        )
    tell.success(
        _("Line %(line)s is %(name)s.") % {"line": row.line, "name": person.primary_name},
    )
    return _after_decision(request, row)


@role_required(*CUSTODY_WRITERS)
@require_POST
def row_search(request: HttpRequest, code: str) -> HttpResponse:
    """A reviewer's own search for the person on a row, when its candidates do not hold
    them (the cut left out their namesakes, or the list spelt them past recognition):
    the people found are offered to confirm beside the candidates. POSTed, so that names
    stay out of URLs (R13); not audited, as the people list's search is not (opening a
    record is)."""
    user = signed_in(request)
    row = _row_or_404(request, code)
    form = RowSearchForm(request.POST)
    context = _review_context(request, row.upload, [row])
    if form.is_valid() and context["can_decide"] and row.state == RowState.PENDING:
        shown = {c.person.pk for c in row.shown_candidates}  # type: ignore[attr-defined]
        row.searched = lists.search_for_row(  # type: ignore[attr-defined]
            user, row, form.cleaned_data["q"], shown=shown
        )
    row.search_form = form  # type: ignore[attr-defined]
    context.update(
        {
            "row": row,
            "back_state": request.POST.get("state", ""),
            "back_page": request.POST.get("page", ""),
            "back_candidates": request.POST.get("candidates") == "on",
        }
    )
    if is_htmx(request):
        return render(request, "matching/list_detail.html#row", context)
    return render(request, "matching/list_row_search.html", context)


@role_required(*CUSTODY_WRITERS)
@require_POST
def reject(request: HttpRequest, code: str) -> HttpResponseBase:
    """Nobody among the candidates is the person on the list."""
    user = signed_in(request)
    row = _row_or_404(request, code)
    tell = _Tell(request, row)
    try:
        lists.reject(row, by=user)
    except lists.DecisionError as exc:
        said = tell.info if isinstance(exc, lists.AlreadyDecided) else tell.error
        said(str(exc))
        return _after_decision(request, row)
    _audit_decision(request, user, row, ["state", "no_match"])
    tell.success(_("Line %(line)s: no match.") % {"line": row.line})
    return _after_decision(request, row)


@role_required(*CUSTODY_WRITERS)
@require_POST
def undo(request: HttpRequest, code: str) -> HttpResponseBase:
    """Send a decided row back to review; the event its confirmation recorded is retracted."""
    user = signed_in(request)
    row = _row_or_404(request, code)
    tell = _Tell(request, row)
    decided = {"state": row.state, "person": row.person_id, "event": row.event_id}
    try:
        done = lists.undo(row, by=user)
    except lists.DecisionError as exc:
        said = tell.info if isinstance(exc, lists.AlreadyDecided) else tell.error
        said(str(exc))
        return _after_decision(request, row)
    # "undone": told apart from the decision it undoes, which changed the same fields.
    _audit_decision(
        request, user, row, [*(field for field, value in decided.items() if value), "undone"]
    )
    tell.success(_("Line %(line)s is back to review.") % {"line": row.line})
    if done.event is not None and done.retracted:
        record(
            Verb.UPDATE,
            actor=user,
            request=request,
            obj=done.event,
            fields=["retracted_at", "retraction_reason"],
        )
        tell.success(
            _("The “%(kind)s” event it recorded is retracted.")
            % {"kind": done.event.get_kind_display()},
        )
    elif done.shared_with is not None:
        tell.info(
            _("Its event is kept: line %(line)s of this list records it too.")
            % {"line": done.shared_with},
        )
    elif done.already_retracted:
        tell.info(_("The event it recorded had already been retracted."))
    elif done.corrected:
        tell.warning(
            _(
                "The event it recorded was corrected since, so it is kept. Retract it on "
                "its page if it did not happen."
            ),
        )
    return _after_decision(request, row)


@role_required(*CUSTODY_READERS)
@require_GET
def download(request: HttpRequest, code: str) -> HttpResponseBase:
    """The list as uploaded, as an attachment; every download is audited."""
    user = signed_in(request)
    return download_stored(request, actor=user, stored=_upload_or_404(request, code))
