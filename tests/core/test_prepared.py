"""vipcrm.prepared: a query compiled once, run with each call's values, reads what the ORM reads."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import F, IntegerField
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from feedback.models import Opportunity
from tests import factories
from vipcrm.prepared import InParam, Param, PreparedValues


def _opportunities(built):
    def build(ids, since):
        built.append((ids, since))
        return (
            Opportunity.objects.filter(InParam("pk", ids))
            .order_by()
            .values(
                "pk",
                "topic",
                "expected_value",
                client_name=F("client__name"),
                after=RawSQL(
                    "CASE WHEN feedback_opportunity.created_at > %s THEN 1 ELSE 0 END",
                    (since,),
                    IntegerField(),
                ),
            )
        )

    return build


def test_prepared_values_read_the_rows_the_orm_reads_with_each_calls_values(db):
    alfa = factories.OpportunityFactory(
        client=factories.ClientFactory(name="Alfa"), topic="Pipes", expected_value=Decimal("12.50")
    )
    beta = factories.OpportunityFactory(client=factories.ClientFactory(name="Beta"), topic="Oil")
    factories.OpportunityFactory(topic="Not asked")
    built = []
    rows = PreparedValues(_opportunities(built), "ids", "since")
    since = connection.ops.adapt_datetimefield_value(alfa.created_at - dt.timedelta(days=1))
    later = connection.ops.adapt_datetimefield_value(alfa.created_at + dt.timedelta(days=1))

    first = sorted(rows(ids=[alfa.pk, beta.pk], since=since), key=lambda row: row["pk"])
    assert first == [
        {
            "pk": alfa.pk,
            "topic": "Pipes",
            "expected_value": Decimal("12.50"),
            "client_name": "Alfa",
            "after": 1,
        },
        {
            "pk": beta.pk,
            "topic": "Oil",
            "expected_value": Decimal("50000.00"),
            "client_name": "Beta",
            "after": 1,
        },
    ]
    with CaptureQueriesContext(connection) as captured:
        second = rows(ids=[beta.pk], since=later)
    assert second == [{**first[1], "after": 0}]
    assert len(captured) == 1
    assert rows(ids=[], since=since) == []
    if connection.vendor == "postgresql":
        # Built once, with placeholders; the SQL is the same for any number of ids.
        assert len(built) == 1
        assert (
            f'"feedback_opportunity"."id" = ANY(ARRAY[{beta.pk}]::bigint[])' in (captured[0]["sql"])
        )
    else:
        assert len(built) == 3


def test_a_param_is_a_value_given_when_the_query_runs(db, employee):
    mine = factories.OpportunityFactory(owner=employee, topic="Mine")
    factories.OpportunityFactory(topic="Theirs")
    rows = PreparedValues(
        lambda owner: Opportunity.objects.filter(owner_id=Param(owner)).values("topic"), "owner"
    )
    assert rows(owner=employee.pk) == [{"topic": mine.topic}]
    assert rows(owner=0) == []
