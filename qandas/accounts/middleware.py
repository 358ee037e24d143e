"""Second factor enforcement, session lifetime and the user's time zone."""

import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_STARTED_AT = "started_at"

# Pages a signed-in user may reach before passing the second factor.
SECOND_FACTOR_OPEN = (
    "/accounts/two-factor/",
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/api/",
)


class SecondFactorMiddleware:
    """Hold back users who owe a second factor.

    Anyone with a confirmed authenticator must enter its code after the password;
    members of an organisation that requires a second factor must first enrol one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(SECOND_FACTOR_OPEN)
            and not user.is_verified()  # type: ignore[attr-defined]
        ):
            from django_otp import user_has_device

            if user_has_device(user, confirmed=True):
                return redirect(reverse("accounts:verify") + "?next=" + request.path)
            if user.needs_second_factor():
                return redirect("accounts:two_factor")
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Sessions end after 30 idle minutes (settings) and 8 hours at most (here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED_AT, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Times are stored in UTC and shown in the user's zone (Asia/Karachi by default)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(request.user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
