from django.urls import path

from qandas.correspondence import export_views

app_name = "exports"

urlpatterns = [
    path("batches/<uuid:code>/export.xlsx", export_views.batch_xlsx, name="batch_xlsx"),
    path("batches/<uuid:code>/export.pdf", export_views.batch_pdf, name="batch_pdf"),
]
