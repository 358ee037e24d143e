"""Pages for a person's documents: add, edit, upload a scan, download a scan."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qandas.accounts.models import Role
from qandas.audit.disclosure import download_stored
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.documents.forms import DocumentForm, ScanForm
from qandas.documents.models import Document, Scan
from qandas.lib.access import editable_or_404, role_required, signed_in, visible_or_404
from qandas.people.merged import follows_merge
from qandas.people.models import Person

# Who may read documents and scans (DESIGN section 1); writes need editable_by as well.
READERS = (Role.COORDINATOR, Role.LAWYER, Role.LIAISON, Role.ADMIN)


def person_url(person: Person) -> str:
    """The person's page, where their documents are listed."""
    try:
        return reverse("people:detail", kwargs={"code": person.code})
    except NoReverseMatch:  # the people pages arrive in a parallel change
        return f"/people/{person.code}/"


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
@follows_merge
def create(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    person = editable_or_404(Person, user, code)
    document = Document(person=person, organisation=person.organisation, created_by=user)
    form = DocumentForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(Verb.CREATE, actor=user, request=request, obj=document, fields=form.changed_data)
        messages.success(request, _("Document added."))
        return HttpResponseRedirect(person_url(person))
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "person": person, "document": None, "cancel_url": person_url(person)},
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    document = editable_or_404(Document, user, code)
    form = DocumentForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(Verb.UPDATE, actor=user, request=request, obj=document, fields=form.changed_data)
        messages.success(request, _("Document saved."))
        return HttpResponseRedirect(person_url(document.person))
    return render(
        request,
        "documents/document_form.html",
        {
            "form": form,
            "person": document.person,
            "document": document,
            "cancel_url": person_url(document.person),
        },
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def scan_upload(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    document = editable_or_404(Document, user, code)
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document.add_scan(form.cleaned_data["file"], by=user, request=request)
        messages.success(request, _("Scan uploaded."))
        return HttpResponseRedirect(person_url(document.person))
    return render(
        request,
        "documents/scan_form.html",
        {
            "form": form,
            "person": document.person,
            "document": document,
            "cancel_url": person_url(document.person),
        },
    )


@role_required(*READERS)
@require_GET
def scan_download(request: HttpRequest, code: str) -> HttpResponseBase:
    """Send a scan as an attachment; every download is audited."""
    user = signed_in(request)
    scan = visible_or_404(Scan, user, code)
    return download_stored(request, actor=user, stored=scan)
