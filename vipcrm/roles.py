"""The three roles of the programme, kept as Django groups (created by a programme migration).

One person may hold several roles; a superuser counts as every role. The role names are the
groups' names, so they stay in English in the database and are translated for display.
"""

from django.utils.translation import gettext_lazy as _

PROGRAMME_MANAGERS = "Programme managers"
PROGRAMME_STAFF = "Programme staff"
MANAGEMENT = "Management"

ROLE_LABELS = {
    PROGRAMME_MANAGERS: _("Programme manager"),
    PROGRAMME_STAFF: _("Programme employee"),
    MANAGEMENT: _("Management"),
}


def role_names(user) -> frozenset[str]:
    """The user's role names, loaded once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_vipcrm_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._vipcrm_roles = cached
    return cached


def is_programme_manager(user) -> bool:
    return user.is_authenticated and (user.is_superuser or PROGRAMME_MANAGERS in role_names(user))


def is_programme_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or PROGRAMME_STAFF in role_names(user))


def is_management(user) -> bool:
    return user.is_authenticated and (user.is_superuser or MANAGEMENT in role_names(user))


def sees_everything(user) -> bool:
    """Management and administrators read every programme, client and report."""
    return user.is_authenticated and (user.is_superuser or MANAGEMENT in role_names(user))


def sees_all_clients(user) -> bool:
    """Management and programme managers see the whole client base (managers compose lists
    from it); an employee sees only the clients on their own personal lists."""
    return sees_everything(user) or is_programme_manager(user)


def may_write(user) -> bool:
    """Management is read-only; a person who also works in a programme may still write there."""
    return user.is_authenticated and (
        user.is_superuser or bool(role_names(user) & {PROGRAMME_MANAGERS, PROGRAMME_STAFF})
    )
