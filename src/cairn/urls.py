from django.urls import include, path

urlpatterns = [
    path("", include("cairn.vault.urls")),
    path("", include("cairn.integrity.urls")),
    path("account/", include("cairn.own.urls")),
    path("", include("cairn.accounts.org_urls")),  # org/ and invite/
    path("import/", include("cairn.importers.urls")),
    path("pattern/", include("cairn.analysis.urls")),
    path("flags/", include("cairn.flags.urls")),
    path("pack/", include("cairn.packs.urls")),
    path("api/", include("cairn.api.urls")),
    path("share/", include("cairn.cases.victim_urls")),
    path("cases/", include("cairn.cases.urls")),
    path("", include("cairn.orders.urls")),  # orders/ and cases/<case>/spo/, orders/new/
    path("", include("cairn.breaches.urls")),  # cases/<case>/breaches/, share/<log>/breaches/
    path("dashboard/", include("cairn.dashboard.urls")),
    path("check/", include("cairn.checks.urls")),
    path("cameras/", include("cairn.cameras.urls")),
    path("cases/<uuid:case_id>/cameras/", include("cairn.cameras.police_urls")),
    path("shared/", include("cairn.cases.advocate_urls")),
    path("", include("cairn.web.urls")),
]

# Error pages in the service's layout, with "Exit this page" and a way home (issue 16); a
# request too large to read gets a page that says the limit and keeps what it can.
handler400 = "cairn.web.views.bad_request"
handler403 = "cairn.web.views.permission_denied"
handler404 = "cairn.web.views.page_not_found"
handler500 = "cairn.web.views.server_error"
