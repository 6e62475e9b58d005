"""Each person's time zone: the zones they may choose, the zone to show their pages in, and the
local hours at which reminders reach them."""

from __future__ import annotations

import datetime
import functools
import zoneinfo

from accounts.models import User

UTC = zoneinfo.ZoneInfo("UTC")
# Reminders reach people in their working day: held until 09:00 local, never sent after 18:00.
MORNING = datetime.time(9, 0)
EVENING = datetime.time(18, 0)


@functools.cache
def zone_names() -> list[str]:
    """The IANA zones a person may choose, sorted (several hundred: Europe/Paris, Asia/Kolkata…)."""
    return sorted(zoneinfo.available_timezones())


def zone_of(user: User) -> zoneinfo.ZoneInfo:
    """The user's zone; UTC if the stored name is not a zone this machine knows."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def local_now(user: User, now: datetime.datetime) -> datetime.datetime:
    return now.astimezone(zone_of(user))


def in_working_hours(user: User, now: datetime.datetime) -> bool:
    """Between 09:00 and 18:00 on the user's clock."""
    return MORNING <= local_now(user, now).time() < EVENING


def next_local_morning(user: User, now: datetime.datetime) -> datetime.datetime:
    """When a reminder may reach the user: now during their working hours, else their next 09:00."""
    local = local_now(user, now)
    if MORNING <= local.time() < EVENING:
        return now
    day = local.date() if local.time() < MORNING else local.date() + datetime.timedelta(days=1)
    # A zone-aware wall time; zoneinfo resolves a 09:00 that a clock change skips or repeats.
    return datetime.datetime.combine(day, MORNING, tzinfo=local.tzinfo)
