"""What a reminder is, for the outbox: the kinds a person may mute, and whether a reminder's step is done.

Only the kinds in REMINDER_KINDS can be muted (from the settings page or a reminder's unsubscribe link);
account emails ("account.*") and decisions (a match approved, an internship accepted or declined…) are
not in it, so they always go out.

A reminder names the step it is about in `Notification.reminder_of`, "<prefix>:<ids…>", e.g.
"weekly_report:12:3". Just before sending, the send task asks the check registered for the prefix
whether the step is done meanwhile (the report submitted, the task reviewed); if so the reminder is
skipped. The apps that write reminders register their checks in their AppConfig.ready() —
notifications cannot import them (the imports run the other way). A prefix with no check is sent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderKind:
    label: str
    description: str
    # Shown on the settings page to moderators only (others never get it).
    moderators_only: bool = False


REMINDER_KINDS: dict[str, ReminderKind] = {
    "feedback.reminder_weekly_report_due": ReminderKind(
        "Weekly report due", "On the last day of each week of your internship, if your report is not in yet."
    ),
    "feedback.reminder_weekly_report_overdue": ReminderKind(
        "Weekly report overdue",
        "Two days after a week ends without its report: to the intern, and to the sending business's owners.",
    ),
    "feedback.reminder_task_review": ReminderKind(
        "Tasks waiting for your review", "To a mentor, two days after the intern marked a task done."
    ),
    "feedback.reminder_plan_approval": ReminderKind(
        "Implementation plans waiting for approval",
        "To the sending business's owners, three days after the intern submitted the plan.",
    ),
    "feedback.reminder_follow_up_due": ReminderKind(
        "Follow-ups due",
        "To the sending business's owners, on the day a +30, +60 or +90-day follow-up is due.",
    ),
    "internships.internship_request_reminder": ReminderKind(
        "Internship requests waiting for your answer", "Three days after a request or other dates came in."
    ),
    "feedback.reminder_weekly_report_escalation": ReminderKind(
        "Weekly reports a week late",
        "To moderators, when a weekly report is still missing a week after it was due.",
        moderators_only=True,
    ),
    "notifications.moderator_digest": ReminderKind(
        "Moderators' daily digest",
        "Each morning: matches awaiting a decision, businesses to verify, emails that failed.",
        moderators_only=True,
    ),
}


def is_reminder(kind: str) -> bool:
    """Whether a person may mute this kind of email."""
    return kind in REMINDER_KINDS


# A check takes the ids after the prefix ("12", "3") and says whether the step is done.
ReminderCheck = Callable[[list[str]], bool]
_checks: dict[str, ReminderCheck] = {}


def register_reminder_check(prefix: str, check: ReminderCheck) -> None:
    """Tell the outbox how to know that the steps "<prefix>:…" are done (call it from AppConfig.ready)."""
    if ":" in prefix:
        raise ValueError(f"A reminder prefix has no colon: {prefix!r}.")
    _checks[prefix] = check


def step_is_done(reminder_of: str) -> bool:
    """Whether the step a reminder is about was done meanwhile (False for no step or an unknown prefix)."""
    if not reminder_of:
        return False
    prefix, *ids = reminder_of.split(":")
    check = _checks.get(prefix)
    if check is None:
        # Better a reminder too many than a silent one: the app forgot to register its check.
        logger.warning("No reminder check is registered for %r; sending the reminder.", prefix)
        return False
    try:
        return check(ids)
    except Exception:  # A broken check must not hold every reminder of its kind: send it.
        logger.exception("The reminder check for %r failed; sending the reminder.", reminder_of)
        return False
