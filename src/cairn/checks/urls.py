from django.urls import path

from cairn.checks import views

app_name = "checks"

# URLs carry only the vault's id (DESIGN.md invariant 5); which check is meant travels in the
# form or the query string, as an id.
urlpatterns = [
    path("<uuid:vault_id>/", views.check, name="check"),
    path("<uuid:vault_id>/apps/", views.check_apps, name="apps"),
    path("<uuid:vault_id>/apps/save/", views.save_apps, name="apps-save"),
    path("<uuid:vault_id>/accounts/", views.check_accounts, name="accounts"),
    path("<uuid:vault_id>/accounts/review/", views.review_accounts, name="accounts-review"),
    path("<uuid:vault_id>/accounts/mark/", views.mark, name="accounts-mark"),
    path("<uuid:vault_id>/accounts/unmark/", views.unmark, name="accounts-unmark"),
    path("<uuid:vault_id>/accounts/save/", views.save_accounts, name="accounts-save"),
]
