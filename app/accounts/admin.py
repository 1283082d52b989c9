from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from app.accounts.models import EmailVerification


class EmailVerificationInline(admin.StackedInline):
    model = EmailVerification
    can_delete = False


class CronsuiteUserAdmin(UserAdmin):
    inlines = [EmailVerificationInline]
    list_display = ["username", "email", "date_joined", "email_verified_at", "is_staff"]
    list_filter = [*UserAdmin.list_filter, "email_verification__verified_at"]
    list_select_related = ["email_verification"]

    @admin.display(description="email verified", ordering="email_verification__verified_at")
    def email_verified_at(self, user):
        verification = getattr(user, "email_verification", None)
        return verification.verified_at if verification else None


admin.site.unregister(User)
admin.site.register(User, CronsuiteUserAdmin)
