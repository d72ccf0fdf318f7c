from django.urls import path

from cairn.cameras import views

app_name = "cameras"

# Her pages, under /cameras/. URLs carry only ids (DESIGN.md invariant 5).
urlpatterns = [
    path("vaults/<uuid:vault_id>/", views.camera_list, name="list"),
    path("vaults/<uuid:vault_id>/own-camera/", views.own_camera, name="own-camera"),
    path("incidents/<uuid:incident_id>/new/", views.camera_new, name="new"),
    path("<uuid:camera_id>/", views.camera_detail, name="camera"),
    path("<uuid:camera_id>/step/", views.camera_step, name="step"),
    path("<uuid:camera_id>/police/", views.camera_hand, name="hand"),
    path("<uuid:camera_id>/letter/access/", views.letter_access, name="letter-access"),
    path("<uuid:camera_id>/letter/keep/", views.letter_keep, name="letter-keep"),
]
