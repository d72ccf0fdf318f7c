from django.urls import path

from cairn.packs import statement_views, views

app_name = "packs"

# URLs carry only ids (UUIDs), never content (DESIGN.md invariant 5).
urlpatterns = [
    path("<uuid:vault_id>/", views.pack, name="pack"),
    path("<uuid:vault_id>/made/<uuid:job_id>/", views.pack_job, name="job"),
    path("<uuid:vault_id>/made/<uuid:job_id>/status/", views.pack_job_status, name="job-status"),
    path(
        "<uuid:vault_id>/made/<uuid:job_id>/download/", views.pack_job_download, name="job-download"
    ),
    path("<uuid:vault_id>/statement/", statement_views.edit, name="statement"),
    path(
        "<uuid:vault_id>/statement/download/", statement_views.download, name="statement_download"
    ),
]
