from django.urls import path

from cairn.flags import views

app_name = "flags"

# URLs carry only the vault's id, never content (DESIGN.md invariant 5).
urlpatterns = [
    path("<uuid:vault_id>/", views.flags_page, name="flags"),
    path("<uuid:vault_id>/leads/confirm/", views.confirm_lead, name="confirm-lead"),
]
