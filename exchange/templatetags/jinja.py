"""`{% jinja "internships/queue_rows.html" items=items %}`: a Jinja2 template (templates/jinja2/) rendered
in place, with the values given, for a page's long list (exchange/jinja2.py says why)."""

from typing import Any

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context: template.Context, template_name: str, **values: Any) -> SafeString:
    rendered = engines["jinja2"].get_template(template_name).render(values, request=context.get("request"))
    return mark_safe(rendered)  # noqa: S308 (Jinja2 escaped every value: autoescape is on)
