from django.urls import path

from cairn.cases import closure_views
from cairn.cases import victim_views as views
from cairn.orders import breach_victim_views

app_name = "sharing"

# The victim's sharing pages, under /share/. URLs carry only ids (DESIGN.md invariant 5).
urlpatterns = [
    path("<uuid:vault_id>/", views.share, name="share"),
    path("<uuid:vault_id>/link/", views.link, name="link"),
    path("<uuid:vault_id>/<uuid:share_id>/change/", views.change, name="change"),
    path("<uuid:vault_id>/<uuid:share_id>/stop/", views.withdraw, name="withdraw"),
    path("<uuid:vault_id>/<uuid:share_id>/reopen/", closure_views.reopen, name="reopen"),
    path("<uuid:vault_id>/access-log/", views.access_log, name="access-log"),
    # Breaches of an order (cairn.orders, ADR 0020): her reports and what happened to them.
    path("<uuid:vault_id>/breaches/", breach_victim_views.reports, name="breaches"),
    path("<uuid:vault_id>/breaches/report/", breach_victim_views.report, name="breach-report"),
    path("<uuid:vault_id>/breaches/<uuid:breach_id>/", breach_victim_views.report_page,
         name="breach"),
]
