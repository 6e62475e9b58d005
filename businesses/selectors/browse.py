"""A page of the offer search's results: for each offer, the fourteen values its card shows, as a row.

Twenty cards built some eighty model instances (offer, business, practice and department: sixty
columns), and a search's number of results took a query of its own."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from businesses.models import LEVELS, Mode, Offer

PER_PAGE = 20
LEVEL_LABELS: dict[int, str] = dict(LEVELS)
MODE_LABELS: dict[str, str] = dict(Mode.choices)


class OfferCard(NamedTuple):
    pk: int
    business_slug: str
    business_name: str
    business_city: str
    business_track_record: Decimal | None
    practice_name: str
    department_name: str
    description: str
    level: int
    mode: str
    available_from: datetime.date
    available_until: datetime.date
    min_days: int
    max_days: int

    # What Offer.get_level_display() and get_mode_display() write.
    @property
    def level_display(self) -> str | int:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def mode_display(self) -> str:
        return MODE_LABELS.get(self.mode, self.mode)


# The columns of OfferCard's fields, in their order.
COLUMNS = (
    "pk",
    "business__slug",
    "business__name",
    "business__city",
    "business__track_record",
    "practice__name",
    "practice__department__name",
    "description",
    "level",
    "mode",
    "available_from",
    "available_until",
    "min_days",
    "max_days",
)


MOST_PAGES = 100_000  # 2,000,000 results: more than the platform holds offers


def offer_cards_page(offers: QuerySet[Offer], number: str | None, *, count_with_rows: bool) -> Page:
    """The page `number` of `offers` as cards: the page Paginator(offers, PER_PAGE).get_page(number) gives.

    With `count_with_rows`, the number of results is read with the page's rows (a window count over
    the same rows), not by a query of its own: for a search ranked by relevance, which reads every match
    anyway. Newest first, PostgreSQL can stop at the page's last row, and a count alone costs less. A
    page number past the last page needs a count first, as Paginator does, to show the last page."""
    if count_with_rows:
        try:
            wanted = int(number or 1)
        except ValueError:
            wanted = 1  # as Paginator.get_page: not a number, the first page
        # Past the pages a search can have (a person's typing, or a URL too large for OFFSET): Paginator.
        if 1 <= wanted <= MOST_PAGES:
            bottom = (wanted - 1) * PER_PAGE
            counted = offers.annotate(total=Window(Count("*"))).values_list(*COLUMNS, "total")
            rows = list(counted[bottom : bottom + PER_PAGE])
            if rows or wanted == 1:
                paginator = Paginator(counted, PER_PAGE)
                paginator.count = rows[0][-1] if rows else 0  # (a cached_property: what it would count)
                return Page([OfferCard._make(row[:-1]) for row in rows], wanted, paginator)
    page = Paginator(offers.values_list(*COLUMNS), PER_PAGE).get_page(number)
    page.object_list = [OfferCard._make(row) for row in page.object_list]
    return page
