"""The internship as an iCalendar file: its dates, and each weekly report's due date.

All-day events: DTSTART is the first day and DTEND the day after the last (RFC 5545
makes DTEND exclusive). UIDs are stable, so importing the file again updates the
events rather than duplicating them."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from icalendar import STATUS, TRANSP, Calendar, Event

from accounts.http import AuthenticatedHttpRequest
from businesses.models import Mode
from internships.access import internship_for
from internships.models import Internship
from internships.selectors.internships import week_bounds

ONE_DAY = datetime.timedelta(days=1)
TENTATIVE = {Internship.Status.REQUESTED, Internship.Status.ACCEPTED}
CANCELLED = {Internship.Status.DECLINED, Internship.Status.CANCELLED}


def event_status(internship: Internship) -> STATUS:
    if internship.status in TENTATIVE:
        return STATUS.TENTATIVE
    if internship.status in CANCELLED:
        return STATUS.CANCELLED
    return STATUS.CONFIRMED


def internship_calendar(internship: Internship) -> Calendar:
    """One event for the internship's days and one for each weekly report's due date."""
    domain = urlsplit(settings.SITE_URL).hostname or "peership"
    url = settings.SITE_URL + reverse("internships:detail", kwargs={"pk": internship.pk})
    practice = internship.offer.practice.name
    stamp = timezone.now()
    status = event_status(internship)
    where = (
        "Remote"
        if internship.offer.mode == Mode.REMOTE
        else f"{internship.host.name}, {internship.host.city}"
    )
    events = [
        Event.new(
            uid=f"internship-{internship.pk}@{domain}",
            stamp=stamp,
            start=internship.start,
            end=internship.end + ONE_DAY,
            summary=f"Internship: {practice} at {internship.host.name}",
            description=(
                f"{internship.intern or internship.intern_email} from {internship.learner.name} learns "
                f"{practice} at {internship.host.name}"
                + (f", mentored by {internship.mentor}" if internship.mentor else "")
                + f".\n{url}"
            ),
            location=where,
            url=url,
            status=status,
        )
    ]
    for number, _, last in week_bounds(internship):
        events.append(
            Event.new(
                uid=f"internship-{internship.pk}-report-week-{number}@{domain}",
                stamp=stamp,
                start=last,
                end=last + ONE_DAY,
                summary=f"Weekly report due: week {number} of the {practice} internship",
                description=f"The intern's report on week {number}, for the mentor and the sending owner."
                f"\n{url}",
                url=url,
                status=status,
                transparency=TRANSP.TRANSPARENT,
            )
        )
    return Calendar.new(
        prodid="-//Peership//Internships//EN",
        name=f"{practice} at {internship.host.name}",
        calscale="GREGORIAN",
        subcomponents=events,
    )


@login_required
@require_http_methods(["GET"])
def ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    if not (roles.intern or roles.mentor or roles.learner_manager or roles.host_manager):
        raise PermissionDenied("The calendar is for the intern, the mentor and the two businesses' owners.")
    response = HttpResponse(
        internship_calendar(internship).to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="peership-internship-{internship.pk}.ics"'
    return response
