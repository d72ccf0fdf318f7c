"""The project's URLs plus one view that fails, to see the 500 page (tests/test_error_pages.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something broke")


urlpatterns = [
    path("fails/", fails),
    path("", include("cairn.urls")),
]

handler400 = "cairn.web.views.bad_request"
handler403 = "cairn.web.views.permission_denied"
handler404 = "cairn.web.views.page_not_found"
handler500 = "cairn.web.views.server_error"
