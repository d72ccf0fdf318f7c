from django.urls import path

from cairn.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("figures.csv", views.dashboard_csv, name="csv"),
]
