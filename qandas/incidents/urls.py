from django.urls import path

from qandas.incidents import views

app_name = "incidents"

urlpatterns = [
    path("custody/", views.custody_board, name="board"),
    path("custody/arrest/", views.arrest, name="arrest"),
    path("custody/rota/", views.rota, name="rota"),
    path("custody/clocks/", views.clock_settings, name="clocks"),
    path("people/<uuid:code>/events/new/", views.event_create, name="event_create"),
    path("events/<uuid:code>/", views.event_detail, name="event"),
    path("events/<uuid:code>/edit/", views.event_edit, name="event_edit"),
    path("events/<uuid:code>/retract/", views.event_retract, name="event_retract"),
    path("events/<uuid:code>/attachments/new/", views.attachment_upload, name="attachment_upload"),
    path(
        "attachments/<uuid:code>/download/", views.attachment_download, name="attachment_download"
    ),
    path("episodes/<uuid:code>/", views.episode_detail, name="episode"),
    path("episodes/<uuid:code>/assign/", views.assign, name="assign"),
    path("alarms/<uuid:code>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("places/", views.place_list, name="places"),
    path("places/new/", views.place_create, name="place_create"),
]
