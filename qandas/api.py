"""The API under /api/v1/: bearer tokens, the same access gate, JSON errors."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from qandas.accounts.api import AuthenticationFailed, BearerToken
from qandas.accounts.api import router as accounts_router
from qandas.applications.api import router as applications_router
from qandas.audit.api import router as audit_router
from qandas.audit.record import refused
from qandas.correspondence.api import router as correspondence_router
from qandas.documents.api import router as documents_router
from qandas.incidents.api import router as incidents_router
from qandas.people.api import router as people_router

api = NinjaAPI(
    title="Qandas API",
    version="1",
    description=(
        "Every call takes `Authorization: Bearer TOKEN` (a token from "
        "`manage.py issue_token`). Lists answer `{count, results}` and take `limit` "
        "and `offset`; a query parameter an endpoint does not list answers 422. A role "
        "that may not use an endpoint gets 403; a record you may "
        "not see is 404, the same as one that does not exist."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    docs_url=None,
)
api.add_router("", accounts_router)
api.add_router("", audit_router)
api.add_router("", people_router)
api.add_router("", documents_router)
api.add_router("", incidents_router)
api.add_router("", applications_router)
api.add_router("", correspondence_router)


@api.exception_handler(AuthenticationFailed)
def authentication_failed(request: HttpRequest, exc: AuthenticationFailed) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="qandas"'
    return response


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return authentication_failed(request, AuthenticationFailed(_("Authentication required.")))


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    refused(request, exc)
    return api.create_response(
        request, {"detail": _("Your role may not use this endpoint.")}, status=403
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    refused(request, exc)
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in error.get('loc', ()))}: {error.get('msg', '')}"
        for error in exc.errors
    )
    return api.create_response(
        request,
        {"detail": _("Invalid input: %s") % problems, "errors": exc.errors},
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
