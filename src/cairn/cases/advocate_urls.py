from django.urls import path

from cairn.cases import advocate_views

app_name = "advocacy"

# URLs carry only ids (UUIDs), never content (DESIGN.md invariant 5).
urlpatterns = [
    path("", advocate_views.shared_logs, name="logs"),
    path("code/", advocate_views.give_code, name="code"),
    path("<uuid:vault_id>/", advocate_views.shared_log, name="log"),
]
