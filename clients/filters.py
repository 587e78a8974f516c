import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from . import lookups
from .enums import ClientKind, ClientStatus, ImportanceTier
from .models import Client, KeyContact, Region, Segment

# A search matching more clients than this is filtered by a subquery, not a list of ids.
SEARCH_IDS_CAP = 1000


class _NamesIterator(ModelChoiceIterator):
    """The options from the field's ``names``, read once for the form."""

    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if field.null_label is not None:
            yield (field.null_value, field.null_label)
        yield from field.names.items()

    def __len__(self):
        return (
            len(self.field.names)
            + (self.field.empty_label is not None)
            + (self.field.null_label is not None)
        )


class NamedChoiceField(ModelChoiceField):
    """A choice of a short list of named rows (the segments, the regions), read once per form as
    ``{id: name}``: for its options, to check the value chosen (Django's field asks the
    database for it again) and for the page to name its rows' segment and region from it
    rather than by joining their tables to the list's rows. ``names`` reads the list
    (``clients.lookups``: from the cache); without it, the field's queryset is read."""

    iterator = _NamesIterator

    def __init__(self, *args, names=None, **kwargs):
        self.read_names = names
        super().__init__(*args, **kwargs)

    @cached_property
    def names(self) -> dict:
        if self.read_names is not None:
            return dict(self.read_names())
        return dict(self.queryset.values_list("pk", "name"))

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.null_label is not None and value == self.null_value:
            return value
        try:
            pk = int(str(value).strip())
        except ValueError:
            pk = None
        if pk not in self.names:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return self.queryset.model(pk=pk, name=self.names[pk])


class NamedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = NamedChoiceField


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ClientKind.choices)
    segment = NamedChoiceFilter(
        label=_("Segment"), queryset=Segment.objects.all(), names=lookups.segment_choices
    )
    region = NamedChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), names=lookups.region_choices
    )
    tier = django_filters.ChoiceFilter(label=_("Importance tier"), choices=ImportanceTier.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ClientStatus.choices)

    class Meta:
        model = Client
        fields = ["q", "kind", "segment", "region", "tier", "status"]

    def search(self, queryset, name, value):
        """Clients whose name, legal name or tax number matches, or one of whose key contacts
        is called so. On PostgreSQL each side uses a trigram index (clients migration
        0003_search_trigram).

        The matching ids are read first, once: the list then pages and counts them by primary
        key. As a subquery the trigram scans ran twice, for the page's rows and for the count
        (at 100,000 clients, 8 ms each for "steel 12"). A search matching more than
        SEARCH_IDS_CAP clients stays a subquery."""
        value = value.strip()
        if not value:
            return queryset
        by_client = (
            Client.objects.filter(
                Q(name__icontains=value) | Q(legal_name__icontains=value) | Q(tax_number=value)
            )
            .order_by()
            .values_list("pk", flat=True)
        )
        by_contact = (
            KeyContact.objects.filter(full_name__icontains=value)
            .order_by()
            .values_list("client_id", flat=True)
        )
        matching = by_client.union(by_contact)
        ids = list(matching[: SEARCH_IDS_CAP + 1])
        if len(ids) > SEARCH_IDS_CAP:
            return queryset.filter(pk__in=matching)
        return queryset.filter(pk__in=ids)
