from . import roles


def role_flags(request):
    user = request.user
    return {
        "is_programme_manager": roles.is_programme_manager(user),
        "is_programme_staff": roles.is_programme_staff(user),
        "is_management": roles.is_management(user),
    }
