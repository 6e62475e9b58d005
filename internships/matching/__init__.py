"""The matching engine: plain Python over plain data, with no Django inside.

A service loads a `Platform` (businesses, offers, needs, competitors, related practices, the
load already placed, the pairs moderators rejected), calls `match()` and saves the
`MatchResult`'s proposals (`internships.services.matching`). Libraries, and
why (figures from NOTES.md, 10k businesses / 50k offers / 50k needs):

- numpy finds the candidate pairs, practice by practice over offer arrays (0.5 s there; a plain
  Python scan of every pair is `naive()`, the benchmark baseline).
- OR-Tools' `SimpleMinCostFlow` makes the assignment global rather than greedy: most needs
  served, then best total score, one flow per group of related practices (0.45 s; one global
  graph 1.8 s; scipy's sparse matching 9 s). Greedy per need served 16–18% fewer needs.
- Swaps and 3-cycles are searched over each business's best few edges only (top 5: 0.5 s;
  top 20: 3.4 s and 650 MB).

Modules: `types` (inputs and outputs), `rules` (hard rules, score table, flags), `candidates`
(numpy), `exchanges` (swaps and cycles), `assignment` (flow and greedy), `engine` (entry points).
"""

from internships.matching.engine import greedy, match, naive
from internships.matching.types import (
    BusinessInfo,
    Exchange,
    MatchResult,
    MatchSettings,
    NeedInfo,
    OfferInfo,
    Platform,
    Proposal,
    ScoreWeights,
)

__all__ = [
    "BusinessInfo",
    "Exchange",
    "MatchResult",
    "MatchSettings",
    "NeedInfo",
    "OfferInfo",
    "Platform",
    "Proposal",
    "ScoreWeights",
    "greedy",
    "match",
    "naive",
]
