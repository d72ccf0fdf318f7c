from django.urls import path

from cairn.orders import views, views_orders

app_name = "orders"

urlpatterns = [
    path("calendar.ics", views.calendar_feed, name="calendar"),
    path("deadlines/", views_orders.deadlines, name="deadlines"),
]
