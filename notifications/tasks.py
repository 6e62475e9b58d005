from celery import shared_task

from notifications import services
from notifications.emails import build_message


@shared_task
def send_notification(notification_id: int) -> None:
    """Send one outbox row. A row already taken or sent is left alone, so a
    redelivered or duplicated task never sends twice; a muted or moot reminder is skipped."""
    notification = services.claim_for_sending(notification_id=notification_id)
    if notification is None:
        return
    # Decided now, not when queued: a reminder held until the morning may have become moot.
    reason = services.reason_to_skip(notification)
    if reason:
        services.mark_skipped(notification=notification, reason=reason)
        return
    message = build_message(
        to=notification.to_email,
        subject=notification.subject,
        text=notification.body_text,
        html=notification.body_html,
        list_unsubscribe=notification.list_unsubscribe,
    )
    try:
        message.send(using="default")
    except Exception as error:  # Any failure to hand over the mail is retried later.
        services.mark_attempt_failed(notification=notification, error=repr(error))
        return
    services.mark_sent(notification=notification)


@shared_task
def relay_pending() -> int:
    return services.relay_pending()
