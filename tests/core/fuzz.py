"""Hypothesis strategies for hostile form input, shared by the fuzz tests."""

import datetime as dt

from django.apps import apps
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded: the whole fuzz suite runs in well under a minute on SQLite.
FUZZ = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

_tricky = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x1b[31m\r\n\t",
        "NaN",
        "Infinity",
        "-1",
        "0",
        "1e400",
        "-99999999999999999999",
        "2030-02-30",
        "0001-01-01",
        "9999-12-31",
        "9999-12-31T23:59",
        "0001-01-01T00:00",
        '=HYPERLINK("http://x")',
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "Ωмега 🚀 \u202e",
        "x" * 100_000,
        "1" * 400,
    ]
)

value = st.one_of(
    _tricky,
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M")
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


def form_data(field_names, fixed=None):
    """Any subset of the form's fields, each with a hostile value (or a list of them), merged
    over ``fixed`` (valid values the view needs to get as far as the service)."""
    fixed = fixed or {}
    one = st.one_of(value, st.lists(value, max_size=3))
    return st.fixed_dictionaries({}, optional=dict.fromkeys(field_names, one)).map(
        lambda data: {**fixed, **data}
    )


def row_counts():
    """Rows in every table of the domain's apps."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("clients", "programme", "feedback")
        for model in apps.get_app_config(app).get_models()
    }
