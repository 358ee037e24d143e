"""Custody pages: the board, the quick arrest screen, events, episodes, places, rota, clocks."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qandas.accounts.models import City, Role, User
from qandas.audit.disclosure import download_stored
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.incidents import actions
from qandas.incidents.board import board, record_board_view
from qandas.incidents.forms import (
    ArrestForm,
    AssignForm,
    AttachmentForm,
    BoardFilterForm,
    ClockSettingsForm,
    CorrectionForm,
    EventForm,
    HouseholdPickForm,
    PlaceForm,
    RetractForm,
    RotaForm,
    now_local,
)
from qandas.incidents.models import (
    Acknowledgement,
    Alarm,
    AssignmentRole,
    Attachment,
    ClockSettings,
    DutyRota,
    Episode,
    Event,
    Place,
    custody_people,
)
from qandas.incidents.models.places import CUSTODY_READERS, CUSTODY_WRITERS
from qandas.lib.access import editable_or_404, role_required, signed_in, visible_or_404
from qandas.lib.views import is_htmx
from qandas.people.merged import follows_merge
from qandas.people.models import Household, Person

PLACE_EDITORS = (Role.COORDINATOR, Role.ADMIN)
ASSIGNERS = (Role.COORDINATOR, Role.ADMIN)


def show_warnings(request: HttpRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


def form_errors(form: Any, exc: ValidationError) -> None:
    """Put a model-level refusal on the form's fields, or on the form as a whole."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Board ------------------------------------------------------------------------------------


def cities_of(user: User) -> list[City]:
    """The cities whose board the user may filter to."""
    pks: set[int] = set()
    every = False
    for membership in user.scope().filter(role__in=CUSTODY_READERS).prefetch_related("cities"):
        if membership.role == Role.ADMIN:
            every = True
        pks |= {c.pk for c in membership.cities.all()}
    cities = City.objects.all() if every else City.objects.filter(pk__in=pks)
    return list(cities)


@role_required(*CUSTODY_READERS)
@require_GET
def custody_board(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = BoardFilterForm(request.GET or None)
    form.fields["city"].queryset = City.objects.filter(  # type: ignore[attr-defined]
        pk__in=[c.pk for c in cities_of(user)]
    )
    city = form.cleaned_data.get("city") if form.is_valid() else None
    entries = board(user, city=city)
    record_board_view(request, user)
    template = "incidents/board.html" + ("#entries" if is_htmx(request) else "")
    return render(
        request,
        template,
        {"form": form, "entries": entries, "can_log": user.has_role(*CUSTODY_WRITERS)},
    )


@role_required(*CUSTODY_WRITERS)
@require_POST
def acknowledge(request: HttpRequest, code: str) -> HttpResponse:
    """I have seen this alarm and I am on it. Once per person; a second click is harmless."""
    user = signed_in(request)
    alarm = editable_or_404(Alarm, user, code)
    _ack, created = Acknowledgement.objects.get_or_create(alarm=alarm, user=user)
    if created:
        record(Verb.UPDATE, actor=user, request=request, obj=alarm, fields=["acknowledgements"])
    messages.success(request, _("Acknowledged."))
    target = request.POST.get("next", "")
    return redirect(target if _safe_next(request) else "incidents:board")


def _safe_next(request: HttpRequest) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


# Quick arrest -------------------------------------------------------------------------------


@role_required(*CUSTODY_WRITERS)
@require_http_methods(["GET", "POST"])
def arrest(request: HttpRequest) -> HttpResponse:
    """One screen on a phone: the household, who was taken, when, where, the letter."""
    user = signed_in(request)
    code = request.POST.get("household") or request.GET.get("household")
    if not code:
        pick = HouseholdPickForm(user=user)
        return render(request, "incidents/arrest.html", {"pick": pick, "form": None})
    pick = HouseholdPickForm({"household": code}, user=user)
    if not pick.is_valid():
        raise Http404
    household: Household = pick.cleaned_data["household"]
    if request.method != "POST":
        form = ArrestForm(
            user=user,
            household=household,
            initial={
                "idempotency_key": uuid.uuid4(),
                "occurred_at": now_local(),
                "source": "family",
            },
        )
        return render(
            request, "incidents/arrest.html", {"pick": pick, "form": form, "household": household}
        )
    form = ArrestForm(request.POST, user=user, household=household)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = actions.record_arrest(
                by=user,
                household=household,
                people=list(data["people"]),
                occurred_at=data["occurred_at"],
                place=data["place"],
                document_shown=data["document_shown"],
                source=data["source"],
                notes=data["notes"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if outcome.created:
                for event in outcome.events:
                    record(
                        Verb.CREATE,
                        actor=user,
                        request=request,
                        obj=event,
                        fields=["kind", "people", "occurred_at", "place", "document_shown"],
                    )
                show_warnings(request, outcome.warnings)
                messages.success(
                    request,
                    _("Arrest recorded for %(count)s people. The clocks are running.")
                    % {"count": len(data["people"])},
                )
            else:
                messages.info(request, _("This arrest was already recorded."))
            return redirect("incidents:board")
    return render(
        request,
        "incidents/arrest.html",
        {"pick": pick, "form": form, "household": household},
        status=200,
    )


# Events ---------------------------------------------------------------------------------------


@role_required(*CUSTODY_WRITERS)
@require_http_methods(["GET", "POST"])
@follows_merge
def event_create(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    try:
        person = custody_people(user, write=True).get(code=code)
    except (Person.DoesNotExist, ValidationError, ValueError) as exc:
        if custody_people(user).filter(code=code).exists():
            raise PermissionDenied from exc
        raise Http404 from exc
    form_kwargs: dict[str, Any] = {
        "user": user,
        "person": person,
        "organisation_id": person.organisation_id,
    }
    if request.method != "POST":
        kind = request.GET.get("kind", "")
        form = EventForm(
            initial={
                "idempotency_key": uuid.uuid4(),
                "occurred_at": now_local(),
                "people": [person.code],
                "kind": kind,
            },
            **form_kwargs,
        )
        return render(
            request, "incidents/event_form.html", {"form": form, "person": person, "event": None}
        )
    form = EventForm(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            outcome = actions.record_event(
                by=user,
                people=list(form.cleaned_data["people"]),
                idempotency_key=form.cleaned_data.get("idempotency_key"),
                **form.values(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if outcome.created:
                event = outcome.events[0]
                record(
                    Verb.CREATE,
                    actor=user,
                    request=request,
                    obj=event,
                    fields=list(form.changed_data),
                )
                show_warnings(request, outcome.warnings)
                messages.success(request, _("Event recorded."))
            return redirect("people:detail", code=person.code)
    return render(
        request, "incidents/event_form.html", {"form": form, "person": person, "event": None}
    )


@role_required(*CUSTODY_READERS)
@require_GET
def event_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    event = visible_or_404(Event, user, code)
    record(Verb.VIEW, actor=user, request=request, obj=event)
    people = custody_people(user).filter(events=event).prefetch_related("names")
    return render(
        request,
        "incidents/event_detail.html",
        {
            "event": event,
            "people": people,
            "revisions": event.revisions.select_related("by"),
            "attachments": event.attachments.all(),
            "can_edit": Event.objects.editable_by(user).filter(pk=event.pk).exists(),
        },
    )


@role_required(*CUSTODY_WRITERS)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Correct an event: the old values and the reason are kept."""
    user = signed_in(request)
    event = editable_or_404(Event, user, code)
    if event.is_retracted:
        messages.error(request, _("A retracted event cannot be corrected."))
        return redirect("incidents:event", code=event.code)
    person = event.people.order_by("pk").first()
    assert person is not None
    form_kwargs: dict[str, Any] = {
        "user": user,
        "person": person,
        "organisation_id": event.organisation_id,
    }
    if request.method != "POST":
        initial = {
            **{
                k: v
                for k, v in event.snapshot().items()
                if k not in ("people", "place", "occurred_at")
            },
            "place": event.place.code if event.place else None,
            "people": [p.code for p in event.people.all()],
            "occurred_at": timezone.localtime(event.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        }
        form = CorrectionForm(initial=initial, **form_kwargs)
        return render(
            request, "incidents/event_form.html", {"form": form, "person": person, "event": event}
        )
    form = CorrectionForm(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            outcome = actions.correct_event(
                event,
                by=user,
                reason=form.cleaned_data["reason"],
                people=list(form.cleaned_data["people"]),
                **form.values(),
            )
        except ValidationError as exc:
            event.refresh_from_db()
            form_errors(form, exc)
        else:
            record(
                Verb.UPDATE, actor=user, request=request, obj=event, fields=list(form.changed_data)
            )
            show_warnings(request, outcome.warnings)
            messages.success(request, _("Event corrected. The earlier values are kept."))
            return redirect("incidents:event", code=event.code)
    return render(
        request, "incidents/event_form.html", {"form": form, "person": person, "event": event}
    )


@role_required(*CUSTODY_WRITERS)
@require_http_methods(["GET", "POST"])
def event_retract(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    event = editable_or_404(Event, user, code)
    form = RetractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.retract_event(event, by=user, reason=form.cleaned_data["reason"]):
            record(
                Verb.UPDATE,
                actor=user,
                request=request,
                obj=event,
                fields=["retracted_at", "retraction_reason"],
            )
            messages.success(request, _("Event retracted. It stays on record, struck through."))
        else:
            messages.info(request, _("This event was already retracted."))
        return redirect("incidents:event", code=event.code)
    return render(request, "incidents/event_retract.html", {"form": form, "event": event})


@role_required(*CUSTODY_WRITERS)
@require_http_methods(["GET", "POST"])
def attachment_upload(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    event = editable_or_404(Event, user, code)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        attachment = actions.attach(event, form.cleaned_data["file"], by=user)
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=attachment,
            fields=["display_name", "content_type", "size"],
        )
        messages.success(request, _("File attached."))
        return redirect("incidents:event", code=event.code)
    return render(request, "incidents/attachment_form.html", {"form": form, "event": event})


@role_required(*CUSTODY_READERS)
@require_GET
def attachment_download(request: HttpRequest, code: str) -> HttpResponseBase:
    user = signed_in(request)
    attachment = visible_or_404(Attachment, user, code)
    return download_stored(request, actor=user, stored=attachment)


# Episodes and assignment --------------------------------------------------------------------


@role_required(*CUSTODY_READERS)
@require_GET
def episode_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    episode = visible_or_404(Episode, user, code)
    record(Verb.VIEW, actor=user, request=request, obj=episode)
    can_assign = (
        user.has_role(*ASSIGNERS)
        and Episode.objects.editable_by(user).filter(pk=episode.pk).exists()
    )
    return render(request, "incidents/episode.html", episode_context(user, episode, can_assign))


def episode_context(
    user: User, episode: Episode, can_assign: bool, form: Any = None
) -> dict[str, Any]:
    current = {a.role: a for a in episode.assignments.current().select_related("user")}
    if form is None and can_assign:
        form = AssignForm(
            organisation_id=episode.organisation_id,
            initial={role: a.user.code for role, a in current.items()},
        )
    return {
        "episode": episode,
        "person": episode.person,
        "assignments": episode.assignments.select_related("user", "assigned_by"),
        "current": current,
        "alarms": episode.alarms.prefetch_related("acknowledgements__user"),
        "form": form,
        "can_assign": can_assign,
    }


@role_required(*ASSIGNERS)
@require_POST
def assign(request: HttpRequest, code: str) -> HttpResponse:
    """Put a lawyer (and optionally a second coordinator) on an episode."""
    user = signed_in(request)
    episode = editable_or_404(Episode, user, code)
    form = AssignForm(request.POST, organisation_id=episode.organisation_id)
    if not form.is_valid():
        return render(request, "incidents/episode.html", episode_context(user, episode, True, form))
    changed = actions.assign(
        episode,
        by=user,
        wanted={
            AssignmentRole.LAWYER: form.cleaned_data["lawyer"],
            AssignmentRole.COORDINATOR: form.cleaned_data["coordinator"],
        },
    )
    if changed:
        record(Verb.UPDATE, actor=user, request=request, obj=episode, fields=changed)
        messages.success(request, _("Assignment saved."))
    return redirect("incidents:episode", code=episode.code)


# Places ---------------------------------------------------------------------------------------


@role_required(*CUSTODY_READERS)
@require_GET
def place_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    places = Place.objects.visible_to(user).select_related("city")
    return render(
        request,
        "incidents/places.html",
        {"places": places, "can_add": user.has_role(*PLACE_EDITORS)},
    )


@role_required(*PLACE_EDITORS)
@require_http_methods(["GET", "POST"])
def place_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    membership = user.scope().filter(role__in=PLACE_EDITORS).first()
    if membership is None:
        raise PermissionDenied
    place = Place(organisation_id=membership.organisation_id)
    form = PlaceForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(Verb.CREATE, actor=user, request=request, obj=place, fields=form.changed_data)
        messages.success(request, _("Place added."))
        return redirect("incidents:places")
    return render(request, "incidents/place_form.html", {"form": form})


# Rota -------------------------------------------------------------------------------------------


@role_required(*CUSTODY_READERS)
@require_http_methods(["GET", "POST"])
def rota(request: HttpRequest) -> HttpResponse:
    """Who is the lawyer on duty, per city and day. Coordinators and admins set it."""
    user = signed_in(request)
    today = timezone.localdate()
    entries = (
        DutyRota.objects.visible_to(user).filter(on__gte=today).select_related("city", "lawyer")
    )
    membership = user.scope().filter(role__in=(Role.COORDINATOR, Role.ADMIN)).first()
    form = None
    if membership is not None:
        cities = City.objects.filter(pk__in=[c.pk for c in cities_of(user)])
        form = RotaForm(
            request.POST or None, organisation_id=membership.organisation_id, cities=cities
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            entry, created = DutyRota.objects.update_or_create(
                organisation_id=membership.organisation_id,  # type: ignore[union-attr]
                city=form.cleaned_data["city"],
                on=form.cleaned_data["on"],
                defaults={
                    "lawyer": form.cleaned_data["lawyer"],
                    "set_by": user,
                    "set_at": timezone.now(),
                },
            )
            record(
                Verb.CREATE if created else Verb.UPDATE,
                actor=user,
                request=request,
                obj=entry,
                fields=["lawyer"],
            )
            messages.success(request, _("Rota saved."))
            return redirect("incidents:rota")
    return render(request, "incidents/rota.html", {"entries": entries, "form": form})


# Clocks -----------------------------------------------------------------------------------------


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def clock_settings(request: HttpRequest) -> HttpResponse:
    """An administrator sets the thresholds of the organisation's clocks."""
    user = signed_in(request)
    membership = user.scope().filter(role=Role.ADMIN).first()
    assert membership is not None
    settings = ClockSettings.of(membership.organisation_id)
    form = ClockSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.updated_by = user
            saved.save()
            record(
                Verb.UPDATE,
                actor=user,
                request=request,
                obj=saved,
                fields=form.changed_data,
                organisation=membership.organisation,
            )
        messages.success(request, _("Clock settings saved. They apply from the next check."))
        return redirect("incidents:clocks")
    return render(request, "incidents/clocks.html", {"form": form})
