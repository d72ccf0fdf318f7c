from django.urls import path

from cairn.cases import closure_views, multiagency_views, risk_views, views

app_name = "cases"

# The officer's pages, under /cases/. URLs carry only ids (DESIGN.md invariant 5).
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.new_case, name="new"),
    path("<uuid:case_id>/", views.case_page, name="case"),
    path("<uuid:case_id>/purpose/", views.choose_purpose, name="purpose"),
    path("<uuid:case_id>/status/", views.change_status, name="status"),
    path("<uuid:case_id>/closure/sign-off/", closure_views.sign_off, name="closure-sign-off"),
    path(
        "<uuid:case_id>/shares/<uuid:share_id>/defendant/",
        closure_views.choose_defendant,
        name="defendant",
    ),
    path("<uuid:case_id>/review-date/", views.change_review_date, name="review-date"),
    path("<uuid:case_id>/timeline/new/", views.add_entry, name="entry-new"),
    path("<uuid:case_id>/suspects/new/", views.add_suspect, name="suspect-new"),
    path("<uuid:case_id>/code/", views.share_code, name="code"),
    path(
        "<uuid:case_id>/vaults/<uuid:vault_id>/incidents/<uuid:incident_id>/",
        views.shared_incident,
        name="incident",
    ),
    path(
        "<uuid:case_id>/vaults/<uuid:vault_id>/exhibits/<uuid:exhibit_id>/",
        views.shared_exhibit,
        name="exhibit",
    ),
    path("<uuid:case_id>/right-to-know/", multiagency_views.right_to_know, name="right-to-know"),
    path("<uuid:case_id>/referrals/new/", multiagency_views.referral_new, name="referral-new"),
    path(
        "<uuid:case_id>/referrals/<int:referral_id>/outcome/",
        multiagency_views.referral_outcome,
        name="referral-outcome",
    ),
    path("<uuid:case_id>/risk/", risk_views.risk_list, name="risk"),
    path("<uuid:case_id>/risk/new/", risk_views.risk_new, name="risk-new"),
    path(
        "<uuid:case_id>/risk/<uuid:assessment_id>/",
        risk_views.risk_assessment,
        name="risk-assessment",
    ),
    path(
        "<uuid:case_id>/risk/<uuid:assessment_id>/review/",
        risk_views.risk_review,
        name="risk-review",
    ),
]
