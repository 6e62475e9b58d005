"""The Jinja2 environment for the long lists of the busiest pages (rows of the moderation queue, of the
offer search, …): Django's template language spends some 100 µs on a table row, Jinja2 a tenth of it.

Pages stay in Django's template language; a page includes a list with `{% jinja %}`
(exchange/templatetags/jinja.py). The templates live in templates/jinja2/ and escape every value.
The filters are Django's own, so a row reads the same in either language."""

import datetime
import functools
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django.conf import settings
from django.template import defaultfilters
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.dates import MONTHS_3
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # (not in django-stubs)
from jinja2 import Environment

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


# The short names of the months as the date filter writes them ("Mar"), when they are not translated.
MONTHS = {month: str(name).title() for month, name in MONTHS_3.items()}


def date(value: Any, arg: str | None = None) -> str:
    """Django's date filter, in the viewer's time zone as Django's templates give it (they turn an aware
    datetime to local time before the filter; Jinja2 calls it as it is). A day as "j M Y" is written
    without Django's formatting machinery when months are not translated: forty on an offer search page."""
    if type(value) is datetime.date and arg == "j M Y" and not settings.USE_I18N:
        return f"{value.day} {MONTHS[value.month]} {value.year:04d}"
    return defaultfilters.date(template_localtime(value), arg)


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
        as_crispy_field=as_crispy_field,
        capfirst=defaultfilters.capfirst,
        crispy=as_crispy_form,
        date=date,
        linebreaksbr=defaultfilters.linebreaksbr,
        floatformat=floatformat,
        pluralize=defaultfilters.pluralize,
        truncatewords=truncatewords,
    )
    return env
