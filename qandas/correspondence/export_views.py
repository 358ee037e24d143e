"""Downloads of a batch for the embassy: a liaison's or an admin's act, always audited.

Coordinators may read applications, but a list of people's personal data leaving
the application is for liaisons and admins only (403 for everyone else; 404 for
another organisation's batch, as if it did not exist). Every file goes through
``disclosure.export``, which records the export with the batch and the columns.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from qandas.accounts.models import Role
from qandas.applications.models import Batch
from qandas.audit import disclosure
from qandas.correspondence import exports
from qandas.lib.access import editable_or_404, role_required, signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _filename(batch: Batch, extension: str) -> str:
    """``batch-1a2b3c4d.xlsx``: never a person's name, nor the batch's."""
    return f"batch-{batch.code.hex[:8]}.{extension}"


@require_safe
@role_required(Role.LIAISON, Role.ADMIN)
def batch_xlsx(request: HttpRequest, code: UUID) -> HttpResponse:
    user = signed_in(request)
    batch = editable_or_404(Batch, user, code)
    content = exports.to_xlsx(exports.batch_rows(batch))
    return disclosure.export(
        request,
        actor=user,
        obj=batch,
        content=content,
        filename=_filename(batch, "xlsx"),
        content_type=XLSX,
        fields=exports.COLUMNS,
    )


@require_safe
@role_required(Role.LIAISON, Role.ADMIN)
def batch_pdf(request: HttpRequest, code: UUID) -> HttpResponse:
    user = signed_in(request)
    batch = editable_or_404(Batch, user, code)
    content = exports.to_pdf(exports.batch_rows(batch), batch.name)
    return disclosure.export(
        request,
        actor=user,
        obj=batch,
        content=content,
        filename=_filename(batch, "pdf"),
        content_type=PDF,
        fields=exports.COLUMNS,
    )
