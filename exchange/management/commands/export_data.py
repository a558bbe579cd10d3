"""Export every record of a kind to a spreadsheet, with the columns the import reads back.

    manage.py export_data devices --format xlsx -o appareils.xlsx
    manage.py export_data sim-cards -o cartes.csv --user coordinatrice

Re-importing the file gives "unchanged" for every row. What is exported is what --user
(default: the first superuser) may export.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from exchange.registry import resource_class, resource_names
from inventory.management.acting_user import acting_user
from spreadsheets.exporting import FORMATS, export_dataset


class Command(BaseCommand):
    help = "Export every record of a kind of data to a CSV, XLSX or ODS file."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=resource_names(), help="the kind of data")
        parser.add_argument(
            "--format", dest="fmt", choices=FORMATS, help="default: the file's extension, or csv"
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="the file to write"
        )
        parser.add_argument("--user", help="who exports (default: the first superuser)")

    def handle(self, *args, resource, fmt, output, user, **options):
        by = acting_user(user)
        path = Path(output)
        extension = path.suffix.lower().lstrip(".")
        fmt = fmt or (extension if extension in FORMATS else "csv")
        resource_cls = resource_class(resource)
        if not resource_cls.may_export(by):
            raise CommandError(
                _("%(user)s may not export this kind of data.") % {"user": by.get_username()}
            )
        queryset = resource_cls.export_queryset(by)
        content = export_dataset(resource_cls, queryset, fmt, user=by)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s rows written to %(file)s.")
                % {"count": queryset.count(), "file": output}
            )
        )
