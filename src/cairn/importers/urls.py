from django.urls import path

from cairn.importers import views

app_name = "importers"

# URLs carry only ids (UUIDs), never content (DESIGN.md invariant 5).
urlpatterns = [
    path("vaults/<uuid:vault_id>/", views.import_start, name="start"),
    path("jobs/<uuid:job_id>/", views.job_progress, name="job"),
    path("jobs/<uuid:job_id>/status/", views.job_status, name="job-status"),
    path("jobs/<uuid:job_id>/columns/", views.job_columns, name="columns"),
    path("jobs/<uuid:job_id>/dates/", views.job_dates, name="dates"),
    path("batches/<uuid:batch_id>/", views.batch_review, name="batch"),
    path("batches/<uuid:batch_id>/accept/", views.batch_accept, name="accept"),
    path("batches/<uuid:batch_id>/accept/check/", views.accept_page_check, name="accept-check"),
    path("proposals/<uuid:proposal_id>/dismiss/", views.proposal_dismiss, name="proposal-dismiss"),
    path("candidates/<uuid:candidate_id>/", views.candidate_decide, name="candidate"),
]
