from django.urls import path

from cairn.analysis import views

app_name = "analysis"

# URLs carry only ids (UUIDs) and the name of a topic page, never content (DESIGN.md
# invariant 5).
urlpatterns = [
    path("<uuid:vault_id>/", views.pattern, name="pattern"),
    path("<uuid:vault_id>/questions/", views.risk_questions, name="risk-questions"),
    path("<uuid:vault_id>/<slug:slug>/", views.topic, name="topic"),
]
