"""The duplicate review, under /duplicates/ (person and merge codes only, never names)."""

from django.urls import path

from qandas.matching import duplicate_views as views

app_name = "duplicates"

urlpatterns = [
    path("", views.duplicate_list, name="list"),
    path("<uuid:first>/<uuid:second>/", views.duplicate_pair, name="pair"),
    path("<uuid:first>/<uuid:second>/merge/", views.duplicate_merge, name="merge"),
    path("<uuid:first>/<uuid:second>/not-same/", views.duplicate_not_same, name="not_same"),
    path("<uuid:first>/<uuid:second>/reopen/", views.duplicate_reopen, name="reopen"),
    path("merges/", views.merge_list, name="merges"),
    path("merges/<uuid:code>/undo/", views.merge_undo, name="undo"),
]
