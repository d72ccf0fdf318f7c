from django.urls import path

from cairn.breaches import victim_views, views

app_name = "breaches"

# Included from cairn/urls.py at the root: the officer's pages stay under /cases/<case>/ and
# the victim's under /share/<log>/, as before the app was split out (ADR 0055).
urlpatterns = [
    # The officer's pages of a breach of an order (ADR 0020).
    path("cases/<uuid:case_id>/breaches/new/", views.breach_new, name="breach-new"),
    path("cases/<uuid:case_id>/breaches/<uuid:breach_id>/", views.breach_page, name="breach"),
    path(
        "cases/<uuid:case_id>/breaches/<uuid:breach_id>/outcome/",
        views.breach_outcome,
        name="breach-outcome",
    ),
    path(
        "cases/<uuid:case_id>/breaches/<uuid:breach_id>/pack/",
        views.breach_pack,
        name="breach-pack",
    ),
    # A failure to notify (s.11), from the order page's notification section.
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/notifications/<uuid:event_id>/failure/",
        views.notification_failure,
        name="notification-failure",
    ),
    # The victim's: her reports and what happened to them.
    path("share/<uuid:vault_id>/breaches/", victim_views.reports, name="victim-reports"),
    path("share/<uuid:vault_id>/breaches/report/", victim_views.report, name="victim-report"),
    path(
        "share/<uuid:vault_id>/breaches/<uuid:breach_id>/",
        victim_views.report_page,
        name="victim-breach",
    ),
]
