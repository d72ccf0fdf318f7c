from django.urls import include, path

urlpatterns = [
    path("", include("cairn.vault.urls")),
    path("account/", include("cairn.accounts.urls")),
    path("", include("cairn.web.urls")),
]
