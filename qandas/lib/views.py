"""Views that belong to no domain (health check, error pages) and what every view shares."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request: the view then answers with a fragment."""
    return request.headers.get("HX-Request") == "true"


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token: say so, and change nothing."""
    return render(request, "403_csrf.html", status=403)


@csrf_exempt
@login_not_required
def api_not_found(request: HttpRequest) -> HttpResponse:
    """An API path that does not exist answers in JSON like every other API error."""
    return JsonResponse({"detail": gettext("No such API endpoint.")}, status=404)
