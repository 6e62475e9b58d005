"""crispy-bootstrap5's form and field templates (`|crispy`, `|as_crispy_field`) written in Python, for a
form shown without a FormHelper: the same markup (whitespace aside), for about a tenth of the work.

Rendering a field through bootstrap5/field.html takes five to seven template includes and some
1,500 function calls; on the internship page (a mentor's review forms and task form) that was a
quarter of the page's Python work. The widget itself is rendered by Django as before (str(field),
through exchange/form_renderer.py), after the same CSS classes are added to it as crispy adds.

Any field this does not write (a file input, a multi-widget, a wrapped widget, a form with a helper)
is left to crispy itself, so the output is crispy's in every case. tests/test_crispy_fields.py
compares the two for every kind of field written here, bound and unbound, with errors and with
hostile values."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form, optgroups
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from django import forms
from django.conf import settings
from django.forms import BoundField
from django.forms.utils import ErrorList
from django.template.defaultfilters import unordered_list
from django.templatetags.l10n import unlocalize
from django.utils.safestring import SafeString, mark_safe

from exchange.form_renderer import attributes, text


def crispy_form(form: forms.BaseForm) -> SafeString:
    """`{{ form|crispy }}`: the form's errors, then each field (bootstrap5/uni_form.html)."""
    if isinstance(form, forms.BaseFormSet):
        return as_crispy_form(form)
    parts = []
    if errors := form.non_field_errors():
        # bootstrap5/errors.html
        items = unordered_list(errors, autoescape=True)
        parts.append(f'<div class="alert alert-block alert-danger"> <ul class="m-0"> {items} </ul> </div>')
    for field in form:
        html = _field(field)
        if html is None:
            return as_crispy_form(form)
        parts.append(html)
    # uni_form.html's {% specialspaceless %}, which may also touch a field's markup.
    return mark_safe(remove_spaces(" ".join(parts)))  # noqa: S308 (every value is escaped below)


def crispy_field(field: BoundField) -> SafeString:
    """`{{ field|as_crispy_field }}` (bootstrap5/field.html), for a field of a form without a helper."""
    if getattr(field.form, "helper", None) is None and (html := _field(field)) is not None:
        return mark_safe(html)  # noqa: S308 (every value is escaped below)
    return as_crispy_field(field)


def _field(field: BoundField) -> str | None:
    """bootstrap5/field.html with crispy's defaults (labels and errors shown, no label or field class);
    None for a widget it leaves to the template."""
    widget = field.field.widget
    if field.is_hidden:
        return str(field)
    if isinstance(widget, forms.FileInput) or hasattr(widget, "widgets") or hasattr(widget, "widget"):
        return None
    errors = field.errors
    auto_id = text(field.auto_id)
    checkbox = isinstance(widget, forms.CheckboxInput)
    required = field.field.required
    label = ""
    if field.label:
        label = text(field.label) + ('<span class="asteriskField">*</span>' if required else "")
    css_classes = field.css_classes()
    extra = f" {text(css_classes)}" if css_classes else ""
    parts = [f'<div id="div_{auto_id}" class="{"form-check" if checkbox else "mb-3"}{extra}">']
    if checkbox:
        parts.insert(0, '<div class="mb-3">')
    fieldset = field.use_fieldset and bool(label) and not checkbox
    if label and not checkbox:
        if fieldset:
            describedby = field.aria_describedby
            parts.append(
                f'<fieldset aria-describedby="{text(describedby)}">' if describedby else "<fieldset>"
            )
        tag = "legend" if fieldset else "label"
        label_for = f'for="{text(field.id_for_label)}" ' if field.id_for_label else ""
        css = f"form-label{' requiredField' if required else ''}{' fs-6' if fieldset else ''}"
        parts.append(f'<{tag} {label_for}class="{css}"> {label} </{tag}>')
    if isinstance(widget, forms.RadioSelect):  # a CheckboxSelectMultiple too
        parts += _choices(field, errors, auto_id)
    elif checkbox:
        parts.append(_widget(field, "form-check-input is-invalid" if errors else "form-check-input"))
        css = f"form-check-label{' requiredField' if required else ''}"
        parts.append(f'<label for="{text(field.id_for_label)}" class="{css}"> {label} </label>')
        parts += [_errors(errors, auto_id), _help_text(field, auto_id)]
    else:
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        parts.append(_widget(field, f"{css} is-invalid" if errors else css))
        parts += [_errors(errors, auto_id), _help_text(field, auto_id)]
    if fieldset:
        parts.append("</fieldset>")
    parts.append("</div>")
    if checkbox:
        parts.append("</div>")
    return " ".join(part for part in parts if part)


def _widget(field: BoundField, classes: str) -> str:
    """crispy's {% crispy_field field 'class' classes %}: the widget's class name and `classes` are
    added to the widget's own classes (for good, as crispy does), and the field is rendered."""
    widget = field.field.widget
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    class_name = type(widget).__name__.lower()
    class_name = converters.get(class_name, class_name)
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in classes.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class
    return str(field)


def _choices(field: BoundField, errors: ErrorList, auto_id: str) -> list[str]:
    """bootstrap5/layout/radio_checkbox_select.html: each choice's input and label, then the help text."""
    invalid = " is-invalid" if errors else ""
    name = text(field.html_name)
    parts = ["<div >"]
    groups = optgroups(field)
    for group_index, (group, options, _) in enumerate(groups):
        if group:
            parts.append(f"<strong>{text(group)}</strong>")
        for index, option in enumerate(options):
            attrs = option["attrs"]
            parts += [
                '<div class="form-check">',
                f'<input type="{text(option["type"])}" class="form-check-input{invalid}" name="{name}"',
                f'value="{text(unlocalize(option["value"]))}" {attributes(attrs)}>',
                f'<label for="{text(attrs.get("id", ""))}" class="form-check-label">',
                text(unlocalize(option["label"])),
                "</label>",
            ]
            if errors and index == len(options) - 1 and group_index == len(groups) - 1:
                parts.append(_errors(errors, auto_id))
            parts.append("</div>")
    parts += ["</div>", _help_text(field, auto_id)]
    return parts


def _errors(errors: ErrorList, auto_id: str) -> str:
    """bootstrap5/layout/field_errors_block.html, for crispy's default of errors as blocks."""
    if not errors:
        return ""
    field_id = errors.field_id  # type: ignore[attr-defined]  # (not in django-stubs)
    parts = [f'<div id="{text(field_id)}_error" class="invalid-feedback">']
    parts += [
        f'<p id="error_{number}_{auto_id}"><strong>{text(error)}</strong></p>'
        for number, error in enumerate(errors, start=1)
    ]
    parts.append("</div>")
    return " ".join(parts)


def _help_text(field: BoundField, auto_id: str) -> str:
    """bootstrap5/layout/help_text.html: the help text as it is written (crispy marks it safe)."""
    if not field.help_text:
        return ""
    html_id = f'id="{auto_id}_helptext" ' if auto_id else ""
    return f'<div {html_id}class="form-text">{field.help_text}</div>'
