from django.urls import path

from cairn.web import views

app_name = "web"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # A neutral address: it shows in no history (only scripts call it), but stays plain.
    path("leave/", views.leave, name="leave"),
    path("readyz", views.readyz, name="readyz"),
]
