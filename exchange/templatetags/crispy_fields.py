"""`{{ form|crispy_form }}` and `{{ form.field|crispy_field }}`: crispy's `|crispy` and `|as_crispy_field`,
the same markup written in Python (exchange/crispy_fields.py says why)."""

from django import template

from exchange.crispy_fields import crispy_field, crispy_form

register = template.Library()
register.filter("crispy_form", crispy_form)
register.filter("crispy_field", crispy_field)
