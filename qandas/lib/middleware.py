"""Middleware that applies to every app."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
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
