"""Pages for authorities and their officials, applications and their moves, batches.

Coordinators read the applications of their cities' people; liaisons and admins read
and write the organisation's. Lawyers and analysts are refused (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qandas.accounts.models import Organisation, User
from qandas.applications.forms import (
    ApplicationEditForm,
    ApplicationFilterForm,
    ApplicationForm,
    AuthorityForm,
    BatchAddForm,
    BatchForm,
    BatchMoveForm,
    MoveForm,
    OfficialForm,
)
from qandas.applications.models import (
    PENDING,
    READERS,
    WRITERS,
    Application,
    ApplicationQuerySet,
    Authority,
    Batch,
    Official,
    Status,
    TransitionError,
)
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.lib.access import editable_or_404, role_required, signed_in, visible_or_404
from qandas.lib.views import is_htmx
from qandas.people.models import Household, Person, scope_filter

# Helpers --------------------------------------------------------------------------------------


def writer_organisation(user: User) -> Organisation:
    """The organisation a liaison or admin creates authorities and batches in."""
    membership = user.scope().filter(role__in=WRITERS).order_by("pk").first()
    if membership is None:
        raise PermissionDenied
    return membership.organisation


def can_write(user: User) -> bool:
    return user.has_role(*WRITERS)


def with_parties(applications: QuerySet[Application]) -> QuerySet[Application]:
    """What a list of applications shows, in a fixed number of queries."""
    return applications.select_related("authority", "batch", "household__city").prefetch_related(
        Prefetch("person", queryset=Person.objects.prefetch_related("names"))
    )


def scoped_or_404(model: type[Person] | type[Household], user: User, code: Any) -> Any:
    """The person or household if the user may write its applications; 403 if they
    may only read them; 404 if they may not see them at all."""
    city_field = "current_city" if model is Person else "city"
    base = model.objects.all()
    try:
        return base.filter(scope_filter(user, city_field=city_field, roles=WRITERS)).get(code=code)
    except (ObjectDoesNotExist, ValidationError, ValueError) as exc:
        readable = base.filter(scope_filter(user, city_field=city_field, roles=READERS))
        try:
            if readable.filter(code=code).exists():
                raise PermissionDenied from exc
        except (ValidationError, ValueError):
            pass
        raise Http404 from exc


# Authorities and officials --------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def authority_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    authorities = Authority.objects.visible_to(user).annotate(
        pending=Count("applications", filter=Q(applications__status__in=list(PENDING)))
    )
    return render(
        request,
        "applications/authority_list.html",
        {"authorities": authorities, "can_add": can_write(user)},
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def authority_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    authority = Authority(organisation=writer_organisation(user))
    form = AuthorityForm(request.POST or None, instance=authority)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
                record(
                    Verb.CREATE,
                    actor=user,
                    request=request,
                    obj=authority,
                    fields=form.changed_data,
                )
        except IntegrityError:
            form.add_error("name", _("Your organisation already has an authority of this name."))
        else:
            messages.success(request, _("Authority added."))
            return redirect("applications:authority", code=authority.code)
    return render(request, "applications/authority_form.html", {"form": form})


def authority_context(user: User, authority: Authority, form: Any = None) -> dict[str, Any]:
    editable = Authority.objects.editable_by(user).filter(pk=authority.pk).exists()
    if form is None and editable:
        form = OfficialForm(authority=authority)
    current = set(authority.officials.in_office().values_list("pk", flat=True))
    return {
        "authority": authority,
        "officials": [(o, o.pk in current) for o in authority.officials.all()],
        "form": form,
        "can_edit": editable,
    }


@role_required(*READERS)
@require_GET
def authority_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    authority = visible_or_404(Authority, user, code)
    return render(request, "applications/authority_detail.html", authority_context(user, authority))


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def official_create(request: HttpRequest, code: str) -> HttpResponse:
    """Add who holds a post; naming whom they replace ends that one's tenure."""
    user = signed_in(request)
    authority = editable_or_404(Authority, user, code)
    form = OfficialForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        official: Official = form.save(commit=False)
        official.authority = authority
        replaced: Official | None = form.cleaned_data.get("replaces")
        with transaction.atomic():
            official.save()
            record(
                Verb.CREATE,
                actor=user,
                request=request,
                obj=official,
                organisation=authority.organisation,
                fields=[f for f in form.changed_data if f != "replaces"],
            )
            if replaced is not None:
                replaced.until_on = official.from_on
                replaced.save(update_fields=["until_on"])
                record(
                    Verb.UPDATE,
                    actor=user,
                    request=request,
                    obj=replaced,
                    organisation=authority.organisation,
                    fields=["until_on"],
                )
        messages.success(request, _("Official added."))
        return redirect("applications:authority", code=authority.code)
    return render(
        request, "applications/official_form.html", {"form": form, "authority": authority}
    )


# Applications ---------------------------------------------------------------------------------


def filtered(user: User, form: ApplicationFilterForm) -> ApplicationQuerySet:
    applications = Application.objects.visible_to(user)
    if not form.is_valid():
        return applications
    data = form.cleaned_data
    if data["status"]:
        applications = applications.filter(status=data["status"])
    if data["kind"]:
        applications = applications.filter(kind=data["kind"])
    if data["authority"]:
        applications = applications.filter(authority=data["authority"])
    if data["batch"]:
        applications = applications.filter(batch=data["batch"])
    if data["overdue"]:
        applications = applications.overdue()
    return applications


@role_required(*READERS)
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = ApplicationFilterForm(
        request.GET or None,
        authorities=Authority.objects.visible_to(user),
        batches=Batch.objects.visible_to(user),
    )
    applications = with_parties(filtered(user, form)).order_by("-created_at", "-pk")
    return render(
        request,
        "applications/application_list.html" + ("#rows" if is_htmx(request) else ""),
        {"form": form, "applications": applications},
    )


def create_for(
    request: HttpRequest, *, person: Person | None = None, household: Household | None = None
) -> HttpResponse:
    """The form for a new application, for a person or for a whole household."""
    user = signed_in(request)
    party = person or household
    assert party is not None
    organisation_id = party.organisation_id
    form = ApplicationForm(
        request.POST or None,
        instance=Application(
            organisation_id=organisation_id, person=person, household=household, created_by=user
        ),
        authorities=Authority.objects.editable_by(user).filter(organisation_id=organisation_id),
        batches=Batch.objects.editable_by(user).filter(organisation_id=organisation_id),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            application = form.save()
            record(
                Verb.CREATE,
                actor=user,
                request=request,
                obj=application,
                fields=["kind", "authority", "person" if person else "household", "status"]
                + [f for f in form.changed_data if f not in ("kind", "authority")],
            )
        messages.success(request, _("Application recorded."))
        return redirect("applications:detail", code=application.code)
    return render(
        request,
        "applications/application_form.html",
        {"form": form, "person": person, "household": household, "application": None},
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def application_create_for_person(request: HttpRequest, code: str) -> HttpResponse:
    person = scoped_or_404(Person, signed_in(request), code)
    if person.is_redacted:
        raise PermissionDenied
    return create_for(request, person=person)


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def application_create_for_household(request: HttpRequest, code: str) -> HttpResponse:
    household = scoped_or_404(Household, signed_in(request), code)
    return create_for(request, household=household)


def application_context(
    user: User, application: Application, form: MoveForm | None = None, error: str = ""
) -> dict[str, Any]:
    editable = Application.objects.editable_by(user).filter(pk=application.pk).exists()
    if form is None and editable and application.allowed_moves():
        form = MoveForm(application=application)
    return {
        "application": application,
        "history": application.history.select_related("by", "batch"),
        "form": form,
        "error": error,
        "can_edit": editable,
    }


def _application(user: User, code: str) -> Application:
    visible_or_404(Application, user, code)
    return with_parties(Application.objects.all()).get(code=code)


@role_required(*READERS)
@require_GET
def application_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    application = _application(user, code)
    record(Verb.VIEW, actor=user, request=request, obj=application)
    return render(
        request, "applications/application_detail.html", application_context(user, application)
    )


@role_required(*WRITERS)
@require_POST
def application_move(request: HttpRequest, code: str) -> HttpResponse:
    """Move along the pipeline. A page showing an old status does not overwrite a move
    someone made since (409, nothing changed); a move the pipeline refuses says why."""
    user = signed_in(request)
    editable_or_404(Application, user, code)
    application = _application(user, code)
    form = MoveForm(request.POST, application=application)
    if not form.is_valid():
        return render(
            request,
            "applications/application_detail.html",
            application_context(user, application, form),
        )
    try:
        application.move_to(
            form.cleaned_data["status"],
            by=user,
            note=form.cleaned_data["note"],
            expected=form.cleaned_data["expected"] or None,
        )
    except TransitionError as exc:
        application.refresh_from_db()
        return render(
            request,
            "applications/application_detail.html",
            application_context(user, application, error=str(exc)),
            status=409 if exc.conflict else 200,
        )
    record(Verb.UPDATE, actor=user, request=request, obj=application, fields=["status"])
    messages.success(
        request,
        _("The application is now “%(status)s”.") % {"status": application.get_status_display()},
    )
    return redirect("applications:detail", code=application.code)


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    editable_or_404(Application, user, code)
    application = _application(user, code)
    organisation_id = application.organisation_id
    form = ApplicationEditForm(
        request.POST or None,
        instance=application,
        authorities=Authority.objects.editable_by(user).filter(organisation_id=organisation_id),
        batches=Batch.objects.editable_by(user).filter(organisation_id=organisation_id),
    )
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            with transaction.atomic():
                form.save()
                record(
                    Verb.UPDATE,
                    actor=user,
                    request=request,
                    obj=application,
                    fields=form.changed_data,
                )
            messages.success(request, _("Application saved."))
        return redirect("applications:detail", code=application.code)
    return render(
        request,
        "applications/application_form.html",
        {
            "form": form,
            "person": application.person,
            "household": application.household,
            "application": application,
        },
    )


# Batches --------------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    batches = (
        Batch.objects.visible_to(user)
        .select_related("authority")
        .annotate(size=Count("applications"))
    )
    return render(
        request,
        "applications/batch_list.html",
        {"batches": batches, "can_add": can_write(user)},
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def batch_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    organisation = writer_organisation(user)
    batch = Batch(organisation=organisation, created_by=user)
    form = BatchForm(
        request.POST or None,
        instance=batch,
        authorities=Authority.objects.editable_by(user).filter(organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(Verb.CREATE, actor=user, request=request, obj=batch, fields=form.changed_data)
        messages.success(request, _("Batch created."))
        return redirect("applications:batch", code=batch.code)
    return render(request, "applications/batch_form.html", {"form": form})


def add_candidates(user: User, batch: Batch) -> QuerySet[Application]:
    """The organisation's applications the user may change that are in no batch yet."""
    return with_parties(
        Application.objects.editable_by(user).filter(
            organisation_id=batch.organisation_id, batch__isnull=True
        )
    ).order_by("-created_at", "-pk")


def batch_context(
    user: User,
    batch: Batch,
    *,
    move_form: BatchMoveForm | None = None,
    add_form: BatchAddForm | None = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    editable = Batch.objects.editable_by(user).filter(pk=batch.pk).exists()
    applications = list(
        with_parties(Application.objects.visible_to(user).filter(batch=batch)).order_by("pk")
    )
    counts: dict[str, int] = {}
    for application in applications:
        counts[application.status] = counts.get(application.status, 0) + 1
    labels = dict(Status.choices)
    if editable and add_form is None:
        add_form = BatchAddForm(candidates=add_candidates(user, batch))
    return {
        "batch": batch,
        "applications": applications,
        "counts": [(labels[s], counts[s]) for s in Status.values if s in counts],
        "can_edit": editable,
        "move_form": move_form or (BatchMoveForm() if editable else None),
        "add_form": add_form,
        "result": result,
    }


@role_required(*READERS)
@require_GET
def batch_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    batch = visible_or_404(Batch, user, code)
    return render(request, "applications/batch_detail.html", batch_context(user, batch))


@role_required(*WRITERS)
@require_POST
def batch_move(request: HttpRequest, code: str) -> HttpResponse:
    """Move every application of the batch that may make the move, in one action; the
    page then says how many moved and which stayed where they were."""
    user = signed_in(request)
    batch = editable_or_404(Batch, user, code)
    form = BatchMoveForm(request.POST)
    if not form.is_valid():
        return render(
            request, "applications/batch_detail.html", batch_context(user, batch, move_form=form)
        )
    new = form.cleaned_data["status"]
    moved, skipped = batch.move_all(new, by=user, note=form.cleaned_data["note"])
    for change in moved:
        record(Verb.UPDATE, actor=user, request=request, obj=change.application, fields=["status"])
    skipped_shown = with_parties(
        Application.objects.filter(pk__in=[a.pk for a in skipped])
    ).order_by("pk")
    result = {"moved": len(moved), "skipped": skipped_shown, "status": Status(new).label}
    return render(
        request, "applications/batch_detail.html", batch_context(user, batch, result=result)
    )


@role_required(*WRITERS)
@require_POST
def batch_add(request: HttpRequest, code: str) -> HttpResponse:
    """Put applications that are in no batch into this one."""
    user = signed_in(request)
    batch = editable_or_404(Batch, user, code)
    form = BatchAddForm(request.POST, candidates=add_candidates(user, batch))
    if not form.is_valid():
        return render(
            request, "applications/batch_detail.html", batch_context(user, batch, add_form=form)
        )
    with transaction.atomic():
        for application in form.cleaned_data["applications"]:
            Application.objects.filter(pk=application.pk, batch__isnull=True).update(batch=batch)
            record(Verb.UPDATE, actor=user, request=request, obj=application, fields=["batch"])
    messages.success(
        request,
        _("%(count)s applications added to the batch.")
        % {"count": len(form.cleaned_data["applications"])},
    )
    return redirect("applications:batch", code=batch.code)
