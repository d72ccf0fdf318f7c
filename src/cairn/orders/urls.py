from django.urls import path

from cairn.orders import views

app_name = "orders"

urlpatterns = [
    path("calendar.ics", views.calendar_feed, name="calendar"),
]
