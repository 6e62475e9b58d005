from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One email, written before it is sent (the outbox).

    The unique key (recipient, kind, object, period) makes queuing idempotent: a
    retried task, a restarted worker or a second beat finds the row already there.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Not sent on purpose: the recipient muted the kind, or the step was done meanwhile.
        SKIPPED = "skipped", "Skipped"

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=64, db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # The email made into bytes when it was queued, less its Date header (each send adds its own):
    # a worker sends it as it is, rather than building it again. Empty on rows queued before it existed.
    message = models.BinaryField(blank=True, default=b"", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt, or for a reminder held until the recipient's local
    # morning: not before this time (the relay queues it then).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A reminder names the step it is about ("weekly_report:12:3"); if that step is
    # done by the time it would be sent, it is skipped.
    reminder_of = models.CharField(max_length=100, blank=True)
    list_unsubscribe = models.URLField(blank=True, help_text="Where the reminder's unsubscribe link points.")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "queued_at"], name="notification_status_queued")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"


class MutedKind(models.Model):
    """A reminder kind a person chose not to receive (account and decision emails cannot be muted)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_kinds")
    kind = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="muted_kind_once")]

    def __str__(self) -> str:
        return f"{self.user} mutes {self.kind}"
