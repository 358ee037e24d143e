from django.urls import path

from qandas.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.event_list, name="list"),
    path("audit/<uuid:code>/", views.event_detail, name="detail"),
]
