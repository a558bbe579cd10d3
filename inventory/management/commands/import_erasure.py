"""Import an nwipe / ShredOS log: one erasure per drive wiped, the file kept as proof.

    manage.py import_erasure /media/usb/nwipe.log --device RE-000123 --user technicien

Without --device, every drive of the log must already be recorded (found by serial
number). All or nothing: on any error nothing is saved and the exit status is 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.refusals import PermissionRefused, Refused
from inventory.erasure import services as erasure
from inventory.management.acting_user import acting_user
from inventory.models import Device


class Command(BaseCommand):
    help = "Record the erasures of an nwipe or ShredOS log file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the log file written by nwipe (--logfile)")
        parser.add_argument(
            "--device", help="asset tag of the device whose drives were wiped (adds new drives)"
        )
        parser.add_argument(
            "--user", help="who records the erasures (default: the first superuser)"
        )

    def handle(self, *args, file, device=None, user=None, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": error.strerror}
            ) from error
        by = acting_user(user)
        target = self._device(device) if device else None
        try:
            recorded = erasure.import_erasure_log(
                data=data, filename=path.name, by=by, device=target
            )
        except PermissionRefused as error:
            raise CommandError(
                _("%(user)s may not record erasures.") % {"user": by.get_username()}
            ) from error
        except Refused as error:
            raise CommandError(error.message) from error
        for item in recorded:
            self.stdout.write(
                f"{item.drive.device.asset_tag}  {item.drive.serial_number}  "
                f"{item.get_result_display()}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s erasures recorded from %(file)s.")
                % {"count": len(recorded), "file": path.name}
            )
        )

    def _device(self, tag):
        found = Device.objects.filter(asset_tag=tag.strip().upper()).first()
        if found is None:
            raise CommandError(_("No device has the asset tag %(tag)s.") % {"tag": tag})
        return found
