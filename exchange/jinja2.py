"""The Jinja2 environment for the long lists of the busiest pages (rows of the moderation queue, of the
offer search, …): Django's template language spends some 100 µs on a table row, Jinja2 a tenth of it.

Pages stay in Django's template language; a page includes a list with `{% jinja %}`
(exchange/templatetags/jinja.py). The templates live in templates/jinja2/ and escape every value.
The filters are Django's own, so a row reads the same in either language."""

import datetime
import functools
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.template import defaultfilters
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.dateformat import re_formatchars
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import FORMAT_SETTINGS
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # (not in django-stubs)
from jinja2 import Environment

from exchange.crispy_fields import crispy_field, crispy_form

# Stand-ins for a URL's whole numbers and slugs: a list's URLs differ only in their ids and slugs, so each
# is reversed once with stand-ins and written for each row with the values in their place (reversing took
# a tenth of a moderation queue page, and of the offer search). A slug's stand-in has every kind of
# character a slug may have, so that a URL that takes it takes every slug (Django's slug, str and path
# converters; tests/test_jinja_lists.py checks every URL of the project, regular expressions included).
NUMBER_STAND_INS = tuple(987_654_321_000 + index for index in range(3))
SLUG_STAND_INS = tuple(f"Zq_0-stand-in-{letter}" for letter in "abc")
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.lru_cache(maxsize=256)
def _url_layout(
    prefix: str, name: str, slugs: tuple[bool, ...]
) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """The URL's texts between its arguments, and which argument goes in each gap; None for a URL that
    takes no such arguments (reversed each time, as Django would)."""
    stand_ins = [SLUG_STAND_INS[i] if slug else NUMBER_STAND_INS[i] for i, slug in enumerate(slugs)]
    try:
        path = reverse(name, args=stand_ins)
    except NoReverseMatch:
        return None
    written = [str(stand_in) for stand_in in stand_ins]
    pieces = re.split("(" + "|".join(written) + ")", path)
    order = tuple(written.index(piece) for piece in pieces[1::2])
    if sorted(order) != list(range(len(written))):
        return None  # an argument left out or written twice
    return tuple(pieces[0::2]), order


def url(name: str, *args: Any) -> str:
    """`{% url name arg … %}`."""
    if 0 < len(args) <= len(NUMBER_STAND_INS):
        slugs = tuple(type(arg) is str for arg in args)
        if all(SLUG.fullmatch(arg) if type(arg) is str else type(arg) is int and arg >= 0 for arg in args):
            layout = _url_layout(get_script_prefix(), name, slugs)
            if layout is not None:
                texts, order = layout
                parts = [texts[0]]
                for index, text in zip(order, texts[1:], strict=True):
                    parts += (str(args[index]), text)
                return "".join(parts)
    return reverse(name, args=args)


def floatformat(value: Any, places: Any = -1) -> str:
    """Django's floatformat, and for a float to a fixed number of places (a score) the same text
    without its formatting machinery, a twentieth of the work: a queue page shows some seventy scores."""
    if type(value) is float and 1e-6 <= value < 1e15 and type(places) is int and 0 < places <= 6:
        return f"{Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f}"
    return defaultfilters.floatformat(value, places)


# The parts of a date format the lists write, each as Django's formatter writes it (django.utils.dateformat,
# with its own names of days and months) for a quarter of its work: the internship page writes a date for
# each day of its week plan. A format with any other part goes to Django.
DATE_PARTS: dict[str, Callable[[Any], str]] = {
    "c": lambda moment: moment.isoformat(),
    "d": lambda moment: f"{moment.day:02d}",
    "D": lambda moment: str(WEEKDAYS_ABBR[moment.weekday()]),
    "F": lambda moment: str(MONTHS[moment.month]),
    "H": lambda moment: f"{moment.hour:02d}",
    "i": lambda moment: f"{moment.minute:02d}",
    "j": lambda moment: str(moment.day),
    "l": lambda moment: str(WEEKDAYS[moment.weekday()]),
    "m": lambda moment: f"{moment.month:02d}",
    "M": lambda moment: MONTHS_3[moment.month].title(),
    "n": lambda moment: str(moment.month),
    "Y": lambda moment: f"{moment.year:04d}",
}
TIME_PARTS = {"H", "i"}  # Django refuses them for a date (not a datetime): left to it


@functools.lru_cache(maxsize=64)
def _date_pieces(format_string: str, with_time: bool) -> tuple[str, ...] | None:
    """The format split as Django splits it, text and parts in turn; None if Django must write it."""
    pieces = tuple(re_formatchars.split(format_string))
    known = DATE_PARTS.keys() if with_time else DATE_PARTS.keys() - TIME_PARTS
    if (
        not format_string
        or format_string in FORMAT_SETTINGS
        or "\\" in format_string
        or not set(pieces[1::2]) <= known
    ):
        return None
    return pieces


def date(value: Any, arg: str | None = None) -> str:
    """Django's date filter, in the viewer's time zone as Django's templates give it (they turn an aware
    datetime to local time before the filter; Jinja2 calls it as it is)."""
    value = template_localtime(value)
    kind = type(value)
    if (kind is datetime.date or kind is datetime.datetime) and type(arg) is str:
        pieces = _date_pieces(arg, kind is datetime.datetime)
        if pieces is not None:
            return "".join([text if i % 2 == 0 else DATE_PARTS[text](value) for i, text in enumerate(pieces)])
    return defaultfilters.date(value, arg)


def truncatewords(value: Any, length: Any) -> str:
    """Django's truncatewords, and for a text and a number of words the same text without its Truncator:
    twenty descriptions on an offer search page."""
    if type(value) is str and type(length) is int and length > 0:
        words = value.split()
        if len(words) <= length:
            return " ".join(words)
        text = " ".join(words[:length])
        return text if text.endswith(" …") else f"{text} …"
    return defaultfilters.truncatewords(value, length)


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 (Django's backend turns autoescape on)
    env.globals.update(url=url)
    env.filters.update(
        capfirst=defaultfilters.capfirst,
        # crispy's markup for a tenth of the work (exchange/crispy_fields.py): the internship page's forms.
        crispy_field=crispy_field,
        crispy_form=crispy_form,
        date=date,
        linebreaksbr=defaultfilters.linebreaksbr,
        floatformat=floatformat,
        pluralize=defaultfilters.pluralize,
        truncatewords=truncatewords,
    )
    return env
