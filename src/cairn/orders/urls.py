from django.urls import path

from cairn.orders import views, views_applications

app_name = "orders"

urlpatterns = [
    path("calendar.ics", views.calendar_feed, name="calendar"),
    path("deadlines/", views_applications.deadlines, name="deadlines"),
]
