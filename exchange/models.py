"""Import jobs: the uploaded file, what its preview found row by row, and the outcome.

The file itself is kept in the database, so that the preview (one web process or a
Celery worker) and the confirmation (maybe another one) read the same bytes, wherever
they run. It has a table of its own (ImportFile), out of the job's row, which is updated
all along an import. Jobs, their file and their rows are deleted after
IMPORT_RETENTION_DAYS.
"""

from django.conf import settings
from django.db import connections, models, router, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportJobManager(models.Manager):
    def create(self, *, content=b"", **fields):
        """A job and its file (`content`, bytes), as ImportJob.objects.create(content=…)
        was before the file had a table of its own. `size` is the file's unless given.

        Both rows are written in one transaction: a job is never seen without its file,
        nor left without it if the second insert fails (its worker would find nothing to
        read). Callers need not open one themselves."""
        fields.setdefault("size", len(content))
        db = self._db or router.db_for_write(self.model)
        with transaction.atomic(using=db):
            job = self.get_queryset().using(db).create(**fields)
            # job_id rather than job=job: the latter would keep the file (content and
            # all) in the job's cache (job.file) for as long as the caller holds the job.
            ImportFile.objects.using(db).create(job_id=job.pk, content=content)
        return job


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", pgettext_lazy("import status", "Waiting")
        ANALYSING = "analysing", pgettext_lazy("import status", "Reading the file")
        READY = "ready", pgettext_lazy("import status", "Ready to import")
        INVALID = "invalid", pgettext_lazy("import status", "To correct")
        WRITING = "writing", pgettext_lazy("import status", "Importing")
        DONE = "done", pgettext_lazy("import status", "Imported")
        FAILED = "failed", pgettext_lazy("import status", "Not imported")

    RUNNING = [Status.UPLOADED, Status.ANALYSING, Status.WRITING]

    resource = models.CharField(_("data"), max_length=30)
    source = models.CharField(_("exported from"), max_length=20, default="reemploi")
    filename = models.CharField(_("file"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    options = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.UPLOADED, editable=False
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    # Problems of the whole file (a missing column, an unreadable file), as sentences.
    problems = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the worker reading or writing it (exchange.jobs).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)

    objects = ImportJobManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return _("Import #%(number)s (%(file)s)") % {"number": self.pk, "file": self.filename}

    def get_absolute_url(self):
        return reverse("exchange:job_detail", args=[self.pk])

    @property
    def percent(self):
        if self.status in (self.Status.READY, self.Status.INVALID, self.Status.DONE):
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def running(self):
        return self.status in self.RUNNING


class ImportFile(models.Model):
    """The uploaded file of a job, in a table of its own. In the job's row it was
    rewritten by every update of the job (its status, its progress at each chunk, its
    heartbeat): SQLite has no partial update of a record, and each one cost a transient
    twice the file in memory (and wrote the file to the WAL again). Here it is written
    once, when the job is created, and deleted with it."""

    # The job's id is the primary key: one file a job, found by the job's id. (On SQLite
    # it is not the row's rowid, a bigint column not being an alias of it: see
    # stored_file().)
    job = models.OneToOneField(
        ImportJob, primary_key=True, on_delete=models.CASCADE, related_name="file"
    )
    content = models.BinaryField()

    def __str__(self):
        return f"{self.job_id}"


class ImportRow(models.Model):
    """What the preview found for one row of the file."""

    class Kind(models.TextChoices):
        NEW = "new", pgettext_lazy("import row", "New")
        UPDATE = "update", pgettext_lazy("import row", "Update")
        UNCHANGED = "unchanged", pgettext_lazy("import row", "Unchanged")
        ERROR = "error", pgettext_lazy("import row", "Error")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    kind = models.CharField(_("result"), max_length=10, choices=Kind)
    key = models.CharField(_("record"), max_length=200, blank=True)
    # [{"column": "RAM", "message": "…"}] for errors; [column, …] changed for updates.
    messages = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["line"]
        indexes = [models.Index(fields=["job", "kind", "line"])]
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")

    def __str__(self):
        return f"{self.job_id}:{self.line} {self.kind}"


def stored_file(job_id):
    """The file of job `job_id`, as bytes. On SQLite it is read straight from the database
    file into one bytes object: fetched as a column, it costs SQLite a buffer of its own
    and Python a copy, 2.5 times the file at once (a 8.3 MB file put 21 MB on a worker's
    peak memory, the most an import of 100,000 rows adds to it)."""
    connection = connections[ImportFile.objects.db]
    if connection.vendor == "sqlite":
        table = ImportFile._meta.db_table
        # blobopen() is given the row's rowid. The file's primary key, the job's id, is a
        # "bigint" column (a BigAutoField's foreign key), which SQLite does not make an
        # alias of the rowid (only "INTEGER PRIMARY KEY" is): the rowid is asked first,
        # through the primary key's index.
        with connection.cursor() as cursor:
            quote, column = connection.ops.quote_name, ImportFile._meta.pk.column
            cursor.execute(f"SELECT rowid FROM {quote(table)} WHERE {quote(column)} = %s", [job_id])
            found = cursor.fetchone()
        if found is None:
            raise ImportFile.DoesNotExist(f"Import #{job_id} has no file.")
        with connection.connection.blobopen(table, "content", found[0], readonly=True) as blob:
            return blob.read()
    content = ImportFile.objects.filter(pk=job_id).values_list("content", flat=True).get()
    return content if isinstance(content, bytes) else bytes(content)
