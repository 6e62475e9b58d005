"""The engine's inputs and outputs: plain, immutable data, so a service can build them from any source."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Mode = Literal["onsite", "remote", "hybrid"]
Urgency = Literal["low", "medium", "high"]
ExchangeKind = Literal["swap", "cycle"]

PART_NAMES = ("practice_fit", "level_gain", "urgency", "distance", "track_record", "reciprocity")


@dataclass(frozen=True, slots=True)
class BusinessInfo:
    id: int
    verified: bool
    city: str
    country: str
    industry: str  # NAICS subsector code, e.g. "541"
    sells_keywords: frozenset[str] = frozenset()
    name_tokens: frozenset[str] = frozenset()
    track_record: float | None = None  # average review, 1–5; None when the host has no reviews yet

    def __hash__(self) -> int:
        # By id alone, which equal businesses share: `rules.profile` is cached by business, and
        # hashing every field took longer than the lookup it was for.
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class OfferInfo:
    id: int
    business_id: int
    practice_id: int
    level: int  # 1–5
    capacity: int  # interns at a time, >= 1
    mode: Mode
    available_from: date
    available_until: date  # inclusive
    min_days: int
    max_days: int
    blackouts: tuple[tuple[date, date], ...] = ()  # inclusive ranges
    active: bool = True


@dataclass(frozen=True, slots=True)
class NeedInfo:
    id: int
    business_id: int
    practice_id: int
    current_level: int
    target_level: int
    urgency: Urgency
    earliest_start: date
    preferred_days: int
    open: bool = True


@dataclass(frozen=True, slots=True)
class Platform:
    """Everything one run looks at; offers and needs of unknown businesses are ignored."""

    businesses: Mapping[int, BusinessInfo]
    offers: Sequence[OfferInfo]
    needs: Sequence[NeedInfo]
    competitor_pairs: frozenset[tuple[int, int]] = frozenset()  # blocks both directions
    related_practices: frozenset[tuple[int, int]] = frozenset()  # related both ways
    load: Mapping[int, int] = field(default_factory=dict)  # offer id -> interns already placed
    today: date = field(default_factory=date.today)
    # (need id, offer id) pairs never to propose, whatever their score: a moderator rejected them.
    excluded_pairs: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """Multipliers for the score parts; see `internships.matching.rules` for the parts themselves."""

    practice_fit: float = 1.0
    level_gain: float = 1.0
    urgency: float = 1.0
    distance: float = 1.0
    track_record: float = 1.0
    reciprocity: float = 1.0


@dataclass(frozen=True, slots=True)
class MatchSettings:
    # 3 finds swaps and cycles of three; 2 finds swaps only; 0 switches exchanges off.
    max_cycle_length: int = 3
    # The cycle search follows only each business's best k outgoing edges (NOTES.md: k=20 costs
    # seven times the time and memory of k=5 for few extra exchanges).
    top_edges_per_business: int = 5
    # Exchange graphs with at most this many businesses are searched over every edge instead.
    exhaustive_exchanges_up_to: int = 30
    weights: ScoreWeights = ScoreWeights()

    def __post_init__(self) -> None:
        if self.max_cycle_length not in (0, 1, 2, 3):
            raise ValueError("max_cycle_length must be 0–3: cycles longer than three are not searched.")
        if self.top_edges_per_business < 1:
            raise ValueError("top_edges_per_business must be at least 1.")


@dataclass(frozen=True, slots=True)
class Proposal:
    need_id: int
    offer_id: int
    need_business_id: int  # the learner's business
    offer_business_id: int  # the host
    score: float
    parts: Mapping[str, float]  # keys: PART_NAMES; score == sum(parts.values())
    flags: tuple[str, ...]  # reasons for the moderator to look twice
    start: date
    days: int
    exchange: str | None = None  # Exchange.key when the proposal belongs to a swap or cycle

    @property
    def end(self) -> date:
        """The last day of the placement."""
        return date.fromordinal(self.start.toordinal() + self.days - 1)


@dataclass(frozen=True, slots=True)
class Exchange:
    """business_ids[i] hosts business_ids[i + 1] (the last hosts the first) through proposals[i]."""

    kind: ExchangeKind
    business_ids: tuple[int, ...]
    proposals: tuple[Proposal, ...]

    @property
    def key(self) -> str:
        """What `Proposal.exchange` holds, e.g. "cycle:3-8-5"."""
        return exchange_key(self.kind, self.business_ids)

    @property
    def score(self) -> float:
        return sum(proposal.score for proposal in self.proposals)


@dataclass(frozen=True, slots=True)
class MatchResult:
    # Exchange proposals first (exchanges ranked by total score), then singles by score.
    proposals: tuple[Proposal, ...]
    exchanges: tuple[Exchange, ...]

    @property
    def served_need_ids(self) -> frozenset[int]:
        return frozenset(proposal.need_id for proposal in self.proposals)


def exchange_key(kind: ExchangeKind, business_ids: tuple[int, ...]) -> str:
    return f"{kind}:" + "-".join(str(business_id) for business_id in business_ids)
