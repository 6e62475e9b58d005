"""What an approved match's page shows its owners: why it was proposed, in plain words, from their side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django_countries import countries

from accounts.models import User
from businesses.models import Business, Membership, Mode, Need
from internships.models import Match

# A part at or under this is "not a reason" (the engine writes exact zeros).
NOTHING = 1e-9


@dataclass(frozen=True)
class Side:
    """The business the viewer acts for in this match and the other one; both None for a moderator."""

    mine: Business | None
    other: Business | None
    learning: bool = False  # the viewer's business is the learner
    manages: bool = False  # the viewer is an owner or manager of their business

    @property
    def hosting(self) -> bool:
        return self.mine is not None and not self.learning


def side_of(user: User, match: Match, current_business_id: int | None) -> Side:
    """Which of the two businesses the user sees the match as: the one they act for when in both.

    Read from the user's memberships, which the page's navigation reads anyway (no query of its own)."""
    both = (match.learner_id, match.host_id)
    mine = {m.business_id: m.role for m in user.memberships_held if m.business_id in both}
    if not mine:
        return Side(mine=None, other=None)
    if current_business_id in mine:
        chosen = current_business_id
    else:
        chosen = match.learner_id if match.learner_id in mine else match.host_id
    manages = mine[chosen] in (Membership.Role.OWNER, Membership.Role.MANAGER)
    if chosen == match.learner_id:
        return Side(mine=match.learner, other=match.host, learning=True, manages=manages)
    return Side(mine=match.host, other=match.learner, manages=manages)


def reasons(match: Match, side: Side) -> list[str]:
    """The score's parts as sentences; a part that added nothing, or took away, is left out."""
    need, offer, learner, host = match.need, match.offer, match.learner, match.host
    parts = {name: float(value) for name, value in match.parts.items()}
    learning, hosting = side.learning, side.hosting
    found: list[str] = []

    if offer.practice_id == need.practice_id:
        found.append(f"Same practice: {need.practice.name}")
    else:
        found.append(f"A related practice: {offer.practice.name}, for the need in {need.practice.name}")

    levels = f"from {need.current_level} to {need.target_level}"
    if learning:
        found.append(f"Raises your level {levels}: {host.name} works at level {offer.level}")
    elif hosting:
        found.append(f"Raises {learner.name}'s level {levels}: you work at level {offer.level}")
    else:
        found.append(f"Raises {learner.name}'s level {levels}: {host.name} works at level {offer.level}")

    if parts.get("urgency", 0) > NOTHING:
        when = "soon" if need.urgency == Need.Urgency.HIGH else "within a quarter"
        found.append(f"{'You need' if learning else learner.name + ' needs'} it {when}")

    if parts.get("distance", 0) > NOTHING:
        if learner.city.strip().casefold() == host.city.strip().casefold():
            found.append(f"Same city: {host.city}")
        else:
            found.append(f"Same country: {countries.name(host.country)}")
    elif offer.mode in {Mode.REMOTE, Mode.HYBRID}:
        found.append(f"{offer.get_mode_display()}: no need to move for it")

    if parts.get("track_record", 0) > NOTHING:
        found.append(
            "Your earlier interns reviewed you well"
            if hosting
            else f"{host.name}'s earlier interns reviewed it well"
        )

    if parts.get("reciprocity", 0) > NOTHING:
        if match.kind == Match.Kind.SWAP:
            found.append("A swap: each of you teaches the other something")
        else:
            found.append("A three-way exchange: each business teaches the next")
    return found


def exchange_partners(match: Match, side: Side) -> Sequence[Mapping[str, Any]]:
    """The other approved matches of the same swap or cycle that involve the viewer's business: the
    columns the page shows (whole rows of four joined tables cost some 5,000 function calls more)."""
    if not match.exchange or side.mine is None:
        return []
    mine = side.mine.pk
    return list(
        Match.objects.approved()
        .filter(exchange=match.exchange)
        .filter(Q(learner_id=mine) | Q(host_id=mine))
        .exclude(pk=match.pk)
        .order_by("-created_at")
        .values(
            "pk",
            host_name=F("host__name"),
            learner_name=F("learner__name"),
            practice=F("offer__practice__name"),
        )
    )
