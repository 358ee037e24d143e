"""Sign-in, second factor, API tokens and organisation administration."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import make_password
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from qandas.accounts.forms import (
    MembershipForm,
    NewApiTokenForm,
    OrganisationSettingsForm,
    SignInForm,
    TokenForm,
)
from qandas.accounts.models import ApiToken, Membership, Organisation, Role, User
from qandas.audit.models import Outcome, Verb
from qandas.audit.record import record
from qandas.lib.access import editable_or_404, role_required, signed_in

sign_in = LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=SignInForm,
    redirect_authenticated_user=True,
)


@login_not_required
def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What django-axes answers for a locked (username, address) pair.

    The same page, status and message as a wrong password. A password hash is
    computed anyway so the answer takes as long as a real check.
    """
    make_password(request.POST.get("password", ""))
    form = SignInForm.refused(request, request.POST.get("username", "")[:150])
    return render(request, "accounts/login.html", {"form": form}, status=200)


@login_not_required
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    response = redirect("accounts:login")
    # Leave nothing behind in a browser that may be seized.
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    memberships = list(user.scope().select_related("organisation").prefetch_related("cities"))
    return render(
        request,
        "accounts/home.html",
        {"memberships": memberships, "roles": {m.role for m in memberships}, "Role": Role},
    )


# Second factor ---------------------------------------------------------------------


def _pending_device(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code, type what it shows."""
    user = signed_in(request)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if confirmed:
        return render(request, "accounts/two_factor.html", {"confirmed": True})
    device = _pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record(Verb.SECOND_FACTOR, actor=user, request=request, obj=user, fields=["enrolled"])
            messages.success(request, _("Your authenticator app is set up."))
            return redirect("home")
        form.add_error("token", _("That code is not right. Codes change every 30 seconds."))
    return render(
        request,
        "accounts/two_factor.html",
        {"confirmed": False, "form": form, "secret": _base32(device)},
    )


@require_GET
def two_factor_qr(request: HttpRequest) -> HttpResponse:
    """The enrolment QR code as SVG (an image from our own origin, so the CSP holds)."""
    device = _pending_device(signed_in(request))
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return HttpResponse(svg, content_type="image/svg+xml")


def _base32(device: TOTPDevice) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the code from the authenticator app."""
    user = signed_in(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            record(Verb.SECOND_FACTOR, actor=user, request=request, obj=user)
            return redirect(next_url)
        record(Verb.SECOND_FACTOR, actor=user, request=request, obj=user, outcome=Outcome.FAILURE)
        form.add_error("token", _("That code is not right. Codes change every 30 seconds."))
    return render(request, "accounts/verify.html", {"form": form, "next": next_url})


# API tokens ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens; issue a new one (its secret is shown once)."""
    user = signed_in(request)
    mine = user.scope()
    form = NewApiTokenForm(request.POST or None, memberships=mine)
    raw = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            token, raw = ApiToken.issue(
                form.cleaned_data["membership"], by=user, label=form.cleaned_data["label"]
            )
            record(Verb.ISSUE_TOKEN, actor=user, request=request, obj=token)
        form = NewApiTokenForm(memberships=mine)
    listed = (
        ApiToken.objects.visible_to(user)
        .filter(membership__user=user)
        .select_related("membership__organisation")
    )
    return render(
        request, "accounts/tokens.html", {"tokens": listed, "form": form, "new_token": raw}
    )


@require_POST
def revoke_token(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    token = editable_or_404(ApiToken, user, code)
    if token.revoke(by=user):
        record(Verb.REVOKE_TOKEN, actor=user, request=request, obj=token)
        messages.success(request, _("The token is revoked; it no longer opens the API."))
    else:
        messages.info(request, _("That token was already revoked."))
    return redirect("accounts:tokens")


# Organisation administration ------------------------------------------------------------


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    organisation = editable_or_404(Organisation, user, code)
    form = OrganisationSettingsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(
                Verb.UPDATE, actor=user, request=request, obj=organisation, fields=form.changed_data
            )
        messages.success(request, _("Settings saved."))
        return redirect("accounts:organisation", code=organisation.code)
    members = (
        Membership.objects.visible_to(user)
        .filter(organisation=organisation)
        .select_related("user")
        .prefetch_related("cities")
    )
    return render(
        request,
        "accounts/organisation.html",
        {"organisation": organisation, "form": form, "members": members},
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    membership = editable_or_404(Membership, user, code)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(
                Verb.UPDATE, actor=user, request=request, obj=membership, fields=form.changed_data
            )
        messages.success(request, _("Membership saved."))
        return redirect("accounts:organisation", code=membership.organisation.code)
    return render(
        request, "accounts/membership_edit.html", {"membership": membership, "form": form}
    )
