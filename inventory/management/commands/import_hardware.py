"""Import hardware reports (lshw -json files, one machine each) from the command line.

    manage.py import_hardware /media/usb/*/lshw.json --site BRU --user technicien
    manage.py import_hardware lshw.json --smartctl sda.json --smartctl nvme0.json \\
        --lsblk lsblk.json --battery /sys/class/power_supply/BAT0/uevent
    manage.py import_hardware whitebox.json --serial "SN-FROM-THE-LABEL" --site BRU

--serial is the serial number read on the machine's label, for a firmware that holds
none ("To Be Filled By O.E.M."), as the device page lets one type it.

Each file registers its machine, or updates it when its serial number is known, and
prints "created RE-000123" or "updated RE-000123". All or nothing: the files are
imported in one transaction, so a bad file (named in the error) saves none of them and
the exit status is 1; fix it and run the same command again.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.refusals import PermissionRefused
from inventory.hardware import services as hardware
from inventory.hardware.report import HardwareReportError
from inventory.management.acting_user import acting_user
from inventory.models import Donation, HardwareReport, Site


class Command(BaseCommand):
    help = "Register or update devices from lshw -json files (one machine per file)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="lshw -json output")
        parser.add_argument(
            "--smartctl",
            action="append",
            default=[],
            metavar="FILE",
            help="smartctl --json -a output, once per drive (only with a single FILE)",
        )
        parser.add_argument(
            "--lsblk", metavar="FILE", help="lsblk --json output (only with a single FILE)"
        )
        parser.add_argument(
            "--battery",
            metavar="FILE",
            help="/sys/class/power_supply/BAT0/uevent, for the battery's health "
            "(only with a single FILE)",
        )
        parser.add_argument(
            "--serial",
            help="serial number from the machine's label, when its firmware holds none "
            "(only with a single FILE)",
        )
        parser.add_argument("--donation", type=int, help="number of the donation they came in")
        parser.add_argument("--site", help="code of the site that received new machines")
        parser.add_argument("--user", help="who imports (default: the first superuser)")

    def handle(
        self, *args, files, smartctl, lsblk, battery, serial, donation, site, user, **options
    ):
        if (smartctl or lsblk or battery or serial) and len(files) > 1:
            raise CommandError(
                _(
                    "--smartctl, --lsblk, --battery and --serial describe one machine: give "
                    "one lshw file."
                )
            )
        if serial is not None and not serial.strip():
            raise CommandError(_("--serial is empty: give the serial number on the label."))
        by = acting_user(user)
        extra = {
            "smartctl": [_read(path) for path in smartctl],
            "lsblk": _read(lsblk) if lsblk else None,
            "battery": _read(battery) if battery else None,
            "serial": serial.strip() if serial else None,
            "site": self._site(site) if site else None,
            "donation": self._donation(donation) if donation else None,
        }
        done = []
        with transaction.atomic():
            for path in files:
                device, created = self._import(path, by, extra)
                done.append((device, created, path))
        # Printed once committed: a line never names a device that a later error undid.
        for device, created, path in done:
            self.stdout.write(f"{'created' if created else 'updated'} {device.asset_tag}  {path}")
        self.stdout.write(
            self.style.SUCCESS(_("%(count)s hardware reports imported.") % {"count": len(done)})
        )

    def _import(self, path, by, extra):
        try:
            return hardware.import_hardware_report(
                lshw=_read(path), by=by, source=HardwareReport.Source.COMMAND, **extra
            )
        except HardwareReportError as error:
            raise CommandError(
                _("%(file)s: %(error)s (nothing was imported)") % {"file": path, "error": error}
            ) from error
        except PermissionRefused as error:
            raise CommandError(
                _("%(user)s may not import hardware reports.") % {"user": by.get_username()}
            ) from error

    def _site(self, code):
        found = Site.objects.filter(code=code.strip().upper()).first()
        if found is None:
            raise CommandError(_("No site has the code %(code)s.") % {"code": code})
        return found

    def _donation(self, number):
        found = Donation.objects.select_related("site").filter(pk=number).first()
        if found is None:
            raise CommandError(_("No donation has the number %(id)s.") % {"id": number})
        return found


def _read(path):
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s: %(reason)s") % {"file": path, "reason": error.strerror}
        ) from error
