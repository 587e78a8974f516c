"""The filter bars of the list pages: ``{{ field|as_filter_field }}`` instead of crispy's
``as_crispy_field``.

Why not crispy here, when the house style renders forms through it: every list page opens with
its filter bar, so it is the hottest form of the site, rendered on every request, most of them
without any input. Through crispy's Bootstrap 5 field template and Django's widget templates
(one template include per ``<option>``), the client list's six filters took 8 of its 20 ms at
100,000 clients, and a select of the 200 staff took more than the page's whole table. Forms that
people fill in (a visit report, a programme) still go through crispy.

This renders the markup crispy gives a field — the ``div_id_<name>`` wrapper, the label (with
the asterisk of a required field), the widget with crispy's and Bootstrap's classes, the errors
in ``invalid-feedback`` with their ids, the help text — from the same bound field: same names,
ids, labels, choices and translations, and Django's own ``aria-invalid`` /
``aria-describedby``. A plain ``<select>`` is written here, option by option, and a text-like
input as Django's ``input.html`` writes it; other inputs are rendered by their widget. Any
other kind of widget (a checkbox, radio buttons, a file, a multi-widget) goes to crispy
unchanged.
"""

import functools
import html
from collections.abc import Iterable

from django import forms, template
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_filters.fields import ModelChoiceIterator as FilterModelChoiceIterator
from django_filters.widgets import BaseCSVWidget

register = template.Library()


def _is_plain_select(widget) -> bool:
    """A single-choice <select> whose rendering is Django's own: a widget that changes any of
    it (django-filter's BooleanWidget maps its value in ``render``; another may add attributes
    to its options or use its own templates) renders itself. django-filter's ``CSVSelect``
    (an ordering filter's) counts: its ``render`` is Django's for one value or none, see
    ``_csv_value``."""
    kind, select = type(widget), forms.Select
    own = ("get_context", "optgroups", "create_option", "format_value")
    return (
        isinstance(widget, select)
        and not widget.allow_multiple_selected
        and (kind.render is select.render or _is_csv_select(kind))
        and all(getattr(kind, name) is getattr(select, name) for name in own)
        and widget.template_name == select.template_name
        and widget.option_template_name == select.option_template_name
    )


# Django's own templates of the text-like inputs: each includes ``input.html`` and nothing else.
_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("text", "number", "email", "url", "password", "search", "tel", "date", "time")
}


def _is_plain_input(widget) -> bool:
    """A text-like input whose rendering is Django's own (``input.html``): written here."""
    kind = type(widget)
    return (
        isinstance(widget, Input)
        and widget.template_name in _INPUT_TEMPLATES
        and kind.render is Input.render
        and kind.get_context is Input.get_context
    )


def _input(name: str, input_type: str, value, attrs: dict):
    """What Django's ``input.html`` (and ``attrs.html``) writes: the attributes in their order,
    ``True`` as a bare name, ``False`` left out."""
    parts = [f'<input type="{html.escape(str(input_type))}" name="{html.escape(name)}"']
    if value is not None:
        parts.append(f' value="{html.escape(str(value))}"')
    for key, item in attrs.items():
        if item is False:
            continue
        if item is True:
            parts.append(f" {html.escape(str(key))}")
        else:
            parts.append(f' {html.escape(str(key))}="{html.escape(str(item))}"')
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308 - every name and value escaped above


def _is_handled(widget) -> bool:
    """A single-choice select or a text-like input; crispy renders the rest."""
    if isinstance(widget, forms.Select):
        return not widget.allow_multiple_selected
    return isinstance(widget, Input) and not isinstance(
        widget, (forms.FileInput, forms.CheckboxInput)
    )


def _read_choices(widget):
    """``(own, read)`` for a model choice field whose options are read elsewhere
    (``read_choices``: the cached people, the user's programmes): its empty (and "null")
    choices, and the read (value, label) pairs; ``None`` for any other widget."""
    choices = widget.choices
    if type(choices) not in (ModelChoiceIterator, FilterModelChoiceIterator):
        return None
    field = choices.field
    read_choices = getattr(field, "read_choices", None)
    if read_choices is None or "label_from_instance" in vars(field):
        return None
    own = []
    if field.empty_label is not None:
        own.append(("", field.empty_label))
    if type(choices) is FilterModelChoiceIterator and field.null_label is not None:
        own.append((field.null_value, field.null_label))
    return own, read_choices()


@functools.lru_cache(maxsize=32)
def _option_tags(choices: tuple) -> tuple[tuple[str, ...], dict[str, int]]:
    """The ``<option>`` tags of (value, label) pairs of plain text, none selected, and the
    position of each value's first option: written once per process for a list read again on
    every page (everyone active: 200 options, half a millisecond to write)."""
    tags = tuple(
        f'<option value="{html.escape(str(value))}">{html.escape(label)}</option>'
        for value, label in choices
    )
    index = {}
    for position, (value, _label) in enumerate(choices):
        index.setdefault(str(value), position)
    return tags, index


def _choices(widget):
    """The widget's choices. Those of a model choice field are read in one fetch: its iterator
    reads them with ``.iterator()``, on PostgreSQL a server-side cursor (DECLARE, a FETCH per 100
    rows, CLOSE: three to five round trips per select instead of one). Same choices, same order,
    with django-filter's "null" choice after the empty one."""
    choices = widget.choices
    if type(choices) not in (ModelChoiceIterator, FilterModelChoiceIterator):
        yield from choices
        return
    field = choices.field
    if field.empty_label is not None:
        yield ("", field.empty_label)
    if type(choices) is FilterModelChoiceIterator and field.null_label is not None:
        yield (field.null_value, field.null_label)
    read_choices = getattr(field, "read_choices", None)
    if read_choices is not None and "label_from_instance" not in vars(field):
        # A field whose options are read elsewhere, e.g. from the cache (PersonFilter).
        yield from read_choices()
        return
    label_from_values = getattr(field, "label_from_values", None)
    if (
        label_from_values is not None
        and not field.to_field_name
        and "label_from_instance" not in vars(field)  # no label of its own on this field
    ):
        # A field that says how to label a row from a few of its values (PersonChoiceField):
        # no model instance per option.
        for row in choices.queryset.values_list(*field.label_fields):
            yield (row[0], label_from_values(*row))
        return
    for obj in choices.queryset.all():
        yield choices.choice(obj)


def _text(value) -> str:
    """Django's ``conditional_escape`` as text: the same characters escaped, without its lazy
    wrapper and the SafeString each call makes (a select of the staff has 200 options)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _options(widget, values: list[str]):
    """``<option>``s as Django's Select renders them: the first matching value is selected."""
    selected_one = False

    def option(value, label):
        nonlocal selected_one
        value = "" if value is None else str(value)
        selected = not selected_one and value in values
        selected_one = selected_one or selected
        marked = " selected" if selected else ""
        return f'<option value="{html.escape(value)}"{marked}>{_text(label)}</option>'

    def written_once(own, tags, index, listed):
        # The widget's own first choices, then the options written once (``listed`` the
        # pairs they were written from), the first selected one written again with its mark.
        parts = [option(value, label) for value, label in own]
        tags = list(tags)
        if not selected_one:
            found = next((index[value] for value in values if value in index), None)
            if found is not None:
                value, label = listed[found]
                tags[found] = option(value, label)
        return mark_safe("\n".join(parts + tags))  # noqa: S308 - escaped as above

    shared = getattr(widget, "shared_options", None)
    if shared is not None:
        # ``share_choices``' rows, written once for every select that lists them.
        own, tags, index = shared
        return written_once(own, tags, index, widget._choices[len(own) :])
    read = _read_choices(widget)
    if read is not None:
        own, listed = read
        listed = tuple(listed)
        if all(
            type(pair) is tuple
            and len(pair) == 2
            and type(pair[0]) in (int, str)
            and type(pair[1]) is str
            for pair in listed
        ):
            # Labels of plain text (names), the same in every language: written once.
            tags, index = _option_tags(listed)
            return written_once(own, tags, index, listed)

    parts = []
    for value, label in _choices(widget):
        if isinstance(label, (list, tuple)):
            inner = "".join(option(v, lbl) for v, lbl in label)
            parts.append(f'<optgroup label="{html.escape(str(value))}">{inner}</optgroup>')
        else:
            parts.append(option(value, label))
    return mark_safe("\n".join(parts))  # noqa: S308 - every value and label escaped above


_SEVERAL = object()


def _is_csv_select(kind) -> bool:
    """django-filter's ``CSVSelect``: the class its CSV fields (an ordering filter's) make of
    ``BaseCSVWidget`` and Django's ``Select``, with nothing of its own."""
    return kind.__bases__ == (BaseCSVWidget, forms.Select) and kind.render is BaseCSVWidget.render


def _csv_value(value):
    """The value ``CSVSelect.render`` hands to Django's select: its one value, "" for none,
    or ``_SEVERAL`` for more than one (which it renders as a text input instead)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        value = [value]
    if len(value) > 1:
        return _SEVERAL
    return value[0] if value else ""


def _control(bound_field, widget, css_class: str):
    value = bound_field.value()
    if _is_csv_select(type(widget)):
        value = _csv_value(value)
    plain_input = _is_plain_input(widget)
    if not (plain_input or _is_plain_select(widget)) or value is _SEVERAL:
        return bound_field.as_widget(attrs={"class": css_class})
    if bound_field.field.localize:
        widget.is_localized = True  # as ``BoundField.as_widget`` does
    attrs = bound_field.build_widget_attrs({"class": css_class}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    attrs = widget.build_attrs(widget.attrs, attrs)
    if plain_input:
        return _input(bound_field.html_name, widget.input_type, widget.format_value(value), attrs)
    values = widget.format_value(value)
    return format_html(
        '<select name="{}"{}>\n{}\n</select>',
        bound_field.html_name,
        flatatt(attrs),
        _options(widget, values),
    )


@register.filter
def as_filter_field(bound_field):
    """One field of a filter bar, as crispy's Bootstrap 5 pack would render it."""
    widget = bound_field.field.widget
    if bound_field.is_hidden:
        return bound_field.as_widget()
    if not _is_handled(widget):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(bound_field)
    # crispy's classes: the widget's own, its class name in lower case, then Bootstrap's.
    own = widget.attrs.get("class", "")
    kind = type(widget).__name__.lower()
    classes = [own] if own else []
    if kind not in own:
        classes.append(kind)
    classes.append("form-select" if isinstance(widget, forms.Select) else "form-control")
    errors = bound_field.errors
    if errors:
        classes.append("is-invalid")
    control = _control(bound_field, widget, " ".join(classes))

    auto_id = bound_field.auto_id
    required = bound_field.field.required
    label = ""
    if bound_field.label:
        label = format_html(
            '<label for="{}" class="form-label{}">{}{}</label>',
            bound_field.id_for_label,
            " requiredField" if required else "",
            bound_field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
    error_block = ""
    if errors:
        error_block = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            errors.field_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, auto_id, error) for number, error in enumerate(errors, start=1)),
            ),
        )
    help_block = ""
    if bound_field.help_text:
        # crispy and Django mark help text safe: it is written by us, never by a user.
        help_block = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            auto_id,
            mark_safe(bound_field.help_text),  # noqa: S308 - help text is ours, as in Django
        )
    css_classes = bound_field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}{}</div>',
        auto_id,
        f" {css_classes}" if css_classes else "",
        label,
        control,
        error_block,
        help_block,
    )


def share_choices(choices, *fields):
    """Give model choice fields over the same rows (a page's filter and its bulk-action bar,
    both listing a programme's pool of 200) the same ``choices``, (value, label) pairs read once
    by the caller — as values, without a model instance per option — in the order and with the
    labels each field's own queryset would give; each field's empty (and django-filter's "null")
    choice comes first. The fields still validate a submitted value against their querysets.

    The shared options are written once (``<option>`` tags), for every select that lists them.
    """
    choices = list(choices)
    tags = [
        f'<option value="{html.escape(str(value))}">{_text(label)}</option>'
        for value, label in choices
    ]
    index = {}
    for position, (value, _label) in enumerate(choices):
        index.setdefault(str(value), position)
    for field in fields:
        own = []
        if field.empty_label is not None:
            own.append(("", field.empty_label))
        if getattr(field, "null_label", None) is not None:
            own.append((field.null_value, field.null_label))
        # Set as they are: the widget's own setter would normalise every pair again (the
        # pairs are already plain (value, label) tuples; 400 of them on a programme's list).
        field.widget._choices = own + choices
        field.widget.shared_options = (own, tags, index)
