from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from peel.accounts.models import Team, User


class PeelUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Peel", {"fields": ("collar_number", "teams", "sso_subject")}),
    )  # type: ignore[misc]
    filter_horizontal = (*UserAdmin.filter_horizontal, "teams")


admin.site.register(User, PeelUserAdmin)
admin.site.register(Team)
