"""Import a spreadsheet from the command line, as the Imports page does: the preview
first, then (unless --dry-run) everything written at once, or nothing.

    manage.py import_data devices inventaire-mairie.xlsx --donation 42 --user technicien
    manage.py import_data devices export-snipeit.csv --source snipeit --site BRU
    manage.py import_data sim-cards cartes-orange.csv --dry-run

Prints a progress bar on a terminal, then the counts and every error as "Line 12,
column “RAM”: …". The exit status is 1 when nothing was written because of errors (with
--dry-run: when the file has errors). The job stays on the Imports page of --user.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from exchange import jobs, services
from exchange.models import ImportJob
from exchange.registry import SOURCES, resource_names
from inventory.management.acting_user import acting_user
from inventory.models import Donation, Site

Status = ImportJob.Status


class Command(BaseCommand):
    help = "Import a CSV, XLSX or ODS file: preview, then write every row or none."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=resource_names(), help="the kind of data")
        parser.add_argument("file", metavar="FILE", help="a CSV, XLSX or ODS file")
        parser.add_argument(
            "--dry-run", action="store_true", help="only the preview: write nothing"
        )
        parser.add_argument("--donation", type=int, help="devices: number of their donation")
        parser.add_argument("--site", help="devices: code of the site of rows that name none")
        parser.add_argument(
            "--source",
            default="reemploi",
            choices=list(SOURCES),
            help="devices: the tool the file was exported from",
        )
        parser.add_argument("--user", help="who imports (default: the first superuser)")

    def handle(self, *args, resource, file, dry_run, donation, site, source, user, **options):
        by = acting_user(user)
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        job = self._create(by, resource, source, path.name, content, self._options(donation, site))
        job = jobs.run_analysis(job.pk, on_progress=self._bar(_("Reading")))
        self._end_bar()
        self._report(job)
        if job.status != Status.READY:
            raise CommandError(_("The file has errors: nothing was imported."))
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        services.confirm_import(job=job, user=by, queue=False)
        job = jobs.run_import(job.pk, user=by, on_progress=self._bar(_("Writing")))
        self._end_bar()
        if job.status != Status.DONE:
            self._report(job)
            raise CommandError(_("Nothing was imported."))
        self.stdout.write(
            self.style.SUCCESS(
                _("%(job)s: %(outcome)s.")
                % {"job": job, "outcome": services.outcome_sentence(job.counts)}
            )
        )

    def _create(self, by, resource, source, filename, content, options):
        if source != "reemploi" and source not in services.available_sources():
            raise CommandError(_("Files of %(source)s cannot be read yet.") % {"source": source})
        try:
            return services.create_job(
                user=by,
                resource=resource,
                source=source,
                filename=filename,
                content=content,
                options=options,
            )
        except PermissionDenied:
            raise CommandError(
                _("%(user)s may not import this kind of data.") % {"user": by.get_username()}
            ) from None

    def _options(self, donation, site):
        options = {}
        if donation:
            if not Donation.objects.filter(pk=donation).exists():
                raise CommandError(
                    _("No donation has the number %(number)s.") % {"number": donation}
                )
            options["donation"] = donation
        if site:
            found = Site.objects.filter(code__iexact=site.strip()).first()
            if found is None:
                raise CommandError(_("No site has the code “%(code)s”.") % {"code": site})
            options["site"] = found.pk
        return options

    # Output -------------------------------------------------------------------------

    def _bar(self, label):
        """A one-line progress bar, redrawn with \\r, on a terminal only."""
        if not self.stdout.isatty():
            return None

        def draw(processed, total):
            percent = min(100, round(100 * processed / total)) if total else 0
            filled = percent // 5
            bar = "#" * filled + "-" * (20 - filled)
            self.stdout.write(f"\r{label} [{bar}] {percent:3d} % ({processed}/{total})", ending="")
            self.stdout.flush()

        return draw

    def _end_bar(self):
        if self.stdout.isatty():
            self.stdout.write("")

    def _report(self, job):
        counts = job.counts or {}
        if counts:
            self.stdout.write(
                _(
                    "%(rows)s rows: %(new)s new, %(update)s to update, %(unchanged)s unchanged, "
                    "%(error)s with errors."
                )
                % {
                    "rows": sum(counts.values()),
                    "new": counts.get("new", 0),
                    "update": counts.get("update", 0),
                    "unchanged": counts.get("unchanged", 0),
                    "error": counts.get("error", 0),
                }
            )
        # Refusals go to the error output; notes of a good file ("columns ignored") do not.
        out = self.stderr if job.status in (Status.INVALID, Status.FAILED) else self.stdout
        for problem in job.problems:
            out.write(problem)
        for row in job.rows.filter(kind="error").iterator():
            for sentence in services.error_sentences(row):
                self.stderr.write(sentence)
        self.stdout.write(
            _("Details: %(path)s") % {"path": settings.SITE_URL + job.get_absolute_url()}
        )
