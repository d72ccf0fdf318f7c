from django.urls import path

from cairn.cases import closure_views, multiagency_views, risk_views, views
from cairn.orders import breach_views
from cairn.orders import views_applications as spo
from cairn.orders import views_court_orders as court_orders
from cairn.orders import views_notification as spo_notification
from cairn.orders import views_orders as spo_orders

app_name = "cases"

# The officer's pages, under /cases/. URLs carry only ids (DESIGN.md invariant 5).
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.new_case, name="new"),
    path("<uuid:case_id>/", views.case_page, name="case"),
    path("<uuid:case_id>/purpose/", views.choose_purpose, name="purpose"),
    path("<uuid:case_id>/status/", views.change_status, name="status"),
    path("<uuid:case_id>/closure/sign-off/", closure_views.sign_off, name="closure-sign-off"),
    path("<uuid:case_id>/review-date/", views.change_review_date, name="review-date"),
    path("<uuid:case_id>/timeline/new/", views.add_entry, name="entry-new"),
    path("<uuid:case_id>/suspects/new/", views.add_suspect, name="suspect-new"),
    path("<uuid:case_id>/code/", views.share_code, name="code"),
    path("<uuid:case_id>/vaults/<uuid:vault_id>/incidents/<uuid:incident_id>/",
         views.shared_incident, name="incident"),
    path("<uuid:case_id>/vaults/<uuid:vault_id>/exhibits/<uuid:exhibit_id>/",
         views.shared_exhibit, name="exhibit"),
    path("<uuid:case_id>/right-to-know/", multiagency_views.right_to_know,
         name="right-to-know"),
    path("<uuid:case_id>/referrals/new/", multiagency_views.referral_new, name="referral-new"),
    path("<uuid:case_id>/referrals/<int:referral_id>/outcome/",
         multiagency_views.referral_outcome, name="referral-outcome"),
    path("<uuid:case_id>/risk/", risk_views.risk_list, name="risk"),
    path("<uuid:case_id>/risk/new/", risk_views.risk_new, name="risk-new"),
    path("<uuid:case_id>/risk/<uuid:assessment_id>/", risk_views.risk_assessment,
         name="risk-assessment"),
    path("<uuid:case_id>/risk/<uuid:assessment_id>/review/", risk_views.risk_review,
         name="risk-review"),
    # Breaches of an order (cairn.orders, ADR 0020).
    path("<uuid:case_id>/breaches/new/", breach_views.breach_new, name="breach-new"),
    path("<uuid:case_id>/breaches/<uuid:breach_id>/", breach_views.breach_page,
         name="breach"),
    path("<uuid:case_id>/breaches/<uuid:breach_id>/outcome/", breach_views.breach_outcome,
         name="breach-outcome"),
    path("<uuid:case_id>/breaches/<uuid:breach_id>/pack/", breach_views.breach_pack,
         name="breach-pack"),
    # Stalking Protection Order applications and orders (cairn.orders, ADR 0017).
    path("<uuid:case_id>/spo/new/", spo.application_new, name="spo-new"),
    path("<uuid:case_id>/orders/new/", court_orders.court_order_new, name="court-order-new"),
    path("<uuid:case_id>/spo/<uuid:application_id>/", spo.application_page,
         name="spo-application"),
    path("<uuid:case_id>/spo/<uuid:application_id>/edit/", spo.application_edit,
         name="spo-edit"),
    path("<uuid:case_id>/spo/<uuid:application_id>/status/", spo.application_status,
         name="spo-status"),
    path("<uuid:case_id>/spo/<uuid:application_id>/check/", spo.application_check,
         name="spo-check"),
    path("<uuid:case_id>/spo/<uuid:application_id>/interim/", spo.interim_apply,
         name="spo-interim-apply"),
    path("<uuid:case_id>/spo/<uuid:application_id>/interim/step/", spo.interim_step,
         name="spo-interim-step"),
    path("<uuid:case_id>/spo/<uuid:application_id>/history/<int:change_id>/victim-told/",
         spo.victim_informed, name="spo-victim-informed"),
    path("<uuid:case_id>/spo/<uuid:application_id>/order/", spo_orders.order_new,
         name="spo-order-new"),
    path("<uuid:case_id>/spo/<uuid:application_id>/download/", spo.application_download,
         name="spo-download"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/", spo_orders.order_page, name="spo-order"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/served/", spo_orders.order_served,
         name="spo-order-served"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/review-date/", spo_orders.order_review,
         name="spo-order-review"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/vary/", spo_orders.order_vary,
         name="spo-order-vary"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/renew/", spo_orders.order_renew,
         name="spo-order-renew"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/discharge/", spo_orders.order_discharge,
         name="spo-order-discharge"),
    # The defendant's notification (ss.9-11).
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/notifications/new/",
         spo_notification.change_new, name="spo-notification-new"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/notifications/<uuid:event_id>/given/",
         spo_notification.given, name="spo-notification-given"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/notifications/<uuid:event_id>/failure/",
         spo_notification.failure, name="spo-notification-failure"),
    path("<uuid:case_id>/spo/orders/<uuid:order_id>/sex-offender-notification/",
         spo_notification.register, name="spo-register"),
]
