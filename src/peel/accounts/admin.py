from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from peel.accounts.models import Team, User


class PeelUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Peel", {"fields": ("collar_number", "teams", "sso_subject")}),
    )  # type: ignore[misc]
    filter_horizontal = (*UserAdmin.filter_horizontal, "teams")


admin.site.register(User, PeelUserAdmin)
admin.site.register(Team)
# Security keys, beside django-otp's authenticator apps and recovery codes (which register
# themselves); their secrets are hidden (OTP_ADMIN_HIDE_SENSITIVE_DATA) and never audited.
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
