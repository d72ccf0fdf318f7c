from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cairn.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from cairn.accounts import reauth, sessions

        def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if request is not None and hasattr(request, "session"):
                sessions.record_sign_in(request, user)
                reauth.note_password_typed(request)

        def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if request is not None:
                sessions.record_sign_out(request)

        user_logged_in.connect(signed_in, dispatch_uid="cairn-session-record-in", weak=False)
        user_logged_out.connect(signed_out, dispatch_uid="cairn-session-record-out",
                                 weak=False)
