"""API for the documents app: a person's papers and their scans."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Query, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from qandas.audit.disclosure import download_stored
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.documents.models import Document, DocumentKind, DocumentStatus, Respected, Scan
from qandas.documents.views import READERS
from qandas.lib.access import editable_or_404, signed_in, visible_or_404
from qandas.lib.api import Body, Error, Page, Router, api_role_required
from qandas.lib.files import clean_upload
from qandas.people.models import Person

router = Router(tags=["documents"])

EDITABLE = ("kind", "number", "issuer", "issued_on", "valid_until", "status", "respected_at_arrest")


class ScanOut(Schema):
    code: UUID
    display_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class DocumentOut(Schema):
    code: UUID
    person: UUID
    kind: DocumentKind
    number: str
    issuer: str
    issued_on: date | None
    valid_until: date | None
    status: DocumentStatus
    respected_at_arrest: Respected
    is_expired: bool
    scans: list[ScanOut]

    @staticmethod
    def resolve_person(obj: Document) -> UUID:
        return obj.person.code

    @staticmethod
    def resolve_scans(obj: Document) -> list[Scan]:
        return list(obj.scans.all())


class DocumentIn(Body):
    person: UUID
    kind: DocumentKind
    number: str = Field("", max_length=100)
    issuer: str = Field("", max_length=200)
    issued_on: date | None = None
    valid_until: date | None = None
    status: DocumentStatus = DocumentStatus.UNVERIFIED
    respected_at_arrest: Respected = Respected.UNKNOWN


class DocumentPatch(Body):
    kind: DocumentKind | None = None
    number: str | None = Field(None, max_length=100)
    issuer: str | None = Field(None, max_length=200)
    issued_on: date | None = None
    valid_until: date | None = None
    status: DocumentStatus | None = None
    respected_at_arrest: Respected | None = None


class DocumentFilter(Schema):
    person: UUID | None = None


def _documents() -> Any:
    return Document.objects.select_related("person").prefetch_related("scans")


def _validate(document: Document) -> None:
    """The model's own rules (choices, lengths, dates) on the fields the API sets."""
    others = [f.name for f in Document._meta.fields if f.name not in EDITABLE]
    document.full_clean(exclude=others, validate_unique=False)


def _invalid(exc: ValidationError) -> Status:
    return Status(422, {"detail": " ".join(exc.messages)})


@router.get("/documents", response={200: list[DocumentOut], 401: Error, 403: Error})
@api_role_required(*READERS)
@paginate(Page)
def list_documents(request: HttpRequest, filters: Query[DocumentFilter]) -> Any:
    """Documents of the people you may see; ``person=CODE`` for one person's."""
    documents = _documents().visible_to(signed_in(request))
    if filters.person is not None:
        documents = documents.filter(person__code=filters.person)
    return documents.order_by("person", "kind", "-issued_on", "pk")


@router.post(
    "/documents",
    response={201: DocumentOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*READERS)
def create_document(request: HttpRequest, payload: DocumentIn) -> Any:
    """Record a document of a person whose records you may change."""
    user = signed_in(request)
    person = editable_or_404(Person, user, payload.person)
    document = Document(
        person=person,
        organisation=person.organisation,
        created_by=user,
        **payload.dict(include=set(EDITABLE)),
    )
    try:
        _validate(document)
    except ValidationError as exc:
        return _invalid(exc)
    with transaction.atomic():
        document.save()
        changed = [f for f in EDITABLE if f in payload.dict(exclude_unset=True)]
        record(Verb.CREATE, actor=user, request=request, obj=document, fields=changed)
    return Status(201, _documents().get(pk=document.pk))


@router.get("/documents/{code}", response={200: DocumentOut, 401: Error, 403: Error, 404: Error})
@api_role_required(*READERS)
def get_document(request: HttpRequest, code: UUID) -> Any:
    return visible_or_404(Document, signed_in(request), code)


@router.patch(
    "/documents/{code}",
    response={200: DocumentOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*READERS)
def update_document(request: HttpRequest, code: UUID, payload: DocumentPatch) -> Any:
    """Change some fields of a document; fields you leave out stay as they are."""
    user = signed_in(request)
    document = editable_or_404(Document, user, code)
    changed = []
    for field, value in payload.dict(exclude_unset=True).items():
        if getattr(document, field) != value:
            setattr(document, field, value)
            changed.append(field)
    try:
        _validate(document)
    except ValidationError as exc:
        return _invalid(exc)
    with transaction.atomic():
        if changed:
            document.save(update_fields=[*changed, "updated_at"])
        record(Verb.UPDATE, actor=user, request=request, obj=document, fields=changed)
    return _documents().get(pk=document.pk)


@router.post(
    "/documents/{code}/scans",
    response={201: ScanOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
@api_role_required(*READERS)
def upload_scan(
    request: HttpRequest,
    code: UUID,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Upload a PDF, JPEG or PNG (multipart field ``file``); it is cleaned before storing."""
    user = signed_in(request)
    document = editable_or_404(Document, user, code)
    if file is None:
        return Status(400, {"detail": _("Send the file as the multipart form field “file”.")})
    try:
        clean = clean_upload(file)
    except ValidationError as exc:
        return Status(400, {"detail": " ".join(exc.messages)})
    return Status(201, document.add_scan(clean, by=user, request=request))


@router.get("/scans/{code}/download", response={401: Error, 403: Error, 404: Error})
@api_role_required(*READERS)
def download_scan(request: HttpRequest, code: UUID) -> HttpResponseBase:
    """The scan's file, as an attachment. Every download is audited."""
    user = signed_in(request)
    scan = visible_or_404(Scan, user, code)
    return download_stored(request, actor=user, stored=scan)
