from django.contrib.auth.models import Group

from vipcrm import roles


def test_roles_migration_creates_the_three_groups_with_permissions(db):
    groups = {g.name: g for g in Group.objects.all()}

    assert set(groups) == {"Programme managers", "Programme staff", "Management"}
    management = set(groups["Management"].permissions.values_list("codename", flat=True))
    assert "view_client" in management
    assert not any(code.startswith(("add_", "change_", "delete_")) for code in management)
    staff = set(groups["Programme staff"].permissions.values_list("codename", flat=True))
    assert {"add_visitreport", "change_keycontact"} <= staff
    assert "change_enrolment" not in staff


def test_role_checks(employee, manager, director):
    assert roles.is_programme_staff(employee) and not roles.is_programme_manager(employee)
    assert roles.is_programme_manager(manager) and roles.may_write(manager)
    assert roles.is_management(director) and not roles.may_write(director)
