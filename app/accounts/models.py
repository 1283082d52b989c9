from django.conf import settings
from django.db import models


class EmailVerification(models.Model):
    """Whether and when a user verified their email address.

    Housekeeping deletes only users that have a row here with no verified_at: a user the app
    never asked to verify (created in the admin, say) is not this table's to judge.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.DB_CASCADE,
        related_name="email_verification",
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user} verified at {self.verified_at or 'never'}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
