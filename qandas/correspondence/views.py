"""Letters, their threads and scans; promises and their slips; accountability timelines.

Coordinators read; liaisons and admins read and write (``Letter.objects.visible_to``
and ``editable_by``). Lawyers and analysts are refused; another organisation's
record is a 404, the same as a missing one. Every write is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qandas.accounts.models import Organisation, User
from qandas.applications.models import READERS, WRITERS, Authority, Official
from qandas.audit.disclosure import download_stored, export
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.correspondence import timeline
from qandas.correspondence.forms import (
    KeepForm,
    LetterFilterForm,
    LetterForm,
    MeetingPromiseForm,
    PromiseFilterForm,
    PromiseForm,
    ScanForm,
    SlipForm,
    TimelineForm,
)
from qandas.correspondence.models import Letter, LetterScan, Promise, Slip
from qandas.lib.access import editable_or_404, role_required, signed_in, visible_or_404
from qandas.people.models import Person


def form_errors(form: Any, exc: ValidationError) -> None:
    """Put a model-level refusal on the form's fields, or on the form as a whole."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def writing_organisation(user: User) -> Organisation:
    """The organisation a new letter or promise belongs to: the user's as a writer."""
    membership = user.scope().filter(role__in=WRITERS).select_related("organisation").first()
    if membership is None:
        raise PermissionDenied
    return membership.organisation


def can_write(user: User, obj: Letter | Promise) -> bool:
    return type(obj).objects.editable_by(user).filter(pk=obj.pk).exists()


# Letters ----------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def letter_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = LetterFilterForm(request.GET or None, user=user)
    letters = Letter.objects.visible_to(user).select_related("authority", "official", "reply_to")
    if form.is_valid():
        if form.cleaned_data["authority"]:
            letters = letters.filter(authority=form.cleaned_data["authority"])
        if form.cleaned_data["direction"]:
            letters = letters.filter(direction=form.cleaned_data["direction"])
    page = Paginator(letters, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "correspondence/letters.html",
        {"form": form, "page": page, "can_write": user.has_role(*WRITERS)},
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def letter_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    letter = Letter(organisation=writing_organisation(user), created_by=user)
    parent = None
    if request.method == "POST":
        form = LetterForm(request.POST, instance=letter, user=user)
        if form.is_valid():
            with transaction.atomic():
                form.save()
                form.save_links()
                record(
                    Verb.CREATE,
                    actor=user,
                    request=request,
                    obj=letter,
                    fields=[*form.changed_data, "organisation"],
                )
            messages.success(request, _("Letter recorded."))
            return redirect("correspondence:letter", code=letter.code)
        parent = form.instance.reply_to if "reply_to" not in form.errors else None
    else:
        initial: dict[str, Any] = {"dated_on": timezone.localdate()}
        code = request.GET.get("reply_to")
        if code:
            parent = _own_letter(user, letter.organisation, code)
            if parent is None:
                messages.error(request, _("That letter is not one of your organisation's."))
            else:
                initial.update(
                    reply_to=parent.code,
                    authority=parent.authority.code,
                    official=parent.official.code if parent.official else None,
                    direction="in" if parent.direction == "out" else "out",
                    subject=_("Re: %(subject)s") % {"subject": parent.subject},
                    applications=[a.code for a in parent.applications.all()],
                    batches=[b.code for b in parent.batches.all()],
                    people=[p.code for p in parent.people.all()],
                )
        form = LetterForm(instance=letter, user=user, initial=initial)
    return render(
        request, "correspondence/letter_form.html", {"form": form, "letter": None, "parent": parent}
    )


def _own_letter(user: User, organisation: Organisation, code: str) -> Letter | None:
    try:
        return Letter.objects.visible_to(user).filter(organisation=organisation, code=code).first()
    except (ValidationError, ValueError):
        return None


@role_required(*READERS)
@require_GET
def letter_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    letter = visible_or_404(Letter, user, code)
    record(Verb.VIEW, actor=user, request=request, obj=letter)
    thread = letter.thread()
    promises = (
        Promise.objects.visible_to(user)
        .filter(letter__in=[t.pk for t in thread])
        .select_related("official", "letter")
        .with_state()
    )
    slips = Slip.objects.filter(letter=letter).select_related("promise")
    return render(
        request,
        "correspondence/letter_detail.html",
        {
            "letter": letter,
            "thread": thread,
            "promises": promises,
            "slips": slips,
            "scans": letter.scans.all(),
            "people": Person.objects.visible_to(user)
            .filter(pk__in=letter.people.values("pk"))
            .prefetch_related("names"),
            "applications": letter.applications.visible_to(user).select_related("authority"),
            "batches": letter.batches.visible_to(user),
            "can_write": can_write(user, letter),
        },
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def letter_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    letter = editable_or_404(Letter, user, code)
    form = LetterForm(request.POST or None, instance=letter, user=user, replying=False)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            form.save_links()
            record(Verb.UPDATE, actor=user, request=request, obj=letter, fields=form.changed_data)
        messages.success(request, _("Letter saved."))
        return redirect("correspondence:letter", code=letter.code)
    return render(
        request,
        "correspondence/letter_form.html",
        {"form": form, "letter": letter, "parent": letter.reply_to},
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def scan_upload(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    letter = editable_or_404(Letter, user, code)
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            scan = LetterScan.store(form.cleaned_data["file"], by=user, letter=letter)
            record(
                Verb.CREATE,
                actor=user,
                request=request,
                obj=scan,
                fields=["display_name", "content_type", "size"],
            )
        messages.success(request, _("Scan uploaded."))
        return redirect("correspondence:letter", code=letter.code)
    return render(request, "correspondence/scan_form.html", {"form": form, "letter": letter})


@role_required(*READERS)
@require_GET
def scan_download(request: HttpRequest, code: str) -> HttpResponseBase:
    """Send a scan as an attachment; every download is audited."""
    user = signed_in(request)
    scan = visible_or_404(LetterScan, user, code)
    return download_stored(request, actor=user, stored=scan)


# Promises ---------------------------------------------------------------------------------


def _promise_saved(request: HttpRequest, user: User, form: PromiseForm) -> Promise:
    with transaction.atomic():
        promise = form.save()
        form.save_links()
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=promise,
            fields=[*form.changed_data, "authority", "letter"],
        )
    messages.success(request, _("Promise recorded."))
    return promise


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def promise_from_letter(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    letter = editable_or_404(Letter, user, code)
    promise = Promise(
        organisation=letter.organisation,
        authority=letter.authority,
        letter=letter,
        official=letter.official,
        created_by=user,
    )
    initial = {
        "made_on": letter.dated_on,
        "official": letter.official.code if letter.official else None,
        "due_precision": "day",
    }
    form = PromiseForm(request.POST or None, instance=promise, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        _promise_saved(request, user, form)
        return redirect("correspondence:letter", code=letter.code)
    return render(request, "correspondence/promise_form.html", {"form": form, "letter": letter})


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def promise_from_meeting(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    promise = Promise(organisation=writing_organisation(user), created_by=user)
    form = MeetingPromiseForm(
        request.POST or None, instance=promise, user=user, initial={"due_precision": "day"}
    )
    if request.method == "POST" and form.is_valid():
        promise = _promise_saved(request, user, form)
        return redirect("correspondence:promise", code=promise.code)
    return render(request, "correspondence/promise_form.html", {"form": form, "letter": None})


@role_required(*READERS)
@require_GET
def promise_list(request: HttpRequest) -> HttpResponse:
    """Broken and due-soon promises first, each with how late and how often it slipped."""
    user = signed_in(request)
    form = PromiseFilterForm(request.GET or None)
    promises = (
        Promise.objects.visible_to(user)
        .select_related("authority", "official", "letter")
        .worst_first()
    )
    if form.is_valid() and form.cleaned_data["state"]:
        promises = promises.filter(current_state=form.cleaned_data["state"])  # type: ignore[misc]
    page = Paginator(promises, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "correspondence/promises.html",
        {"form": form, "page": page, "can_write": user.has_role(*WRITERS)},
    )


def promise_context(user: User, promise: Promise, **forms: Any) -> dict[str, Any]:
    writable = can_write(user, promise)
    if writable and promise.kept_on is None:
        forms.setdefault("slip_form", SlipForm(promise=promise))
        forms.setdefault("keep_form", KeepForm(initial={"kept_on": timezone.localdate()}))
    return {
        "promise": promise,
        "slips": promise.slips.select_related("letter", "by"),
        "applications": promise.applications.visible_to(user).select_related("authority"),
        "batches": promise.batches.visible_to(user),
        "can_write": writable,
        **forms,
    }


@role_required(*READERS)
@require_GET
def promise_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    promise = visible_or_404(Promise, user, code)
    return render(request, "correspondence/promise_detail.html", promise_context(user, promise))


@role_required(*WRITERS)
@require_POST
def promise_slip(request: HttpRequest, code: str) -> HttpResponse:
    """Record a new date for the promise: the old one is kept as a slip."""
    user = signed_in(request)
    promise = editable_or_404(Promise, user, code)
    form = SlipForm(request.POST, promise=promise)
    if form.is_valid():
        data = form.cleaned_data
        try:
            slip = promise.slip(
                data["due_on"],
                precision=data["due_precision"],
                by=user,
                letter=data["letter"],
                quote=data["quote"],
                on=data["given_on"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            record(
                Verb.UPDATE,
                actor=user,
                request=request,
                obj=promise,
                fields=["due_on", "due_precision", "slip_count"],
            )
            messages.success(
                request,
                _("New date recorded: %(due)s. The old one is kept.")
                % {"due": timeline.due_text(slip.new_due_on, slip.new_precision)},
            )
            return redirect("correspondence:promise", code=promise.code)
    return render(
        request,
        "correspondence/promise_detail.html",
        promise_context(user, promise, slip_form=form),
        status=422,
    )


@role_required(*WRITERS)
@require_POST
def promise_keep(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    promise = editable_or_404(Promise, user, code)
    form = KeepForm(request.POST)
    if form.is_valid():
        try:
            promise.keep(form.cleaned_data["kept_on"], by=user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            record(Verb.UPDATE, actor=user, request=request, obj=promise, fields=["kept_on"])
            messages.success(request, _("Marked as kept."))
            return redirect("correspondence:promise", code=promise.code)
    return render(
        request,
        "correspondence/promise_detail.html",
        promise_context(user, promise, keep_form=form),
        status=422,
    )


# Timelines --------------------------------------------------------------------------------


def _timeline(
    request: HttpRequest, user: User, authority: Authority, official: Official | None
) -> HttpResponse:
    form = TimelineForm(request.GET or None)
    with_names = form.is_valid() and form.cleaned_data["names"]
    built = timeline.build(user, authority=authority, official=official, with_names=with_names)
    context = {"timeline": built, "form": form, "counts": built.counts()}
    obj: Authority | Official = official or authority
    if request.GET.get("pdf"):
        import weasyprint  # type: ignore[import-untyped]

        html = render_to_string("correspondence/timeline_pdf.html", context, request=request)
        pdf = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        assert pdf is not None
        fields = ["letters", "promises", "slips"] + (["names"] if with_names else [])
        return export(
            request,
            actor=user,
            obj=obj,
            content=pdf,
            filename=f"timeline-{obj.code}.pdf",
            content_type="application/pdf",
            fields=fields,
            organisation=authority.organisation,
        )
    record(Verb.VIEW, actor=user, request=request, obj=obj, organisation=authority.organisation)
    return render(request, "correspondence/timeline.html", context)


@role_required(*READERS)
@require_GET
def authority_timeline(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    authority = visible_or_404(Authority, user, code)
    return _timeline(request, user, authority, None)


@role_required(*READERS)
@require_GET
def official_timeline(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    official = visible_or_404(Official, user, code)
    return _timeline(request, user, official.authority, official)
