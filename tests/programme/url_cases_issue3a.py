"""Permission cases of the programme manager's pages and API (issue 3a).

The rule: the manager of this programme may open and change it; management (``director``)
reads every programme and gets 403 on any write (also on a write form's GET); everyone else —
the employees of the pool included, and ``other_manager`` — gets 404, as for any object they may
not see: the manager's pages do not exist for them. The API's ``/enrolments/`` follows
``Enrolment.visible_to`` (an employee reads their personal list) but only the manager assigns.
"""

from programme.models import ProgrammeJob, SplitProposalRow
from tests import factories
from tests.url_cases import LOGIN, UrlCase, api, page

# Read pages of one programme.
READ = page(employee=404, colleague=404, other_manager=404)
# Write forms (GET shows the form) and POST actions of one programme.
WRITE = dict(
    anonymous=LOGIN, employee=404, colleague=404, manager=200, other_manager=404, director=403
)
POSTED = {**WRITE, "manager": 302}
API_READ = api(employee=404, colleague=404, other_manager=404)
API_WRITE = dict(
    anonymous="denied", employee=404, colleague=404, manager=200, other_manager=404, director=403
)


def programme(world):
    return {"pk": world.programme.pk}


def enrolment(world):
    return {"pk": world.programme.pk, "enrolment_pk": world.enrolment.pk}


def member(world):
    return {"pk": world.programme.pk, "member_pk": world.programme.staff.first().pk}


def split_job(world):
    colleague = world.colleague_enrolment.assignee_id
    job = ProgrammeJob.objects.create(
        programme=world.programme,
        kind="split",
        status="ready",
        result={"proposed": 1, "unplaced": 0, "people": {str(colleague): [1, 2]}},
    )
    SplitProposalRow.objects.create(
        job=job,
        enrolment=world.enrolment,
        client=world.enrolment.client,
        client_name=world.enrolment.client.name,
        assignee_id=colleague,
        weight=2,
    )
    return {"pk": world.programme.pk, "job_pk": job.pk}


def add_job(world):
    job = ProgrammeJob.objects.create(programme=world.programme, kind="add_clients", total=10)
    return {"pk": world.programme.pk, "job_pk": job.pk}


def with_unassigned_client(world):
    factories.EnrolmentFactory(programme=world.programme)
    return programme(world)


def to_colleague(world):
    return {"assignee": world.colleague_enrolment.assignee_id, "reason": "Workload"}


CASES = {
    "programme:programme_list": UrlCase(page(employee=404, colleague=404)),
    "programme:programme_create": UrlCase(page(employee=404, colleague=404, director=403)),
    "programme:programme_detail": UrlCase(READ, kwargs=programme),
    "programme:programme_edit": UrlCase(WRITE, kwargs=programme),
    "programme:programme_activate": UrlCase(POSTED, kwargs=programme, method="post"),
    "programme:programme_close": [
        UrlCase(WRITE, kwargs=programme),
        UrlCase(POSTED, kwargs=programme, method="post", data=lambda w: {"reason": "Budget"}),
    ],
    # The programme is active: the manager is sent back to it with a message.
    "programme:programme_next_run": UrlCase({**WRITE, "manager": 302}, kwargs=programme),
    "programme:progress": UrlCase(READ, kwargs=programme),
    "programme:enrolment_list": UrlCase(READ, kwargs=programme),
    "programme:enrolment_bulk_assign": UrlCase(
        POSTED,
        kwargs=programme,
        method="post",
        data=lambda w: {"enrolment": [w.enrolment.pk], **to_colleague(w)},
    ),
    "programme:enrolment_add_corporate": [
        UrlCase(WRITE, kwargs=programme),
        UrlCase(POSTED, kwargs=programme, method="post"),
    ],
    "programme:enrolment_add_private": UrlCase(WRITE, kwargs=programme),
    "programme:enrolment_detail": UrlCase(READ, kwargs=enrolment),
    "programme:enrolment_assess": UrlCase(
        POSTED, kwargs=enrolment, method="post", data=lambda w: {"assessment": "uncertain"}
    ),
    "programme:enrolment_assign": UrlCase(
        POSTED, kwargs=enrolment, method="post", data=to_colleague
    ),
    "programme:enrolment_remove": UrlCase(POSTED, kwargs=enrolment, method="post"),
    "programme:staff_list": UrlCase(READ, kwargs=programme),
    "programme:staff_add": UrlCase(
        POSTED,
        kwargs=programme,
        method="post",
        data=lambda w: {"employee": factories.staff_user().pk, "kind": "shared"},
    ),
    "programme:staff_kind": UrlCase(
        POSTED, kwargs=member, method="post", data=lambda w: {"kind": "shared"}
    ),
    "programme:staff_remove": UrlCase(POSTED, kwargs=member, method="post"),
    "programme:split_detail": UrlCase(READ, kwargs=programme),
    "programme:split_start": UrlCase(POSTED, kwargs=with_unassigned_client, method="post"),
    "programme:split_change": UrlCase(
        POSTED,
        kwargs=split_job,
        method="post",
        data=lambda w: {"enrolment": w.enrolment.pk, "assignee": w.enrolment.assignee_id},
    ),
    "programme:split_apply": UrlCase(POSTED, kwargs=split_job, method="post"),
    "programme:job_detail": UrlCase(READ, kwargs=add_job),
    # API -------------------------------------------------------------------------------------
    # An employee's list of programmes is empty (200); creating one needs the manager role.
    "api-programme-list": [
        UrlCase(api()),
        UrlCase(
            dict(
                anonymous="denied",
                employee=403,
                colleague=403,
                manager=201,
                other_manager=201,
                director=403,
            ),
            method="post",
            data=lambda w: {
                "name": "VIP 2027",
                "starts_on": "2027-01-01",
                "deadline": "2027-06-01",
            },
            content_type="application/json",
        ),
    ],
    "api-programme-detail": [
        UrlCase(API_READ, kwargs=lambda w: {"pk": w.programme.pk}),
        UrlCase(
            API_WRITE,
            kwargs=lambda w: {"pk": w.programme.pk},
            method="patch",
            data=lambda w: {"name": "VIP 2026 (renamed)"},
            content_type="application/json",
        ),
    ],
    # Already active: the manager's attempt is refused with the reason (400).
    "api-programme-activate": UrlCase(
        {**API_WRITE, "manager": 400},
        kwargs=lambda w: {"pk": w.programme.pk},
        method="post",
        content_type="application/json",
    ),
    "api-programme-close": UrlCase(
        API_WRITE,
        kwargs=lambda w: {"pk": w.programme.pk},
        method="post",
        data=lambda w: {"reason": "Budget cut"},
        content_type="application/json",
    ),
    "api-programme-staff": [
        UrlCase(API_READ, kwargs=lambda w: {"pk": w.programme.pk}),
        UrlCase(
            {**API_WRITE, "manager": 201},
            kwargs=lambda w: {"pk": w.programme.pk},
            method="post",
            data=lambda w: {"employee": factories.staff_user().pk, "kind": "shared"},
            content_type="application/json",
        ),
    ],
    "api-programme-auto-split": [
        UrlCase(API_READ, kwargs=with_unassigned_client),
        UrlCase(
            API_WRITE,
            kwargs=with_unassigned_client,
            method="post",
            data=lambda w: {},
            content_type="application/json",
        ),
    ],
    "api-enrolment-list": UrlCase(api()),
    "api-enrolment-detail": UrlCase(
        api(colleague=404, other_manager=404), kwargs=lambda w: {"pk": w.enrolment.pk}
    ),
    "api-enrolment-assign": UrlCase(
        API_WRITE,
        kwargs=lambda w: {"pk": w.enrolment.pk},
        method="post",
        data=to_colleague,
        content_type="application/json",
    ),
}
