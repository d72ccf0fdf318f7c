from django.urls import path

from cairn.cameras import police_views

app_name = "case-cameras"

# The officer's camera pages, under /cases/<case>/cameras/ (mounted in cairn.urls).
urlpatterns = [
    path("<uuid:camera_id>/", police_views.camera_page, name="camera"),
    path("<uuid:camera_id>/step/", police_views.camera_step, name="step"),
    path("<uuid:camera_id>/collected/", police_views.camera_collected, name="collected"),
]
