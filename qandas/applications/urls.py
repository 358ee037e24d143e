from django.urls import path

from qandas.applications import views

app_name = "applications"

urlpatterns = [
    path("authorities/", views.authority_list, name="authorities"),
    path("authorities/new/", views.authority_create, name="authority_create"),
    path("authorities/<uuid:code>/", views.authority_detail, name="authority"),
    path("authorities/<uuid:code>/officials/new/", views.official_create, name="official_create"),
    path("applications/", views.application_list, name="list"),
    path(
        "people/<uuid:code>/applications/new/",
        views.application_create_for_person,
        name="create_for_person",
    ),
    path(
        "households/<uuid:code>/applications/new/",
        views.application_create_for_household,
        name="create_for_household",
    ),
    path("applications/<uuid:code>/", views.application_detail, name="detail"),
    path("applications/<uuid:code>/edit/", views.application_edit, name="edit"),
    path("applications/<uuid:code>/move/", views.application_move, name="move"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<uuid:code>/", views.batch_detail, name="batch"),
    path("batches/<uuid:code>/move/", views.batch_move, name="batch_move"),
    path("batches/<uuid:code>/add/", views.batch_add, name="batch_add"),
]
