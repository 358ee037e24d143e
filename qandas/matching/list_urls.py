"""Lists (police, court, deportation, embassy) and their review, under ``/lists/``."""

from django.urls import path

from qandas.matching import list_views as views

app_name = "lists"

urlpatterns = [
    path("", views.upload_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/edit/", views.edit, name="edit"),
    path("<uuid:code>/find/", views.find, name="find"),
    path("<uuid:code>/download/", views.download, name="download"),
    path("<uuid:code>/progress/", views.progress, name="progress"),
    path("<uuid:code>/match-again/", views.match_again, name="match_again"),
    path("rows/<uuid:code>/confirm/", views.confirm, name="confirm"),
    path("rows/<uuid:code>/search/", views.row_search, name="row_search"),
    path("rows/<uuid:code>/reject/", views.reject, name="reject"),
    path("rows/<uuid:code>/undo/", views.undo, name="undo"),
]
