"""schemathesis against /api/schema/, in-process on the WSGI app: whatever an employee or a
programme manager sends to any operation, the API never answers 500 and its answers match the
schema it publishes."""

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests import factories

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Bounded so the whole API (every operation, two users) runs in about a minute.
API_FUZZ = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_world(world, employee, manager, settings):
    """The usual programme with something in every list: a visit with its report, follow-ups
    and notifications, so reads return rows whose shape the schema is checked against."""
    settings.ALLOWED_HOSTS = ["*"]
    visit = factories.VisitFactory(enrolment=world.enrolment, status="held")
    factories.VisitReportFactory(visit=visit)
    factories.FollowUpFactory(client=world.client, owner=employee, programme=world.programme)
    factories.CorrectiveActionFactory(client=world.client, owner=employee)
    factories.OpportunityFactory(client=world.client, owner=employee)
    factories.ReferralFactory(referring_client=world.client, owner=employee)
    factories.NotificationFactory(recipient=employee)
    # The raw WSGI app closes the database connection after each request (Django's test client
    # does not): that would end the test's transaction on PostgreSQL.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield world
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _auth(user):
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def _published_schema():
    """The document /api/schema/ serves (the same generator, without a login to fetch it), on
    the WSGI app in-process: no server, the test database."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from vipcrm.wsgi import application

    document = SchemaGenerator().get_schema(request=None, public=True)
    config = SchemathesisConfig()
    # The coverage phase alone sends hundreds of requests per operation; random fuzzing with a
    # bounded number of examples keeps the suite's minute.
    config.projects.default.phases.coverage.enabled = False
    # through JSON, as a client reads it (lazy translations and dates become strings)
    loaded = schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(document)), config=config
    )
    loaded.app = application
    loaded.location = "/api/schema/"
    return loaded


schema = _published_schema()


@schema.parametrize()
@API_FUZZ
def test_api_as_employee_never_fails_and_matches_the_schema(case, api_world, employee):
    case.call_and_validate(headers=_auth(employee), checks=CHECKS)


@schema.parametrize()
@API_FUZZ
def test_api_as_manager_never_fails_and_matches_the_schema(case, api_world, manager):
    case.call_and_validate(headers=_auth(manager), checks=CHECKS)


# What schemathesis found, kept as plain tests.


def test_contact_create_with_a_json_list_answers_400(world, as_employee):
    from clients.models import KeyContact

    before = KeyContact.objects.count()

    response = as_employee.post("/api/v1/contacts/", [1, 2], content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"client": ["Choose the client."]}
    assert KeyContact.objects.count() == before


@pytest.mark.parametrize("url", ["/api/v1/enrolments/{}/assign/", "/api/v1/notifications/{}/read/"])
def test_action_on_a_malformed_id_answers_404(world, as_manager, url):
    response = as_manager.post(url.format("null,null"), {}, content_type="application/json")

    assert response.status_code == 404


def test_schema_documents_what_the_api_answers():
    """The mismatches schemathesis found: blank choices, null dates, blank e-mails and the
    answers of the totals and notification actions."""
    document = json.loads(schema.raw_schema) if isinstance(schema.raw_schema, str) else None
    document = document or schema.raw_schema
    components = document["components"]["schemas"]
    paths = document["paths"]

    def answer(path, method):
        content = paths[path][method]["responses"]["200"]["content"]["application/json"]
        return content["schema"]["$ref"].rsplit("/", 1)[-1]

    assert {"$ref": "#/components/schemas/BlankEnum"} in components["Enrolment"]["properties"][
        "assessment"
    ]["oneOf"]
    assert components["MyEnrolment"]["properties"]["next_meeting"]["nullable"] is True
    assert "format" not in components["Referral"]["properties"]["email"]
    assert answer("/api/v1/opportunities/totals/", "get") == "OpportunityTotals"
    assert answer("/api/v1/notifications/unread-count/", "get") == "UnreadCount"
    assert answer("/api/v1/notifications/read-all/", "post") == "MarkedRead"
    assert components["OpportunityTotals"]["properties"]["won_value"]["nullable"] is True
