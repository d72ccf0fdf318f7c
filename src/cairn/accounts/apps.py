from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cairn.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import pre_save
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from cairn.accounts import reauth, sessions
        from cairn.accounts.models.two_factor import AuthenticatorApp, seal_before_saving

        def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if request is not None and hasattr(request, "session"):
                sessions.record_sign_in(request, user)
                reauth.note_password_typed(request)

        def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if request is not None:
                sessions.record_sign_out(request)

        user_logged_in.connect(signed_in, dispatch_uid="cairn-session-record-in", weak=False)
        user_logged_out.connect(signed_out, dispatch_uid="cairn-session-record-out", weak=False)
        # No authenticator app's secret is written in plain (models/two_factor.py).
        for model in (TOTPDevice, AuthenticatorApp):
            pre_save.connect(
                seal_before_saving, sender=model, dispatch_uid=f"cairn-seal-totp-{model.__name__}"
            )
