"""Sign-in events go to the audit trail; a locked-out owner is told by email."""

import time
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.mail import send_mail
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from qandas.accounts.middleware import SESSION_STARTED_AT
from qandas.accounts.models import User
from qandas.audit.models import Outcome, Verb
from qandas.audit.record import record


def _known_user(username: str | None) -> User | None:
    """The account a failed attempt was aimed at, if it exists.

    The typed username itself is never stored: people type passwords into it.
    """
    if not username:
        return None
    return User.objects.filter(username=username).first()


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(Verb.LOGIN, actor=user, request=request, obj=user)
    # The absolute session lifetime counts from here (SessionLifetimeMiddleware).
    request.session[SESSION_STARTED_AT] = int(time.time())


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(Verb.LOGOUT, actor=user, request=request, obj=user)


@receiver(user_login_failed)
def audit_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    user = _known_user(credentials.get("username"))
    record(
        Verb.LOGIN_FAILED,
        actor=None,
        request=request,
        obj=user,
        outcome=Outcome.FAILURE,
    )


@receiver(user_locked_out)
def tell_owner_of_lockout(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    """Record the lockout and email the account's owner, who may be under attack."""
    # django-axes may send this more than once while handling one request.
    if getattr(request, "lockout_handled", False):
        return
    request.lockout_handled = True  # type: ignore[attr-defined]
    user = _known_user(username)
    record(Verb.LOCKED_OUT, actor=None, request=request, obj=user, outcome=Outcome.DENIED)
    if user is None or not user.email:
        return
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    send_mail(
        subject=_("Qandas: sign-in to your account was locked"),
        message=render_to_string(
            "accounts/email/locked_out.txt", {"user": user, "minutes": minutes}
        ),
        from_email=None,
        recipient_list=[user.email],
    )
