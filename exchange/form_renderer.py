"""The form renderer: Django's own, except that a <select>, an <input> and a <textarea> are written in
Python.

Django renders each <option> through two template includes, some 60 µs apiece: the practice filter
of the offer search (79 options) took 5 ms, as long as the rest of its page. An input or a textarea
is two or three templates deep too, on every form of the site. The markup written here is the one
of Django's templates (select.html, input.html, textarea.html), character for character (but for
an input's value marked safe, which is escaped here all the same)."""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
SELECT = WIDGETS + "select.html"
TEXTAREA = WIDGETS + "textarea.html"
# Django's templates of these inputs are each one line: {% include "django/forms/widgets/input.html" %}.
INPUT_KINDS = ["input", "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number"]
INPUT_KINDS += ["password", "search", "tel", "text", "time", "url"]
INPUTS = {f"{WIDGETS}{kind}.html" for kind in INPUT_KINDS}


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        if template_name == SELECT:
            return select(context["widget"])
        if template_name in INPUTS:
            return input_(context["widget"])
        if template_name == TEXTAREA:
            return textarea(context["widget"])
        return super().render(template_name, context, request)


def select(widget: dict[str, Any]) -> SafeString:
    """django/forms/widgets/select.html, for a widget context of a Select (or SelectMultiple)."""
    parts = [f'<select name="{text(widget["name"])}"', attributes(widget["attrs"]), ">"]
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        # select_option.html, with its own line end.
        parts += [
            f'\n  <option value="{text(option["value"])}"{attributes(option["attrs"])}>'
            f"{text(option['label'])}</option>\n"
            for option in options
        ]
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


def input_(widget: dict[str, Any]) -> SafeString:
    """django/forms/widgets/input.html."""
    # Escaped even when marked safe (Django's template would leave a safe value as it is): a value
    # is what someone typed.
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    tag = f'<input type="{text(widget["type"])}" name="{text(widget["name"])}"'
    return mark_safe(f"{tag}{value}{attributes(widget['attrs'])}>")  # noqa: S308 (every part is escaped)


def textarea(widget: dict[str, Any]) -> SafeString:
    """django/forms/widgets/textarea.html."""
    value = text(widget["value"]) if widget["value"] else ""
    tag = f'<textarea name="{text(widget["name"])}"'
    return mark_safe(f"{tag}{attributes(widget['attrs'])}>\n{value}</textarea>")  # noqa: S308 (every part is escaped)


def attributes(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html (crispy's attrs.html too): ` name="value"`, a bare name for True,
    nothing for False."""
    if not attrs:
        return ""
    return "".join(
        f" {text(name)}" if value is True else f' {text(name)}="{text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


# html.escape's replacements, in one pass.
ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def text(value: Any) -> str:
    """What format_html (conditional_escape) writes of a value: a safe string as it is, anything else
    escaped; a fifth of its work, for the eighty options of the offer search's practices."""
    if type(value) is str:
        return value.translate(ESCAPES)
    if type(value) is int:
        return str(value)  # (digits and a minus sign: nothing to escape)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return str(value).translate(ESCAPES)
