"""Every act that lets data leave its masked or stored form goes through here.

Revealing a masked field, downloading a file and (later) exporting are each one
function, which records the audit event; a later issue adds step-up checks and
two-person approval in these same places.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from qandas.audit.models import Verb
from qandas.audit.record import record

if TYPE_CHECKING:
    from qandas.accounts.models import Organisation, User
    from qandas.lib.stored import StoredFile


def reveal(request: HttpRequest, *, actor: User, obj: models.Model, fields: Iterable[str]) -> None:
    """Record that ``actor`` deliberately unmasked ``fields`` of ``obj``."""
    record(Verb.REVEAL, actor=actor, request=request, obj=obj, fields=fields)


def download(
    request: HttpRequest,
    *,
    actor: User,
    obj: models.Model,
    path: Path,
    filename: str,
    content_type: str,
) -> FileResponse:
    """Send a stored file as an attachment, never rendered inline, and audit it."""
    record(Verb.DOWNLOAD, actor=actor, request=request, obj=obj)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def show_image(
    request: HttpRequest,
    *,
    actor: User,
    obj: models.Model,
    field: str,
    path: Path,
    content_type: str,
) -> FileResponse:
    """Send a stored, re-encoded image for display in a page (a person's photo), audited.

    Only images that passed ``lib.files.clean_upload`` are stored, so showing one
    inline is safe; the headers still forbid sniffing and scripts.
    """
    record(Verb.VIEW, actor=actor, request=request, obj=obj, fields=[field])
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def export(
    request: HttpRequest,
    *,
    actor: User,
    obj: models.Model | None,
    content: bytes,
    filename: str,
    content_type: str,
    fields: Iterable[str],
    organisation: Organisation | None = None,
) -> HttpResponse:
    """Every export of personal data leaves the application here, and only here.

    It records who exported what (the object and the columns, never the values) and
    sends the file as an attachment. Two-person approval and encryption to named
    recipients (security.md R3, R26) are to be added in this one place.
    """
    record(
        Verb.EXPORT,
        actor=actor,
        request=request,
        obj=obj,
        organisation=organisation,
        fields=fields,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def download_stored(request: HttpRequest, *, actor: User, stored: StoredFile) -> FileResponse:
    """Send a stored file (a scan, an attachment) through ``download``; 404 if it is gone."""
    path = stored.path
    if not path.is_file():
        raise Http404
    return download(
        request,
        actor=actor,
        obj=stored,
        path=path,
        filename=stored.download_name,
        content_type=stored.content_type,
    )
