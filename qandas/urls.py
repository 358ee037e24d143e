from django.urls import include, path, re_path

from qandas.accounts import views as account_views
from qandas.api import api
from qandas.lib import views as lib_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", lib_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("qandas.accounts.urls")),
    path("", include("qandas.audit.urls")),
    path("", include("qandas.people.urls")),
    path("", include("qandas.documents.urls")),
    path("", include("qandas.incidents.urls")),
    path("", include("qandas.applications.urls")),
    path("", include("qandas.correspondence.urls")),
    path("", include("qandas.correspondence.export_urls")),
    path("lists/", include("qandas.matching.list_urls")),
    path("duplicates/", include("qandas.matching.duplicate_urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", lib_views.api_not_found, name="api_not_found"),
]
