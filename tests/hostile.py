"""Hostile form values for the property-based tests of tests/test_hostile_input.py, and the checks every
answer to them must pass: never a server error, never an unescaped payload, nothing half-saved."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from html import escape
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Each test draws this many examples; HOSTILE_EXAMPLES=200 digs deeper (the whole file then takes minutes).
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "15"))

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Markup that must never reach a page as markup. Each is distinctive enough that finding it raw in a
# page means user input was rendered unescaped.
MARKUP = [
    '<script>alert("xss")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg/onload=alert(1)>',
    "'><iframe src=javascript:alert(1)></iframe>",
    "<a href=\"javascript:alert('x')\">click</a>",
    "</textarea><script>alert(2)</script>",
    '<style>body{display:none}</style><b onmouseover="alert(3)">hover</b>',
]
OTHER_ATTACKS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "Robert'); DROP TABLE businesses_business;--",
    "' OR '1'='1' --",
    '" OR ""="',
    "1; SELECT pg_sleep(10); --",
    "%' AND 1=1 AND '%'='",
    "{{ request.user.password }}{% debug %}",
    "${7*7} #{7*7} %s%s%s%n %x",
    "\x00",
    "nul\x00byte",
    "\x00<script>alert(0)</script>",
    "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f",
    "line one\r\nline two\rline three\n",
    "\r\n\r\nSet-Cookie: hacked=1",
    "\u202eevil\u202c.exe",
    "\u200b\u200c\u200d\u2060\ufeff",
    "Z\u0351\u0353\u0362a\u0363\u0346\u0317l\u0336\u0354g\u0315\u035co\u0300\u0301\u0302",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f3f3\ufe0f\u200d\U0001f308",
    "\ufdfd\ufdfa",
    "\U0001d573\U0001d58a\U0001d591\U0001d591\U0001d594",
    "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",
    "\uffff\ufffe\U0010ffff",
    "../../../../etc/passwd",
    "&amp;&lt;&gt;&quot;&#39;",
    "",
    " ",
    "\t\n ",
]
ATTACKS = MARKUP + OTHER_ATTACKS
NUMBERS = [
    "-1",
    "0",
    "-0",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "1_000",
    "\uff11\uff12\uff13",  # full-width digits
    "\u0661\u0662",  # Arabic-Indic digits
    "9" * 40,
    "-" + "9" * 40,
    "1." + "0" * 40 + "1",
    "12.345",
    "3.5",
    "1,5",
    " 7 ",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "65536",
    "32768",
]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "9999-12-30",
    "10000-01-01",
    "0000-00-00",
    "2026-02-30",
    "2026-13-01",
    "-2026-01-01",
    "1900-01-01",
    "1970-01-01T00:00:00",
    "2026-03-09\x00",
    "31/12/2026",
    "12/31/2026",
    "today",
    "2026-03-09; DROP TABLE internships_internship",
]


def huge(size: int) -> st.SearchStrategy[str]:
    return st.sampled_from(["x", "<b>", "\u00e9", "\U0001f600", "\x00", "a\n"]).map(lambda unit: unit * size)


def hostile_text(*, max_size: int = 300) -> st.SearchStrategy[str]:
    """Any text: attacks alone or wrapped in random text, random Unicode, control characters, huge values."""
    attack = st.sampled_from(ATTACKS)
    wrapped = st.tuples(st.text(max_size=20), attack, st.text(max_size=20)).map("".join)
    return st.one_of(
        attack,
        wrapped,
        st.text(max_size=max_size),
        st.text(st.characters(max_codepoint=0x1F), max_size=10),
        huge(5000),
        huge(120_000),
    )


def hostile_number() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        hostile_text(max_size=20),
    )


def hostile_date() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(DATES),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        hostile_text(max_size=20),
    )


def hostile_choice(valid: Iterable[object]) -> st.SearchStrategy[str]:
    """A valid choice now and then, else anything."""
    return st.one_of(
        st.sampled_from([str(value) for value in valid]), hostile_number(), hostile_text(max_size=20)
    )


MISSING = object()


def form_data(fields: Mapping[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Hostile data for a form: each field may also be missing, or sent several times (a list)."""

    def field(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            strategy, strategy, strategy, st.just(MISSING), st.lists(strategy, min_size=2, max_size=3)
        )

    return st.fixed_dictionaries({name: field(strategy) for name, strategy in fields.items()}).map(
        lambda data: {name: value for name, value in data.items() if value is not MISSING}
    )


def sent(value: Any) -> str:
    """The value a single-valued form field reads: the last of several."""
    return str(value[-1]) if isinstance(value, list) else str(value)


def strings_in(data: Mapping[str, Any]) -> Iterator[str]:
    for value in data.values():
        yield from (str(item) for item in value) if isinstance(value, list) else [str(value)]


@contextmanager
def example() -> Iterator[None]:
    """One hypothesis example: its writes are rolled back and the rate limits forgotten afterwards, so
    each example starts from the fixture's state."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


TAG = re.compile(r"<[A-Za-z/!?]")


def assert_escaped(html: str, data: Mapping[str, Any] | Iterable[str]) -> None:
    """No value posted reaches the page as markup."""
    values = data.values() if isinstance(data, Mapping) else data
    for value in values:
        for text in value if isinstance(value, list) else [value]:
            text = str(text)
            for attack in MARKUP:
                if attack in text:
                    assert attack not in html, f"Unescaped markup in the page: {attack!r}"
            if len(text) >= 12 and TAG.search(text):
                assert text not in html, f"Unescaped input in the page: {text[:80]!r}"


def assert_kept(html: str, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    """A form shown again keeps what was typed in its text fields (escaped)."""
    for name in fields:
        if name not in data:
            continue
        value = sent(data[name])
        if value.strip() and len(value) <= 10_000:
            assert escape(value) in html, f"{name}'s typed value is lost: {value[:80]!r}"


def counts(models: Iterable[type[Model]]) -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in models}


def post_hostile(
    client: Client,
    url: str,
    data: Mapping[str, Any],
    *,
    unchanged: Iterable[type[Model]] = (),
    kept: Iterable[str] = (),
    snapshot: Callable[[], object] | None = None,
) -> Any:
    """Post `data` and check the answer: never a 5xx; no raw markup; when the form is shown again (any
    answer but a redirect), the typed text is kept and nothing was written (`unchanged` models' row
    counts, and `snapshot()`, the state of the edited rows)."""
    models = list(unchanged)
    before = counts(models)
    state = snapshot() if snapshot else None
    response = client.post(url, data)
    assert response.status_code < 500
    html = response.content.decode(errors="replace")
    assert_escaped(html, data)
    if response.status_code != 302:
        assert counts(models) == before, "A refused form wrote rows"
        if snapshot:
            assert snapshot() == state, "A refused form changed what it edits"
    if response.status_code == 200:
        assert_kept(html, data, kept)
    return response


def get_hostile(client: Client, url: str, params: Mapping[str, Any]) -> Any:
    response = client.get(url, params)
    assert response.status_code < 500
    assert_escaped(response.content.decode(errors="replace"), params)
    return response


def follow(client: Client, response: Any) -> str:
    """The page a redirect leads to, checked for raw markup by the caller."""
    page = client.get(response["Location"])
    assert page.status_code == 200
    return str(page.content.decode(errors="replace"))
