"""Forms for a victim's own account: they parse what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.password_validation import validate_password

from cairn.accounts.models import User
from cairn.accounts.sign_up import username_taken

CHOOSING_HELP = "At least 10 characters. Not one you use anywhere else, and not one he knows."


TAKEN = "This username is taken: choose another"


class SignUpForm(UserCreationForm):  # type: ignore[type-arg]
    """Django's own sign-up form (``username``, ``password1``, ``password2``: its checks of
    the username and of the two passwords), with her initials for her first log and, when
    the instance is invite-only, the code she was given."""

    initials = forms.CharField(
        label="Your initials",
        max_length=4,
        help_text="1 to 4 letters, for example AB. They begin the numbers of your evidence "
        "(AB/1, AB/2).",
        error_messages={"required": "Enter your initials, for example AB"},
    )
    code = forms.CharField(
        label="Your code",
        max_length=40,
        required=False,
        help_text="The code the person who supports you gave you, for example ABCD-EFGH-JKMN.",
    )

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined,misc]
        model = User
        fields = ("username",)

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_code = needs_code
        self.fields["username"].help_text = (
            "You will sign in with it. Choose one he would not guess, and not your e-mail "
            "address. Letters, digits and . @ + - _ only."
        )
        self.fields["username"].error_messages["required"] = "Enter a username"
        self.fields["password1"].help_text = CHOOSING_HELP
        self.fields["password1"].error_messages["required"] = "Enter a password"
        self.fields["password2"].label = "Enter the password again"
        self.fields["password2"].help_text = ""
        self.fields["password2"].error_messages["required"] = "Enter the password again"
        self.error_messages = {
            **self.error_messages,
            "password_mismatch": "The passwords do not match",
        }
        if not needs_code:
            del self.fields["code"]
        else:
            self.fields["code"].required = True
            self.fields["code"].error_messages["required"] = "Enter the code you were given"
        self.order_fields(["code", "username", "password1", "password2", "initials"])

    def clean_username(self) -> str:
        username: str = self.cleaned_data.get("username") or ""
        if username_taken(username):
            raise forms.ValidationError(TAKEN)
        return username

    def validate_unique(self) -> None:
        """Checked in ``clean_username`` (whatever the case) with a plain message."""

    def clean_initials(self) -> str:
        initials = "".join(self.cleaned_data["initials"].split()).upper()
        if not (1 <= len(initials) <= 4 and initials.isalpha()):
            raise forms.ValidationError("Initials must be 1 to 4 letters, for example AB")
        return initials


class PasswordForm(forms.Form):
    """Her current password, to confirm an important change."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not right")
        return password


class NewPasswordFields(forms.Form):
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput,
        help_text=CHOOSING_HELP,
        error_messages={"required": "Enter a new password"},
    )
    new_password2 = forms.CharField(
        label="Enter the new password again",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter the new password again"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "The passwords do not match")
        return cleaned


class ChangePasswordForm(NewPasswordFields):
    old_password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your current password"},
    )

    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self) -> str:
        password: str = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Your current password is not right")
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first = cleaned.get("new_password1")
        if first and "new_password2" not in self.errors:
            try:
                validate_password(first, user=self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned


class RecoverWithCodeForm(NewPasswordFields):
    username = forms.CharField(
        label="Username", max_length=150, error_messages={"required": "Enter your username"}
    )
    code = forms.CharField(
        label="One of your recovery codes",
        max_length=40,
        help_text="For example ABCDE-FGHJK. Each code works once.",
        error_messages={"required": "Enter a recovery code"},
    )

    field_order = ["username", "code", "new_password1", "new_password2"]


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="One of your recovery codes",
        max_length=40,
        help_text="For example ABCDE-FGHJK. Each code works once.",
        error_messages={"required": "Enter a recovery code"},
    )


class UsernameForm(forms.Form):
    username = forms.CharField(
        label="Username", max_length=150, error_messages={"required": "Enter your username"}
    )


class AddressForm(forms.Form):
    address = forms.CharField(
        label="E-mail address",
        max_length=254,
        help_text="Only for getting back into your account. Choose one he cannot read.",
        error_messages={"required": "Enter an e-mail address"},
    )


class NewLogForm(forms.Form):
    name = forms.CharField(
        label="Name of the log",
        max_length=100,
        help_text="Only you see it. For example, \u201cMy son's log\u201d.",
        error_messages={"required": "Enter a name for the log"},
    )
    initials = forms.CharField(
        label="Initials for its evidence numbers",
        max_length=4,
        help_text="1 to 4 letters, for example AB.",
        error_messages={"required": "Enter initials, for example AB"},
    )


class SeenInPersonForm(forms.Form):
    seen = forms.BooleanField(
        label="I have seen this person in person today and checked it is them",
        error_messages={"required": "Confirm that you have seen them in person"},
    )
