from django.core.management.base import BaseCommand

from accounts.roles import ROLE_PERMISSIONS, sync_roles


class Command(BaseCommand):
    help = "Create or update the role groups (technician, social worker, coordinator)."

    def handle(self, *args, **options):
        sync_roles()
        for role, names in ROLE_PERMISSIONS.items():
            self.stdout.write(f"{role}: {len(names)} permissions")
