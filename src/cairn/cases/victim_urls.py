from django.urls import path

from cairn.cases import closure_views
from cairn.cases import victim_views as views

app_name = "sharing"

# The victim's sharing pages, under /share/. URLs carry only ids (DESIGN.md invariant 5).
urlpatterns = [
    path("<uuid:vault_id>/", views.share, name="share"),
    path("<uuid:vault_id>/link/", views.link, name="link"),
    path("<uuid:vault_id>/<uuid:share_id>/change/", views.change, name="change"),
    path("<uuid:vault_id>/<uuid:share_id>/stop/", views.withdraw, name="withdraw"),
    path("<uuid:vault_id>/<uuid:share_id>/reopen/", closure_views.reopen, name="reopen"),
    path("<uuid:vault_id>/access-log/", views.access_log, name="access-log"),
]
