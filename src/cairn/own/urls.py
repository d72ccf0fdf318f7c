from django.contrib.auth import views as auth_views
from django.urls import path

from cairn.accounts import passkey_views, recovery_views, two_factor_views
from cairn.own import join_views
from cairn.own import views as own_views

app_name = "accounts"

# URLs carry only ids (UUIDs) and one-time secrets, never content (DESIGN.md invariant 5).
urlpatterns = [
    path("", own_views.account, name="account"),
    path("sign-in/", join_views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("sign-in/new-devices/", own_views.sign_in_notice, name="sign-in-notice"),
    path("sign-up/", join_views.sign_up_page, name="sign-up"),
    path("two-factor/", two_factor_views.verify, name="two-factor-verify"),
    path("two-factor/set-up/", two_factor_views.set_up, name="two-factor-set-up"),
    path("two-factor/remove/", passkey_views.app_remove, name="two-factor-remove"),
    path(
        "two-factor/passkey/options/",
        passkey_views.sign_in_passkey_options,
        name="two-factor-passkey-options",
    ),
    path("two-factor/passkey/", passkey_views.sign_in_passkey, name="two-factor-passkey"),
    path(
        "two-factor/recovery-code/",
        passkey_views.sign_in_recovery_code,
        name="two-factor-recovery-code",
    ),
    path("password/", own_views.password, name="password"),
    path("confirm-password/", own_views.confirm_password, name="confirm-password"),
    path("sessions/", own_views.session_list, name="sessions"),
    path("sessions/end-others/", own_views.sessions_end_others, name="sessions-end-others"),
    path("sessions/<uuid:session_id>/end/", own_views.session_end, name="session-end"),
    path("passkeys/", passkey_views.passkey_list, name="passkeys"),
    path("passkeys/options/", passkey_views.passkey_options, name="passkey-options"),
    path("passkeys/add/", passkey_views.passkey_add, name="passkey-add"),
    path("passkeys/<int:passkey_id>/remove/", passkey_views.passkey_remove, name="passkey-remove"),
    path("recovery-codes/", recovery_views.recovery_codes, name="recovery-codes"),
    path("email/", recovery_views.recovery_address, name="email"),
    path("email/confirm/<str:token>/", recovery_views.confirm_address, name="email-confirm"),
    path("recover/", recovery_views.recover, name="recover"),
    path("recover/code/", recovery_views.recover_with_code, name="recover-code"),
    path("recover/email/", recovery_views.recover_by_email, name="recover-email"),
    path(
        "recover/email/<uuid:user_id>/<str:token>/",
        recovery_views.recover_email_link,
        name="recover-email-link",
    ),
    path("reset/<str:token>/", recovery_views.reset_link, name="reset-link"),
    path("logs/new/", own_views.new_log, name="new-log"),
    path("close/", own_views.close, name="close"),
    path("close/check/", own_views.close_check, name="close-check"),
    path("closed/", own_views.closed, name="closed"),
    path("help/", join_views.help_page, name="help"),
    path("help/invite/", join_views.help_invite, name="help-invite"),
    path("help/<uuid:vault_id>/reset/", join_views.help_reset, name="help-reset"),
]
