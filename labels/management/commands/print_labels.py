"""Write a PDF of labels, the same as the label pages build.

    manage.py print_labels --layout 62 --tags RE-000123 RE-000124 -o labels.pdf
    manage.py print_labels --layout "L7160" --donation 42 --start 5 -o lot42.pdf
    manage.py print_labels --layout L7163 --locations BRU-A01 BRU-A02 --copies 2 -o shelves.pdf
    manage.py print_labels --layout L7163 --actions -o actions.pdf

--layout is a layout's name, or any part of it that only one layout's name contains.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from labels.content import (
    action_labels,
    device_labels,
    devices_for,
    location_labels,
    locations_for,
)
from labels.models import LabelLayout
from labels.sheets import build_pdf, pages_count


class Command(BaseCommand):
    help = "Write a PDF of device, location or action labels for a label layout."

    def add_arguments(self, parser):
        parser.add_argument(
            "--layout", required=True, help="layout name, or a part only one name contains"
        )
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--tags", nargs="+", metavar="TAG", help="asset tags of devices")
        what.add_argument("--donation", type=int, metavar="ID", help="every device of a donation")
        what.add_argument("--locations", nargs="+", metavar="CODE", help="location codes")
        what.add_argument("--actions", action="store_true", help="the scan-station actions")
        parser.add_argument(
            "--start", type=int, default=1, help="first free label of a partly used sheet"
        )
        parser.add_argument("--copies", type=int, default=1, help="copies of each label")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")

    def handle(self, *args, layout, output, start, copies, **options):
        layout = find_layout(layout)
        labels = self._labels(options)
        try:
            pdf = build_pdf(layout, labels, start=start, copies=copies)
        except ValueError as error:
            raise CommandError(str(error)) from error
        path = Path(output)
        try:
            path.write_bytes(pdf)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s") % {"file": output, "reason": error.strerror}
            ) from error
        count = len(labels) * copies
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s labels on %(pages)s pages written to %(file)s.")
                % {"count": count, "pages": pages_count(layout, count, start), "file": output}
            )
        )

    def _labels(self, options):
        try:
            if options["actions"]:
                return action_labels()
            if options["locations"]:
                return location_labels(locations_for(options["locations"]))
            devices = devices_for(tags=options["tags"], donation=options["donation"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        return device_labels(devices)


def find_layout(name):
    """The layout called `name`, or the only one whose name contains it (any case)."""
    layouts = list(LabelLayout.objects.all())
    for candidates in (
        [layout for layout in layouts if layout.name == name],
        [layout for layout in layouts if layout.name.lower() == name.lower()],
        [layout for layout in layouts if name.lower() in layout.name.lower()],
    ):
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            break
    names = "\n".join(f"  {layout.name}" for layout in layouts)
    raise CommandError(
        _("No single layout matches “%(name)s”. The layouts are:\n%(names)s")
        % {"name": name, "names": names}
    )
