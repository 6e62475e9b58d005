"""The form renderer: Django's own, except that a <select> is written in Python.

Django renders each <option> through two template includes, some 60 µs apiece: the practice filter
of the offer search (79 options) took 5 ms, as long as the rest of its page. The markup written here
is the one of Django's select.html, option for option."""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        if template_name == SELECT:
            return select(context["widget"])
        return super().render(template_name, context, request)


def select(widget: dict[str, Any]) -> SafeString:
    """django/forms/widgets/select.html, for a widget context of a Select (or SelectMultiple)."""
    parts = [format_html('<select name="{}"', widget["name"]), attributes(widget["attrs"]), ">"]
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts += [
                format_html('\n  <option value="{}"', option["value"]),
                attributes(option["attrs"]),
                format_html(">{}</option>\n", option["label"]),  # select_option.html's own line end
            ]
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


def attributes(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )
