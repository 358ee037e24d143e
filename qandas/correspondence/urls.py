"""Pages for letters, promises and the accountability timelines."""

from django.urls import path

from qandas.correspondence import views

app_name = "correspondence"

urlpatterns = [
    path("letters/", views.letter_list, name="letters"),
    path("letters/new/", views.letter_create, name="letter_create"),
    path("letters/<uuid:code>/", views.letter_detail, name="letter"),
    path("letters/<uuid:code>/edit/", views.letter_edit, name="letter_edit"),
    path("letters/<uuid:code>/scans/new/", views.scan_upload, name="scan_upload"),
    path("letter-scans/<uuid:code>/download/", views.scan_download, name="scan_download"),
    path(
        "letters/<uuid:code>/promises/new/", views.promise_from_letter, name="promise_from_letter"
    ),
    path("promises/", views.promise_list, name="promises"),
    path("promises/new/", views.promise_from_meeting, name="promise_create"),
    path("promises/<uuid:code>/", views.promise_detail, name="promise"),
    path("promises/<uuid:code>/slips/", views.promise_slip, name="promise_slip"),
    path("promises/<uuid:code>/kept/", views.promise_keep, name="promise_keep"),
    path("authorities/<uuid:code>/timeline/", views.authority_timeline, name="authority_timeline"),
    path("officials/<uuid:code>/timeline/", views.official_timeline, name="official_timeline"),
]
