"""The three roles as groups, each with the model permissions the Django admin needs."""

from django.db import migrations

MANAGER_PERMISSIONS = {
    "programme": ["programme", "staffmember", "enrolment", "assignmentchange"],
    "clients": ["client", "keycontact", "position", "clientposition", "clientvolume"],
}
STAFF_PERMISSIONS = {
    "clients": ["keycontact"],
    "feedback": ["visit", "visitreport", "followup", "referral", "opportunity"],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrations; the groups need them now. Historical
    # app configs have no models module, which create_permissions would take as "no models".
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    managers, _ = Group.objects.get_or_create(name="Programme managers")
    staff, _ = Group.objects.get_or_create(name="Programme staff")
    management, _ = Group.objects.get_or_create(name="Management")

    def grant(group, models_by_app, actions):
        for app_label, models in models_by_app.items():
            codenames = [f"{action}_{model}" for model in models for action in actions]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )

    grant(managers, MANAGER_PERMISSIONS, ["view", "add", "change"])
    grant(staff, STAFF_PERMISSIONS, ["view", "add", "change"])
    grant(
        management,
        {**MANAGER_PERMISSIONS, "feedback": STAFF_PERMISSIONS["feedback"] + ["correctiveaction"]},
        ["view"],
    )


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Programme managers", "Programme staff", "Management"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0001_initial"),
        ("clients", "0001_initial"),
        ("feedback", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
