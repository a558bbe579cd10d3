from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.roles import sync_roles_after_migrate
        from accounts.sessions import start_the_clock
        from accounts.twofactor import check_required_roles

        checks.register(check_required_roles)

        user_logged_in.connect(start_the_clock, dispatch_uid="accounts.idle_clock")

        # Permissions only exist once every app has migrated, so the role groups
        # are brought up to date after each migrate rather than in a migration.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
