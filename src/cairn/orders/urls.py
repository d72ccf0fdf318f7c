from django.urls import path

from cairn.orders import views
from cairn.orders import views_applications as spo
from cairn.orders import views_court_orders as court_orders
from cairn.orders import views_notification as spo_notification
from cairn.orders import views_orders as spo_orders

app_name = "orders"

# Included from cairn/urls.py at the root, so the case's order pages keep their paths under
# /cases/<case>/ while the case app never imports this one (ADR 0055). URLs carry only ids.
urlpatterns = [
    path("orders/calendar.ics", views.calendar_feed, name="calendar"),
    path("orders/deadlines/", spo_orders.deadlines, name="deadlines"),
    # Stalking Protection Order applications and orders (ADR 0017).
    path("cases/<uuid:case_id>/spo/new/", spo.application_new, name="spo-new"),
    path("cases/<uuid:case_id>/orders/new/", court_orders.court_order_new, name="court-order-new"),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/",
        spo.application_page,
        name="spo-application",
    ),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/edit/",
        spo.application_edit,
        name="spo-edit",
    ),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/status/",
        spo.application_status,
        name="spo-status",
    ),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/check/",
        spo.application_check,
        name="spo-check",
    ),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/interim/",
        spo.interim_apply,
        name="spo-interim-apply",
    ),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/interim/step/",
        spo.interim_step,
        name="spo-interim-step",
    ),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/history/<int:change_id>/victim-told/",
        spo.victim_informed,
        name="spo-victim-informed",
    ),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/order/",
        spo_orders.order_new,
        name="spo-order-new",
    ),
    path(
        "cases/<uuid:case_id>/spo/<uuid:application_id>/download/",
        spo.application_download,
        name="spo-download",
    ),
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/", spo_orders.order_page, name="spo-order"
    ),
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/served/",
        spo_orders.order_served,
        name="spo-order-served",
    ),
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/review-date/",
        spo_orders.order_review,
        name="spo-order-review",
    ),
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/vary/",
        spo_orders.order_vary,
        name="spo-order-vary",
    ),
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/renew/",
        spo_orders.order_renew,
        name="spo-order-renew",
    ),
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/discharge/",
        spo_orders.order_discharge,
        name="spo-order-discharge",
    ),
    # The defendant's notification (ss.9-11).
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/notifications/new/",
        spo_notification.change_new,
        name="spo-notification-new",
    ),
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/notifications/<uuid:event_id>/given/",
        spo_notification.given,
        name="spo-notification-given",
    ),
    path(
        "cases/<uuid:case_id>/spo/orders/<uuid:order_id>/sex-offender-notification/",
        spo_notification.register,
        name="spo-register",
    ),
]
