"""The audit trail, for the administrators of an organisation. Read only."""

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from qandas.audit.models import AuditEvent, Outcome, Verb
from qandas.lib.access import role_required, signed_in, visible_or_404

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    verb = forms.ChoiceField(
        label=_("What"), choices=[("", _("Any")), *list(Verb.choices)], required=False
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("Any")), *list(Outcome.choices)], required=False
    )
    actor = forms.CharField(label=_("Who (username)"), max_length=150, required=False)
    object_code = forms.UUIDField(label=_("Record code"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@role_required("admin")
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.visible_to(signed_in(request)).select_related("actor")
    if form.is_valid():
        events = events.matching(**form.cleaned_data)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@role_required("admin")
@require_GET
def event_detail(request: HttpRequest, code: str) -> HttpResponse:
    event = visible_or_404(AuditEvent, signed_in(request), code)
    return render(request, "audit/event_detail.html", {"event": event})
