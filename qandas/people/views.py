"""Pages of the register: the people list, a person, a household, and their forms."""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qandas.accounts.models import Role, User
from qandas.audit.disclosure import reveal, show_image
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.lib import files
from qandas.lib.access import editable_or_404, role_required, signed_in, visible_or_404
from qandas.lib.fields import mask_phone, mask_text
from qandas.lib.views import is_htmx
from qandas.people.forms import (
    GUARDED_FACTS,
    HOUSEHOLD_HAS,
    HOUSEHOLD_NONE,
    HouseholdForm,
    PersonFilterForm,
    PersonForm,
    PhotoForm,
    name_formset,
    names_of,
    organisation_for,
)
from qandas.people.merged import follows_merge, merged_in_scope, merged_survivor
from qandas.people.models import DatePrecision, Household, Person, edit_filter
from qandas.people.search import check_duplicates, duplicates_dismissed, find, in_city

PAGE_SIZE = 25
# Who opens people pages at all (DESIGN section 1): analysts never see a name.
READERS = (Role.COORDINATOR, Role.LAWYER, Role.LIAISON, Role.ADMIN)
EDITORS = (Role.COORDINATOR, Role.ADMIN)


# People list ---------------------------------------------------------------------------


def filter_people(people: Any, data: dict[str, Any]) -> Any:
    """Apply the list's cleaned filters; each one is a join or subquery, never a loop.

    With a name or a document number, the result is ``people.search.find``'s (each
    person with ``score`` and ``why``); a city given with a name ranks its people first,
    and otherwise lists its people only (``in_city``).
    """
    people, city = in_city(people, data.get("city"), data.get("q") or "")
    household = data.get("household")
    if household == HOUSEHOLD_HAS:
        people = people.filter(household__isnull=False)
    elif household == HOUSEHOLD_NONE:
        people = people.filter(household__isnull=True)
    elif isinstance(household, uuid.UUID):
        people = people.filter(household__code=household)
    status = data.get("document")
    if status:
        condition = Q(documents__status=status)
        if status == "expired":
            condition |= Q(documents__valid_until__lt=timezone.localdate())
        people = people.filter(pk__in=Person.objects.filter(condition).values("pk"))
    if (data.get("q") or "").strip() or data.get("document_number"):
        return find(
            people,
            data.get("q") or "",
            birth_year=data.get("birth_year"),
            father_name=data.get("father_name") or "",
            document_number=data.get("document_number") or "",
            city=city,
        )
    return people


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponse:
    """The people list. Searches are POSTed so that names stay out of URLs (R13)."""
    user = signed_in(request)
    data = request.POST if request.method == "POST" else None
    form = PersonFilterForm(data)
    people = Person.objects.visible_to(user)
    people = people.select_related("current_city", "household").prefetch_related("names")
    if form.is_valid():
        people = filter_people(people, form.cleaned_data)
    elif form.is_bound:
        # A search that cannot be run lists nobody, with what is wrong, rather than
        # everyone, which would look like its answer.
        people = people.none()
    page_number = (data or request.GET).get("page")
    page = Paginator(people, PAGE_SIZE).get_page(page_number)
    # htmx (typing in the search box) gets just the results.
    template = "people/person_list.html" + ("#results" if is_htmx(request) else "")
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_register": user.has_role(*EDITORS),
            "searched_by_htmx": is_htmx(request),
        },
    )


# Person page ---------------------------------------------------------------------------


def person_context(user: User, person: Person, *, revealed: bool) -> dict[str, Any]:
    return {
        "person": person,
        "names": list(person.names.all()),
        "birth_date": person.birth_date_text(),
        "phones": person.phones if revealed else [mask_phone(p) for p in person.phones],
        "revealed": revealed,
        "documents": person.documents.prefetch_related("scans"),
        "can_edit": Person.objects.editable_by(user).filter(pk=person.pk).exists(),
    }


@role_required(*READERS)
@require_GET
def person_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    try:
        person = visible_or_404(Person, user, code)
    except Http404 as missing:
        survivor = merged_survivor(user, code)
        if survivor is None:
            return merged_elsewhere(request, user, code, missing)
        messages.info(request, _("That record was merged into this one."))
        return redirect("people:detail", code=survivor.code)
    record(Verb.VIEW, actor=user, request=request, obj=person)
    return render(
        request, "people/person_detail.html", person_context(user, person, revealed=False)
    )


def merged_elsewhere(request: HttpRequest, user: User, code: str, missing: Http404) -> HttpResponse:
    """A record of the user's cities merged into one they may not see (another city's):
    say so, when and by whom, rather than answer "not found" for a record they kept.
    Nothing of the other record is shown. Otherwise ``missing`` is raised again."""
    person = merged_in_scope(user, code)
    if person is None:
        raise missing
    merge = (
        apps.get_model("matching", "Merge")
        .objects.filter(merged=person, undone_at__isnull=True)
        .select_related("merged_by")
        .order_by("-merged_at")
        .first()
    )
    record(Verb.VIEW, actor=user, request=request, obj=person, fields=["merged_into"])
    return render(request, "people/person_merged.html", {"merge": merge}, status=410)


@role_required(*READERS)
@require_POST
def person_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """Unmask the phones: a deliberate click, audited through ``disclosure.reveal``."""
    user = signed_in(request)
    person = visible_or_404(Person, user, code)
    reveal(request, actor=user, obj=person, fields=["phones"])
    context = person_context(user, person, revealed=True)
    if is_htmx(request):
        return render(request, "people/person_detail.html#phones", context)
    record(Verb.VIEW, actor=user, request=request, obj=person)
    return render(request, "people/person_detail.html", context)


# Create and edit -----------------------------------------------------------------------


def with_primary(names: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The names as ``set_names`` will store them: the first is primary if none is."""
    if names and not any(n["primary"] for n in names):
        return [{**names[0], "primary": True}, *names[1:]]
    return names


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    NameFormSet = name_formset(extra=3)
    if request.method != "POST":
        initial: dict[str, Any] = {"idempotency_key": uuid.uuid4()}
        household = request.GET.get("household")
        if household:
            initial["household"] = household
        form = PersonForm(user=user, initial=initial)
        return render_person_form(request, form, NameFormSet(prefix="names"), None)

    form = PersonForm(request.POST, user=user)
    names = NameFormSet(request.POST, prefix="names")
    key = form.data.get("idempotency_key")
    earlier = already_created(user, key)
    if earlier is not None:
        return redirect("people:detail", code=earlier.code)
    if not (form.is_valid() and names.is_valid()):
        return render_person_form(request, form, names, None)
    candidates, dismissed = duplicate_guard(request, user, form, names.names(), None)
    if candidates:
        return render_person_form(request, form, names, None, candidates=candidates)
    organisation = organisation_for(user, form.cleaned_data["current_city"])
    if organisation is None:  # the city choices already exclude this; fail closed anyway
        raise PermissionDenied
    try:
        with transaction.atomic():
            person = form.save(commit=False)
            person.organisation = organisation
            person.created_by = user
            person.idempotency_key = form.cleaned_data["idempotency_key"]
            person.save()
            person.set_names(names.names())
            fields = [f for f in form.changed_data if f != "idempotency_key"]
            record(Verb.CREATE, actor=user, request=request, obj=person, fields=[*fields, "names"])
            if dismissed:
                duplicates_dismissed.send(
                    sender=Person, person=person, others=dismissed, by=user, request=request
                )
    except IntegrityError:
        # The same form, posted twice at once: the other request created the person.
        earlier = already_created(user, key)
        if earlier is None:
            raise
        return redirect("people:detail", code=earlier.code)
    messages.success(request, _("Person registered."))
    return redirect("people:detail", code=person.code)


def already_created(user: User, key: Any) -> Person | None:
    """The person an earlier post of the same form created, if any."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return None
    earlier = Person.objects.filter(idempotency_key=key).first()
    if earlier is not None and not Person.objects.visible_to(user).filter(pk=earlier.pk).exists():
        raise Http404
    return earlier


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
@follows_merge
def person_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    person = editable_or_404(Person, user, code)
    NameFormSet = name_formset(extra=2)
    before = names_of(person)
    if request.method != "POST":
        form = PersonForm(instance=person, user=user)
        names = NameFormSet(prefix="names", initial=before)
        return render_person_form(request, form, names, person)
    form = PersonForm(request.POST, instance=person, user=user)
    # Compared with ``before`` below, not through the formset's initial data: with
    # initial rows, an unchanged extra row would be skipped as empty.
    names = NameFormSet(request.POST, prefix="names")
    if not (form.is_valid() and names.is_valid()):
        return render_person_form(request, form, names, person)
    renamed = with_primary(names.names()) != before
    dismissed: list[Person] = []
    # New names can make a new resemblance, and so can a birth year or a father's name:
    # they decide whether the same name is asked about (``matching.duplicates``).
    if renamed or set(GUARDED_FACTS) & set(form.changed_data):
        candidates, dismissed = duplicate_guard(request, user, form, names.names(), person)
        if candidates:
            return render_person_form(request, form, names, person, candidates=candidates)
    with transaction.atomic():
        form.save()
        fields = list(form.changed_data)
        if renamed:
            person.set_names(names.names())
            fields.append("names")
        record(Verb.UPDATE, actor=user, request=request, obj=person, fields=fields)
        if dismissed:
            duplicates_dismissed.send(
                sender=Person, person=person, others=dismissed, by=user, request=request
            )
    messages.success(request, _("Changes saved."))
    return redirect("people:detail", code=person.code)


def render_person_form(
    request: HttpRequest,
    form: PersonForm,
    names: Any,
    person: Person | None,
    *,
    candidates: list[Person] | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "names": names, "person": person}
    if candidates:
        context["candidates"] = candidates
        context["typed"] = typed_summary(form, names, person)
    return render(request, "people/person_form.html", context)


# Duplicate guard -----------------------------------------------------------------------

DIFFERENT = "different_person"  # the box: "This is a different person: save anyway"
SEEN = "seen_candidate"  # the codes of the candidates the user was shown


def duplicate_guard(
    request: HttpRequest, user: User, form: PersonForm, names: list[dict[str, Any]], person: Any
) -> tuple[list[Person], list[Person]]:
    """People the typed person may already be: (to show before saving, acknowledged).

    Nothing is saved while there are candidates the user has not seen and declared to be
    someone else; a candidate that appears only after a change is shown again.
    """
    born = form.cleaned_data.get("birth_date")
    found, dismissed = check_duplicates(
        user,
        [n["text"] for n in names],
        seen=request.POST.getlist(SEEN) if request.POST.get(DIFFERENT) else (),
        birth_year=born.year if born else None,
        father_name=form.cleaned_data.get("father_name") or "",
        sex=form.cleaned_data.get("sex") or "",
        person=person,
    )
    if not found:
        return [], dismissed
    details = {
        p.pk: p
        for p in Person.objects.filter(pk__in=[p.pk for p in found])
        .select_related("current_city")
        .prefetch_related("names")
        .annotate(documents_count=Count("documents"))
    }
    for candidate in found:
        detail = details[candidate.pk]
        candidate.all_names = list(detail.names.all())  # type: ignore[attr-defined]
        candidate.birth_text = detail.birth_date_text()  # type: ignore[attr-defined]
        candidate.documents_count = detail.documents_count  # type: ignore[attr-defined]
        candidate.city_name = detail.current_city.name  # type: ignore[attr-defined]
    return found, []


def typed_summary(form: PersonForm, names: Any, person: Person | None) -> dict[str, Any]:
    """What the user typed, in the shape of a candidate, for the side-by-side table."""
    cleaned = form.cleaned_data
    shown = Person(
        birth_date=cleaned.get("birth_date"),
        birth_date_precision=cleaned.get("birth_date_precision") or DatePrecision.DAY,
    )
    city = cleaned.get("current_city")
    return {
        "names": [n["text"] for n in names.names()],
        "birth_text": shown.birth_date_text(),
        "father_name": cleaned.get("father_name") or "",
        "city_name": city.name if city else "",
        "documents_count": person.documents.count() if person is not None else None,
    }


# Redaction -----------------------------------------------------------------------------


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def person_redact(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    person = visible_or_404(Person, user, code)
    if person.is_redacted and in_edit_scope(user, person):
        # A second click, or a retried post: the work is already done.
        messages.info(request, _("This person is already redacted."))
        return redirect("people:detail", code=person.code)
    person = editable_or_404(Person, user, code)
    if request.method == "POST":
        with transaction.atomic():
            redact_with_merged(person, by=user, request=request)
        messages.success(request, _("The person is redacted. Identifying details are gone."))
        return redirect("people:detail", code=person.code)
    context = {"person": person, "merged": merged_count(person)}
    return render(request, "people/person_redact.html", context)


def redact_with_merged(person: Person, *, by: User, request: HttpRequest) -> None:
    """Redact ``person`` and every record merged into them (hidden, but holding what the
    merge left behind: their father's name, phones, notes, photo and the names the
    survivor already had), each audited. A merge with a redacted record cannot be undone
    (``matching.duplicates.undo_refused_by_redaction``), so none of it comes back."""
    fields = person.redact(by=by)
    record(Verb.REDACT, actor=by, request=request, obj=person, fields=fields)
    for merged in Person.objects.filter(merged_into=person, redacted_at__isnull=True):
        redact_with_merged(merged, by=by, request=request)


def merged_count(person: Person) -> int:
    """How many hidden records ``redact_with_merged`` redacts with ``person``: those
    merged into it, and into them, not redacted yet."""
    count, level = 0, [person.pk]
    while level:
        merged = Person.objects.filter(merged_into__in=level, redacted_at__isnull=True)
        level = list(merged.values_list("pk", flat=True))
        count += len(level)
    return count


def in_edit_scope(user: User, person: Person) -> bool:
    """Whether ``user`` could change ``person`` if it were not redacted."""
    scope = edit_filter(user, city_field="current_city")
    return Person.objects.filter(scope, pk=person.pk).exists()


# Households ----------------------------------------------------------------------------


def household_context(user: User, household: Household, *, revealed: bool) -> dict[str, Any]:
    members = (
        Person.objects.visible_to(user)
        .filter(household=household)
        .prefetch_related("names")
        .order_by("relationship", "created_at")
    )
    return {
        "household": household,
        "members": members,
        "address": household.address if revealed else mask_text(household.address),
        "phones": household.phones if revealed else [mask_phone(p) for p in household.phones],
        "revealed": revealed,
        "can_edit": Household.objects.editable_by(user).filter(pk=household.pk).exists(),
    }


@role_required(*READERS)
@require_GET
def household_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    household = visible_or_404(Household, user, code)
    record(Verb.VIEW, actor=user, request=request, obj=household)
    return render(
        request,
        "people/household_detail.html",
        household_context(user, household, revealed=False),
    )


@role_required(*READERS)
@require_POST
def household_reveal(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    household = visible_or_404(Household, user, code)
    reveal(request, actor=user, obj=household, fields=["address", "phones"])
    context = household_context(user, household, revealed=True)
    if is_htmx(request):
        return render(request, "people/household_detail.html#contact", context)
    record(Verb.VIEW, actor=user, request=request, obj=household)
    return render(request, "people/household_detail.html", context)


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = HouseholdForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        organisation = organisation_for(user, form.cleaned_data["city"])
        if organisation is None:
            raise PermissionDenied
        with transaction.atomic():
            household = form.save(commit=False)
            household.organisation = organisation
            household.save()
            record(
                Verb.CREATE, actor=user, request=request, obj=household, fields=form.changed_data
            )
        messages.success(request, _("Household registered."))
        return redirect("people:household", code=household.code)
    return render(request, "people/household_form.html", {"form": form, "household": None})


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    household = editable_or_404(Household, user, code)
    form = HouseholdForm(request.POST or None, instance=household, user=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(
                Verb.UPDATE, actor=user, request=request, obj=household, fields=form.changed_data
            )
        messages.success(request, _("Changes saved."))
        return redirect("people:household", code=household.code)
    return render(request, "people/household_form.html", {"form": form, "household": household})


# Photo -----------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def person_photo(request: HttpRequest, code: str) -> HttpResponseBase:
    """The person's photo, for the person page. Permission-checked and audited. A record
    merged into another is sent to the record kept's, as its page is."""
    user = signed_in(request)
    try:
        person = visible_or_404(Person, user, code)
    except Http404:
        survivor = merged_survivor(user, code)
        if survivor is None:
            raise
        return redirect("people:photo", code=survivor.code)
    if not person.photo:
        raise Http404
    path = files.path_of(person.photo)
    if not path.exists():
        raise Http404
    return show_image(
        request,
        actor=user,
        obj=person,
        field="photo",
        path=path,
        content_type=person.photo_content_type,
    )


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
@follows_merge
def person_photo_upload(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    person = editable_or_404(Person, user, code)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        person.set_photo(form.cleaned_data["photo"], by=user)
        record(Verb.UPDATE, actor=user, request=request, obj=person, fields=["photo"])
        messages.success(request, _("Photo saved."))
        return redirect("people:detail", code=person.code)
    return render(request, "people/person_photo.html", {"person": person, "form": form})
