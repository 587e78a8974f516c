"""``{% row_url "app:view" object.pk %}``: the link of a list page's row, for the price of a
string format instead of a ``reverse()``.

``{% url %}`` runs ``reverse()`` each time, about 20–60 µs on our URL configuration: with three or
four links a row, the links of a hundred rows cost more than the rest of the page. A row's links
differ only by the row's ids, so this tag reverses each URL name once per request, with markers
in place of the ids, and puts each row's ids where the markers were. The result is the URL
``{% url %}`` gives: same script prefix, same language, same path.

Only for URLs whose arguments are integer ids (``<int:pk>``, up to four); anything else
raises, as ``{% url %}`` would for an unknown name.
"""

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

# Ids no row has, with digits no URL prefix contains.
_MARKERS = tuple(987654321987654320 + n for n in range(4))


def _url_format(view_name: str, arity: int) -> str:
    """The URL of ``view_name`` as a format string with ``{0}``, ``{1}``… for its ids."""
    markers = [str(marker) for marker in _MARKERS[:arity]]
    url = reverse(view_name, args=markers).replace("{", "{{").replace("}", "}}")
    for position, marker in enumerate(markers):
        if url.count(marker) != 1:
            raise template.TemplateSyntaxError(f"{view_name!r} does not take {arity} ids")
        url = url.replace(marker, f"{{{position}}}")
    return url


def row_url_format(request, view_name: str, arity: int) -> str:
    """The URL of ``view_name`` as a format string for ``arity`` ids (``{0}``, ``{1}``…),
    reversed once per request and URL name: ``row_url_format(…).format(*ids)`` in a loop over
    many rows."""
    key = (view_name, arity, get_language(), get_script_prefix())
    cache = getattr(request, "_row_urls", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._row_urls = cache
    url_format = cache.get(key)
    if url_format is None:
        url_format = cache[key] = _url_format(view_name, arity)
    return url_format


def row_url_for(request, view_name: str, *ids) -> str:
    """``reverse(view_name, args=ids)`` for integer ids, reversed once per request and URL
    name."""
    return row_url_format(request, view_name, len(ids)).format(*(int(pk) for pk in ids))


class RowUrlNode(template.Node):
    def __init__(self, view_name, ids, target):
        self.view_name, self.ids, self.target = view_name, ids, target

    def render(self, context):
        url = row_url_for(
            context.get("request"),
            self.view_name.resolve(context),
            *(pk.resolve(context) for pk in self.ids),
        )
        if context.autoescape:
            url = conditional_escape(url)
        if self.target:
            context[self.target] = url
            return ""
        return url


@register.tag
def row_url(parser, token):
    """``{% row_url "app:view" pk %}``, ``{% row_url "app:view" parent.pk pk %}``, each
    optionally ``… as name``."""
    bits = token.split_contents()
    target = None
    if len(bits) >= 5 and bits[-2] == "as":
        target = bits[-1]
        bits = bits[:-2]
    if not 3 <= len(bits) <= 2 + len(_MARKERS):
        raise template.TemplateSyntaxError(
            "row_url takes a URL name and its ids: {% row_url 'app:view' pk [as name] %}"
        )
    ids = [parser.compile_filter(bit) for bit in bits[2:]]
    return RowUrlNode(parser.compile_filter(bits[1]), ids, target)
