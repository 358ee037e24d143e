"""Middleware that applies to every app."""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from qandas.lib.views import is_htmx

# Paths that authenticate themselves (bearer tokens) or are public by nature.
SELF_AUTHENTICATING_PREFIXES = ("/api/",)


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Every page needs a signed-in user unless its view says otherwise (fail closed).

    The API authenticates with bearer tokens instead and answers 401 in JSON.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith(SELF_AUTHENTICATING_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request: HttpRequest, view_func: Callable[..., Any]) -> Any:
        """A request htmx sent (a list page polling its progress, a row's decision)
        whose session has ended sends the whole page to sign in, and back to the page
        after (``HX-Redirect``): redirected as usual, htmx would put the sign-in page
        inside the page, and signing in there would land on the bare fragment."""
        if not is_htmx(request):
            return super().handle_no_permission(request, view_func)
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        # A path on this site only ("//host" would be another's; the login view checks too).
        page = current.path if current.path.startswith("/") and current.path[1:2] != "/" else "/"
        if current.query:
            page += "?" + current.query
        login = resolve_url(self.get_login_url(view_func))
        redirected = HttpResponse()
        field = self.get_redirect_field_name(view_func)
        redirected["HX-Redirect"] = f"{login}?{urlencode({field: page})}"
        return redirected


class NoStoreMiddleware:
    """Pages may hold names and places of detention: never keep them in a cache.

    A seized laptop's browser cache must not hold what its user saw (security R12).
    Static assets are served before this runs (WhiteNoise) and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response


class BadInputMiddleware:
    """Requests refused before anything reads them (found by exploratory testing, 10a).

    - A body larger than ``REQUEST_MAX_BYTES`` (twice the largest upload, so that a file
      somewhat too large still gets its form's own message), or an API body that is not
      a file larger than Django reads into memory: 413. The CSRF check reads
      a POST's body before the sign-in check runs, so anyone, signed in or not, could
      make the server write hundreds of megabytes to the private store's disk.
    - An API request with a NUL character in a query parameter or its body: 422.
      PostgreSQL cannot store one, and its error was a 500 (the web's forms refuse it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path_info.startswith(SELF_AUTHENTICATING_PREFIXES)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = (request.content_type or "").startswith("multipart/")
        # An API body that is not a file is read whole into memory: past Django's limit
        # it raised RequestDataTooBig, a 500.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if api and not multipart else None
        if length > settings.REQUEST_MAX_BYTES or (limit and length > limit):
            with translation.override(translation.get_language_from_request(request)):
                said = _("The request is too large: a file may be at most %(mb)s MB.") % {
                    "mb": settings.UPLOAD_MAX_BYTES // 2**20
                }
                if api:
                    return JsonResponse({"detail": said}, status=413)
                back = _("Back to the start page")
            page = format_html('<p>{}</p><p><a href="/">{}</a></p>', said, back)
            return HttpResponse(page, status=413)
        if api and (_nul_in(list(request.GET.lists())) or _nul_in_body(request, multipart)):
            said = _("A value holds a NUL character (U+0000), which no value may have.")
            return JsonResponse({"detail": said}, status=422)
        return self.get_response(request)


def _nul_in(value: Any) -> bool:
    """Whether a NUL character is in ``value`` (a string, or strings within lists and
    dictionaries, keys too)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(k) or _nul_in(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_nul_in(v) for v in value)
    return False


def _nul_in_body(request: HttpRequest, multipart: bool) -> bool:
    """Whether an API request's body holds a NUL character: in a form's fields (a file's
    bytes may), or anywhere in any other body, JSON's escape ``\\u0000`` too. The API
    reads a body as JSON whatever type it is sent as (``text/plain`` too)."""
    if multipart:
        return _nul_in(list(request.POST.lists()))
    body = request.body
    if b"\x00" in body:
        return True
    try:
        return _nul_in(json.loads(body))
    except ValueError:
        return False  # for the API to refuse as it does


class ApiErrorMiddleware:
    """Every 4xx from the API carries a JSON message, including the ones Django makes.

    django-ninja answers its own errors in JSON; a wrong method (405) or a CSRF
    refusal comes from Django with an empty or HTML body, which this replaces.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path_info.startswith(SELF_AUTHENTICATING_PREFIXES)
            and 400 <= response.status_code < 500
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replacement = JsonResponse(
                {
                    "detail": _("%(status)s %(reason)s.")
                    % {
                        "status": response.status_code,
                        "reason": response.reason_phrase,
                    }
                },
                status=response.status_code,
            )
            for header in ("Allow", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


class RefusalAuditMiddleware:
    """Every refusal of the access gate in a page's view is recorded (security R27):
    ``PermissionDenied`` and objects outside the user's scope (``access.Hidden``). The
    API records its own (``qandas.api``), ninja handling its views' exceptions itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from qandas.audit.record import refused

        refused(request, exception)
