"""What the client card reads: one query per section, whatever its size, each a ``values()``
queryset compiled once per process (``vipcrm.prepared``) and run with the client's id.

The card shows eleven sections. Building and compiling their querysets took more of the card's
time than the database took to answer them at 100,000 clients; prepared, a section costs its
round trip. The rows are dicts of the values the card shows (``clients.card_rows`` writes most
of them); people are named from their first name, last name and username (``person_name``).
"""

from django.db.models import F, OuterRef

from vipcrm import roles
from vipcrm.lists import person_columns, person_name
from vipcrm.prepared import PreparedValues

from .aggregates import SubqueryJoinedNames
from .enums import ClientKind, ClientStatus, ImportanceTier
from .models import Client, ClientPosition, ClientVolume, KeyContact

# The card shows the latest visits; "all visits" lists the rest.
CARD_VISITS = 10
CARD_VOLUMES = 12


def _client(client_id, user_id=None):
    clients = Client.objects.filter(pk=client_id)
    if user_id is not None:
        clients = clients.on_list_of(user_id)
    return clients.values(
        "pk",
        "name",
        "kind",
        "legal_name",
        "tax_number",
        "city",
        "tier",
        "status",
        "lost_on",
        segment_name=F("segment__name"),
        region_name=F("region__name"),
        **person_columns("original_salesperson"),
    )


def client_visible_to(user, client_id: int) -> dict | None:
    """The card's client, with its labels and its original salesperson's name, if ``user``
    may see it (``ClientQuerySet.one_visible_to``'s rule; a test holds the two together);
    otherwise None."""
    if not user.is_authenticated:
        return None
    if roles.sees_all_clients(user):
        rows = _any_client(client_id=client_id)
    else:
        rows = _client_on_their_list(client_id=client_id, user_id=user.pk)
    if not rows:
        return None
    client = rows[0]
    client["kind_label"] = _label(ClientKind, client["kind"])
    client["tier_label"] = _label(ImportanceTier, client["tier"])
    client["status_label"] = _label(ClientStatus, client["status"])
    client["salesperson_name"] = person_name(
        client["original_salesperson_first_name"],
        client["original_salesperson_last_name"],
        client["original_salesperson_username"],
    )
    return client


def _label(choices, value):
    return dict(choices.choices).get(value, value)


def _enrolments(client_id):
    from programme.models import Enrolment  # programme builds on clients, not the reverse

    return (
        Enrolment.objects.filter(client_id=client_id)
        .order_by("-programme__starts_on", "-id")
        .values(
            "pk",
            "stage",
            "assignee_id",
            programme_name=F("programme__name"),
            programme_status=F("programme__status"),
            **person_columns("assignee"),
        )
    )


def _assignments(client_id):
    from programme.models import AssignmentChange

    return AssignmentChange.objects.filter(enrolment__client_id=client_id).values(
        "enrolment_id",
        "changed_at",
        "reason",
        "changed_by_id",
        **person_columns("from_user"),
        **person_columns("to_user"),
        **person_columns("changed_by"),
    )


def _visits(client_id, *, limit=None):
    from feedback.models import Visit

    names = SubqueryJoinedNames(
        Visit.contacts.through.objects.filter(visit_id=OuterRef("pk")), "keycontact__full_name"
    )
    visits = (
        Visit.objects.filter(client_id=client_id)
        .order_by("-scheduled_at", "-id")
        .values(
            "pk",
            "scheduled_at",
            "place",
            "status",
            report_status=F("report__status"),
            score_goods=F("report__score_goods"),
            score_services=F("report__score_services"),
            score_service=F("report__score_service"),
            recommendation_score=F("report__recommendation_score"),
            **person_columns("employee"),
        )
        .annotate(contact_names=names)
    )
    return visits if limit is None else visits[:limit]


def _contacts(client_id):
    return KeyContact.objects.filter(client_id=client_id).values(
        "pk",
        "full_name",
        "role",
        "job_title",
        "phone",
        "email",
        "left_company",
        "left_on",
        "verified_on",
    )


def _positions(client_id):
    return ClientPosition.objects.filter(client_id=client_id).values(
        "annual_volume", position_name=F("position__name"), position_unit=F("position__unit")
    )


def _volumes(client_id):
    return (
        ClientVolume.objects.filter(client_id=client_id)
        .order_by("-period")
        .values("period", "amount")[:CARD_VOLUMES]
    )


def _follow_ups(client_id):
    from feedback.models import FollowUp

    return FollowUp.objects.filter(client_id=client_id, done_at__isnull=True).values(
        "title", "due_on", **person_columns("owner")
    )


def _corrective_actions(client_id):
    from feedback.models import CorrectiveAction

    return (
        CorrectiveAction.objects.filter(client_id=client_id)
        .open()
        .values("complaint", "area", "status", "due_on", **person_columns("owner"))
    )


def _opportunities(client_id):
    from feedback.models import Opportunity

    return Opportunity.objects.filter(client_id=client_id, status="open").values(
        "kind",
        "topic",
        "expected_value",
        "client_position_id",
        position_name=F("position__name"),
        client_position_name=F("client_position__position__name"),
    )


def _referrals(client_id):
    from feedback.models import Referral

    return (
        Referral.objects.filter(referring_client_id=client_id)
        .exclude(status__in=("converted", "dropped"))
        .values(
            "person_name",
            "company_name",
            "phone",
            "email",
            "status",
            "referring_contact_id",
            referring_contact_name=F("referring_contact__full_name"),
        )
    )


_any_client = PreparedValues(lambda client_id: _client(client_id))
_client_on_their_list = PreparedValues(_client)
enrolments = PreparedValues(_enrolments)
assignments = PreparedValues(_assignments)
latest_visits = PreparedValues(lambda client_id: _visits(client_id, limit=CARD_VISITS + 1))
all_visits = PreparedValues(lambda client_id: _visits(client_id))
contacts = PreparedValues(_contacts)
positions = PreparedValues(_positions)
volumes = PreparedValues(_volumes)
follow_ups = PreparedValues(_follow_ups)
corrective_actions = PreparedValues(_corrective_actions)
opportunities = PreparedValues(_opportunities)
referrals = PreparedValues(_referrals)
