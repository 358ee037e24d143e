from django.urls import path

from qandas.people import views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="list"),
    path("people/new/", views.person_create, name="create"),
    path("people/<uuid:code>/", views.person_detail, name="detail"),
    path("people/<uuid:code>/reveal/", views.person_reveal, name="reveal"),
    path("people/<uuid:code>/edit/", views.person_edit, name="edit"),
    path("people/<uuid:code>/redact/", views.person_redact, name="redact"),
    path("people/<uuid:code>/photo/", views.person_photo, name="photo"),
    path("people/<uuid:code>/photo/new/", views.person_photo_upload, name="photo_upload"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<uuid:code>/", views.household_detail, name="household"),
    path("households/<uuid:code>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<uuid:code>/edit/", views.household_edit, name="household_edit"),
]
