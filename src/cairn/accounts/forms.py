from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active.",
    }

    username = forms.CharField(
        label="Username",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # Her answer is kept in this browser only (cairn.web.own_device).
    remember = forms.BooleanField(
        label="Let this browser remember me",
        required=False,
        help_text="Only on a phone or computer that nobody else uses. Then your browser may "
        "fill in your username and offer to keep your password.",
    )


class TwoFactorCodeForm(forms.Form):
    """The 6-digit code from an authenticator app (spaces and hyphens are ignored)."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"] if ch not in " -")
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return code
