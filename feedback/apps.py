from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self) -> None:
        # The outbox asks these, just before sending a reminder, whether its step was done meanwhile
        # (notifications cannot import feedback: the imports run the other way).
        from feedback.reminders import CHECKS
        from notifications.reminders import register_reminder_check

        for prefix, check in CHECKS.items():
            register_reminder_check(prefix, check)
