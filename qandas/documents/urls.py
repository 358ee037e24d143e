from django.urls import path

from qandas.documents import views

app_name = "documents"

urlpatterns = [
    path("people/<uuid:code>/documents/new/", views.create, name="create"),
    path("documents/<uuid:code>/edit/", views.edit, name="edit"),
    path("documents/<uuid:code>/scans/new/", views.scan_upload, name="scan_upload"),
    path("scans/<uuid:code>/download/", views.scan_download, name="scan_download"),
]
