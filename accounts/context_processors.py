from accounts.roles import Role, roles_of


def roles(request):
    """Expose the user's roles so menus show only what a role may open."""
    names = roles_of(request.user)
    superuser = getattr(request.user, "is_superuser", False)
    return {
        "user_roles": names,
        "is_technician": superuser or Role.TECHNICIAN in names,
        "is_coordinator": superuser or Role.COORDINATOR in names,
        "is_social_worker": superuser or Role.SOCIAL_WORKER in names,
    }
