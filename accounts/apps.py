from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from accounts.roles import sync_roles_after_migrate

        # Permissions only exist once every app has migrated, so the role groups
        # are brought up to date after each migrate rather than in a migration.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
