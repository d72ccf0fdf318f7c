"""Organisation administration and invitation links, included from ``cairn.urls`` at the
site root: ``/org/...`` and ``/invite/<token>/...``."""

from django.urls import path

from cairn.accounts import org_views

app_name = "org"

urlpatterns = [
    path("org/", org_views.organisation, name="home"),
    path("org/invite/", org_views.invite, name="invite"),
    path("org/members/<uuid:membership_id>/end/", org_views.end_role, name="end-role"),
    # The token is a secret: only its SHA-256 is stored, and it is never logged.
    path("invite/<str:token>/", org_views.invitation, name="invitation"),
    path(
        "invite/<str:token>/create-account/",
        org_views.invitation_create_account,
        name="invitation-create-account",
    ),
]
