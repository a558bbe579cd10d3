"""Files that could hurt the server: too many rows, an XLSX or ODS that unzips to far
more than it weighs, a broken zip, bytes that are no spreadsheet. Each is refused with
a sentence saying what is wrong, at upload and again by the job, never a server error."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exchange import engine, services
from exchange.models import ImportJob
from inventory.models import Device
from spreadsheets.exporting import write_table
from spreadsheets.measuring import Extent, measure_sheet, unzipped_size
from tests.factories import SiteFactory

pytestmark = pytest.mark.usefixtures("english")

HEADERS = ["Numéro de série", "Marque", "Modèle", "Catégorie", "RAM", "Site"]
BOMB = b"0" * (2 * 1024 * 1024 + 1)


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery):
    """Celery runs inline for every test of this file."""


@pytest.fixture
def bru(db):
    return SiteFactory(code="BRU", name="Bruay")


def _rows(count):
    return [[f"SN{n:05d}", "Dell", "Latitude", "portable", "8 Go", "BRU"] for n in range(count)]


def _csv(count):
    lines = [";".join(HEADERS), *(";".join(row) for row in _rows(count)), ""]
    return "\n".join(lines).encode()


def _workbook(fmt, count):
    return write_table(fmt, HEADERS, _rows(count))


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx(sheet_xml):
    """A minimal XLSX whose first sheet is `sheet_xml` (inline strings: no shared table)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return _zip(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Default Extension="rels" ContentType='
                '"application/vnd.openxmlformats-package.relationships+xml"/><Default '
                'Extension="xml" ContentType="application/xml"/><Override PartName='
                '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
                '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.worksheet+xml"/></Types>'
            ),
            "_rels/.rels": (
                '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                "openxmlformats.org/officeDocument/2006/relationships/officeDocument"
                '" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": (
                f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                '<sheet name="Feuille1" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                "openxmlformats.org/officeDocument/2006/relationships/worksheet"
                '" Target="worksheets/sheet1.xml"/></Relationships>'
            ),
            "xl/worksheets/sheet1.xml": sheet_xml,
        }
    )


def _sheet(rows, dimension=None):
    def cell(reference, text):
        return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'

    lines = [("Numéro de série", "Catégorie")] + [(f"SN{n}", "portable") for n in range(rows)]
    body = "".join(
        f'<row r="{line}">{cell(f"A{line}", serial)}{cell(f"B{line}", category)}</row>'
        for line, (serial, category) in enumerate(lines, 1)
    )
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return (
        f'<?xml version="1.0"?><worksheet xmlns="{main}">{declared}'
        f"<sheetData>{body}</sheetData></worksheet>"
    )


def _ods(rows_xml):
    """A minimal ODS whose only table holds `rows_xml`."""
    content = (
        '<?xml version="1.0"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Feuille1">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The mimetype first and stored: how ODS files are told apart from XLSX ones.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _ods_row(*texts, repeated=1):
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>'
        for t in texts
    )
    return f'<table:table-row table:number-rows-repeated="{repeated}">{cells}</table:table-row>'


def _upload(client, django_capture_on_commit_callbacks, name, content):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/imports/new/", {"resource": "devices", "file": SimpleUploadedFile(name, content)}
        )
    return response, ImportJob.objects.order_by("-pk").first()


@pytest.fixture
def post(technician_client, django_capture_on_commit_callbacks):
    return lambda name, content: _upload(
        technician_client, django_capture_on_commit_callbacks, name, content
    )


# Counting without reading ----------------------------------------------------------


def test_the_rows_of_a_csv_are_counted_without_reading_it():
    assert measure_sheet("devices.csv", _csv(120)) == Extent(120)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_rows_and_cells_of_a_workbook_are_counted_without_reading_it(fmt):
    assert measure_sheet(f"devices.{fmt}", _workbook(fmt, 120)) == Extent(120, 121, 6)


def test_an_xlsx_declaring_its_dimension_is_counted_from_it_alone():
    # The dimension says 300,000 rows: believed without reading the rows, when within.
    content = _xlsx(_sheet(2, dimension="A1:K300001"))

    assert measure_sheet("d.xlsx", content) == Extent(300_000, 300_001, 11)
    # Above the limit, the rows are counted: a dimension may take in empty formatted cells.
    assert measure_sheet("d.xlsx", content, rows_above=50_000) == Extent(2, 3, 2)


def test_an_xlsx_whose_dimension_takes_in_empty_formatted_cells_is_counted():
    # LibreOffice may declare every column it formatted: A1:AMJ3000 is 3 million cells.
    content = _xlsx(_sheet(2, dimension="A1:AMJ3000"))

    assert measure_sheet("d.xlsx", content) == Extent(2999, 3000, 1024)
    assert measure_sheet("d.xlsx", content, cells_above=2_000_000) == Extent(2, 3, 2)


def test_an_xlsx_past_the_limit_is_counted_only_as_far_as_the_limit():
    content = _xlsx(_sheet(30, dimension="A1:B31"))

    assert measure_sheet("d.xlsx", content, rows_above=5) == Extent(30, 31, 2)


def test_an_ods_counts_its_repeated_rows_but_not_its_empty_tail():
    content = _ods(
        _ods_row("Numéro de série", "Marque")
        + _ods_row("SN", "Dell", repeated=1_000_000)
        + '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/>'
        "</table:table-row>"
    )

    assert measure_sheet("d.ods", content) == Extent(1_000_000, 1_000_001, 2)


def test_an_ods_counts_its_repeated_cells_up_to_the_last_value():
    content = _ods(
        _ods_row("Numéro de série", "Marque")
        + '<table:table-row><table:table-cell table:number-columns-repeated="3"/>'
        '<table:table-cell office:value-type="float" office:value="1"'
        ' table:number-columns-repeated="16000"/>'
        '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
    )

    assert measure_sheet("d.ods", content) == Extent(1, 2, 16_003)


def test_the_unzipped_size_comes_from_the_zip_directory():
    content = _zip({"a.xml": BOMB, "b.xml": b"12345"})

    assert len(content) < 10_000
    assert unzipped_size(content) == len(BOMB) + 5


# At upload ---------------------------------------------------------------------------


MORE_THAN_5 = "This file has more than 5 rows; the limit is 5 rows: split it."


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("csv", "This file has 12 rows; the limit is 5 rows: split the file."),
        ("xlsx", "This file has 12 rows; the limit is 5 rows: split the file."),
        # Counted only as far as the limit (no dimension in the file to tell the rest).
        ("xlsx-undeclared", MORE_THAN_5),
        ("ods", MORE_THAN_5),
    ],
)
def test_a_file_of_too_many_rows_is_refused_at_upload(post, bru, settings, fmt, message):
    settings.IMPORT_MAX_ROWS = 5
    content = {
        "csv": lambda: _csv(12),
        "xlsx": lambda: _xlsx(_sheet(12, dimension="A1:B13")),
        "xlsx-undeclared": lambda: _workbook("xlsx", 12),
        "ods": lambda: _workbook("ods", 12),
    }[fmt]()

    response, job = post(f"devices.{fmt[:4].rstrip('-')}", content)

    assert response.status_code == 400
    assert job is None
    assert message in response.text


def test_a_file_at_the_row_limit_is_accepted(post, bru, settings):
    settings.IMPORT_MAX_ROWS = 12

    response, job = post("devices.xlsx", _workbook("xlsx", 12))

    assert response.status_code == 302
    assert job.status == ImportJob.Status.READY
    assert job.total_rows == 12


def test_a_csv_whose_line_breaks_overcount_is_counted_exactly(post, bru, settings):
    # Notes on several lines: 9 line breaks, 3 rows.
    settings.IMPORT_MAX_ROWS = 3
    rows = [f'SN{n};Dell;L;portable;8 Go;BRU;"une\nnote\nlongue"' for n in range(3)]
    content = "\n".join([";".join([*HEADERS, "Notes"]), *rows, ""]).encode()

    response, job = post("devices.csv", content)

    assert response.status_code == 302
    assert job.status == ImportJob.Status.READY


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_zip_bomb_is_refused_at_upload_by_what_it_would_unzip_to(post, settings, fmt):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    padding = "<!--" + "0" * len(BOMB) + "-->"
    if fmt == "xlsx":
        content = _xlsx(_sheet(1).replace("<sheetData>", padding + "<sheetData>"))
    else:
        content = _ods(_ods_row("Numéro de série") + padding)
    assert len(content) < 20_000

    response, job = post(f"bomb.{fmt}", content)

    assert response.status_code == 400
    assert job is None
    assert "Unzipped, this file would be 2.0\xa0MB; the limit is 1.0\xa0MB." in response.text


def test_an_ods_of_a_million_repeated_rows_is_refused_by_its_rows(post):
    content = _ods(_ods_row("Numéro de série") + _ods_row("SN", repeated=1_000_000))

    response, job = post("repeated.ods", content)

    assert response.status_code == 400
    assert job is None
    assert "This file has more than 50,000 rows; the limit is 50,000 rows: split it." in (
        response.text
    )


def test_an_ods_of_a_cell_repeated_thousands_of_times_is_refused_by_its_cells(post):
    # 2 KB of ODS that the reader would make into 16 million cells, 2.3 GB of memory.
    repeated = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>h</text:p>'
        '</table:table-cell><table:table-cell table:number-columns-repeated="16000" '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    content = _ods(_ods_row("Numéro de série") + repeated * 1000)
    assert len(content) < 5_000

    response, job = post("repeated.ods", content)

    assert response.status_code == 400
    assert job is None
    assert (
        "This sheet spans 1,001 rows of 16,001 columns, 16,017,001 cells; the limit is "
        "2,000,000 cells: delete the columns not imported, or split the file."
    ) in response.text


@pytest.mark.parametrize("name", ["broken.xlsx", "broken.ods"])
def test_a_broken_zip_is_refused_at_upload_with_a_sentence(post, name):
    whole = _workbook(name.rsplit(".", 1)[1], 3)

    response, job = post(name, whole[: len(whole) // 2])

    assert response.status_code == 400
    assert job is None
    assert (
        "This file is damaged: it should be a zip archive (XLSX or ODS) and is not one."
        in response.text
    )


# Again in the job --------------------------------------------------------------------


def _job(user, name, content):
    return services.create_job(user=user, resource="devices", filename=name, content=content)


def test_the_job_checks_the_limits_again(technician, bru, settings):
    job = _job(technician, "devices.csv", _csv(12))
    settings.IMPORT_MAX_ROWS = 5

    engine.analyse(job)

    assert job.status == ImportJob.Status.INVALID
    assert job.problems == ["This file has 12 rows; the limit is 5 rows: split the file."]
    assert not job.rows.exists()


def test_an_xlsx_declaring_fewer_rows_than_it_holds_is_stopped_while_read(technician, settings):
    settings.IMPORT_MAX_ROWS = 5
    job = _job(technician, "lies.xlsx", _xlsx(_sheet(12, dimension="A1:B2")))

    engine.analyse(job)

    assert job.status == ImportJob.Status.INVALID
    assert job.problems == ["This file has more than 5 rows; the limit is 5 rows: split it."]


def test_a_reader_failing_without_a_word_still_gives_a_sentence(technician, monkeypatch):
    def fail(*_args):
        raise RuntimeError("")

    monkeypatch.setattr(engine, "read_sheet", fail)
    job = _job(technician, "devices.csv", _csv(2))

    engine.analyse(job)

    assert job.status == ImportJob.Status.INVALID
    assert job.problems == ["This file cannot be read: it is damaged or is not a spreadsheet."]


def test_a_csv_line_the_csv_module_refuses_is_named(post, bru):
    content = _csv(1) + b'SN9;Dell;"' + b"x" * 200_000 + b"\n"

    response, job = post("devices.csv", content)

    assert response.status_code == 302
    assert job.status == ImportJob.Status.INVALID
    assert job.problems == ["Line 3 cannot be read as CSV: field larger than field limit (131072)."]
    assert not Device.objects.exists()


# Whatever the bytes --------------------------------------------------------------------

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_VALID = {fmt: _workbook(fmt, 3) for fmt in ("xlsx", "ods")}


def _mangled(data):
    """A real workbook with a few bytes changed or cut: a zip that is nearly right."""
    fmt, cut, flips = data
    content = bytearray(_VALID[fmt])
    for position, value in flips:
        content[position % len(content)] = value
    return f"mangled.{fmt}", bytes(content[: max(cut, 4)])


CONTENT = st.one_of(
    st.tuples(st.sampled_from(["f.xlsx", "f.ods", "f.csv"]), st.binary(max_size=2000)),
    st.tuples(
        st.sampled_from(["f.xlsx", "f.ods", "f.csv"]),
        st.binary(max_size=2000).map(lambda tail: b"PK\x03\x04" + tail),
    ),
    st.tuples(
        st.sampled_from(["xlsx", "ods"]),
        st.integers(min_value=0, max_value=20_000),
        st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 255)), max_size=8),
    ).map(_mangled),
)


@FUZZ
@given(upload=CONTENT)
@example(upload=("f.xlsx", b"PK\x03\x04"))
@example(upload=("f.csv", b'a;"' + b"x" * 140_000))
def test_random_bytes_never_give_a_server_error(upload, post, bru):
    name, content = upload

    response, job = post(name, content)

    assert response.status_code in (302, 400)
    if response.status_code == 302:
        job.refresh_from_db()
        assert not job.running
        if job.status in (ImportJob.Status.INVALID, ImportJob.Status.FAILED):
            assert job.problems or job.counts.get("error")
            assert all(problem.strip() for problem in job.problems)
    else:
        assert 'class="errorlist' in response.text
