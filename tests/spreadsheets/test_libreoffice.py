"""Round trips through the real LibreOffice: every export kind, saved by
`soffice --headless --convert-to` (ODS → XLSX, XLSX → ODS, ODS → ODS) in a French and an
English locale, imports back with no change: cells on several lines, equal neighbouring
cells ("2;2"), decimals, leading zeros, 19- and 20-digit ICCIDs.

.ci/run installs libreoffice-calc-nogui, so these tests never skip there."""

import os
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import translation

from exchange import engine
from exchange.models import ImportJob
from inventory.donors.exports import DonationExportResource, DonationTaxExportResource
from lending.enrolments.resources import EnrolmentResource
from lending.households.resources import HouseholdResource
from lending.loans.resources import LoanExportResource
from lending.programmes.resources import ProgrammeExportResource
from sales.resources import SaleResource
from spreadsheets.exporting import export_dataset
from spreadsheets.reading import read_sheet
from tests.exchange.test_exports import ROUND_TRIPS, _households
from tests.factories import DonationFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    SimCardFactory,
    StructureFactory,
)
from tests.sales_factories import SaleFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("soffice") is None,
        reason="needs LibreOffice (Debian package libreoffice-calc-nogui)",
    ),
]

# (exported as, saved by LibreOffice as)
CONVERSIONS = [("ods", "xlsx"), ("xlsx", "ods"), ("ods", "ods")]
LOCALES = {"fr": "fr_FR.UTF-8", "en": "en_GB.UTF-8"}


def _sims_with_every_trap():
    # Equal neighbours: a 2 GB plan at 2 €; a 20-digit and a 19-digit ICCID; a phone
    # number with its leading zero; a decimal; notes on two lines.
    SimCardFactory(
        iccid="89330126100000000123",
        phone_number="0612345678",
        data_plan_gb=2,
        monthly_cost=Decimal("2"),
        notes="Forfait solidaire\nà résilier en décembre",
    )
    SimCardFactory(iccid="8933012610000000045", phone_number="", monthly_cost=Decimal("0.2"))


def _soffice(files, target, outdir, locale, profile):
    env = {**os.environ, "LANG": locale, "LC_ALL": locale, "HOME": str(profile)}
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env=env,
    )


def _analyse(resource, path, user):
    job = ImportJob.objects.create(
        resource=resource,
        filename=path.name,
        content=path.read_bytes(),
        created_by=user,
        options={},
    )
    return engine.analyse(job)


@pytest.mark.parametrize("language", list(LOCALES))
def test_every_export_saved_by_libreoffice_imports_back_unchanged(
    language, superuser, social_worker, tmp_path
):
    for name, (_resource, make, _model) in ROUND_TRIPS.items():
        # The devices' sites and shelves are those exports' rows (both would create "BRU").
        if name not in ("sites", "locations"):
            make()
    _sims_with_every_trap()
    _households(social_worker)
    kinds = {name: (resource, superuser) for name, (resource, _m, _model) in ROUND_TRIPS.items()}
    kinds["households"] = (HouseholdResource, social_worker)

    exported = tmp_path / "exported"
    exported.mkdir()
    with translation.override(language):
        for name, (resource, user) in kinds.items():
            for fmt in {source for source, _target in CONVERSIONS}:
                content = export_dataset(resource, resource.export_queryset(user), fmt, user)
                (exported / f"{name}.{fmt}").write_bytes(content)

    problems = {}
    for source, target in CONVERSIONS:
        saved = tmp_path / f"{source}-to-{target}"
        files = sorted(exported.glob(f"*.{source}"))
        _soffice(files, target, saved, LOCALES[language], tmp_path / "profile")
        for name, (resource, user) in kinds.items():
            with translation.override(language):
                job = _analyse(name, saved / f"{name}.{target}", user)
            count = resource.export_queryset(user).count()
            expected = {"new": 0, "update": 0, "unchanged": count, "error": 0}
            if job.problems or job.counts != expected:
                rows = list(
                    job.rows.exclude(kind="unchanged").values("line", "messages", "changes")
                )
                problems[f"{name} {source}→{target}"] = (job.problems, job.counts, rows)

    assert problems == {}


def _export_only_kinds(superuser, social_worker):
    """The kinds nobody imports back (donations, tax figures, loans, programmes, sales),
    and the enrolments, each holding a trap: a cell on two lines, a 20-digit ICCID."""
    DonationFactory(notes="Lot du lycée\nsans chargeurs", reference="0042")
    household = HouseholdFactory(structure=StructureFactory(members=[social_worker]))
    enrolment = EnrolmentFactory(household=household, reason="Recherche d'emploi\net CAF")
    sim = SimCardFactory(iccid="89330126100000000999", phone_number="0698765432")
    LoanFactory(enrolment=enrolment, sim=sim)
    SaleFactory(by=superuser)
    return {
        "donations": (DonationExportResource, superuser),
        "donation-tax": (DonationTaxExportResource, superuser),
        "loans": (LoanExportResource, superuser),
        "programmes": (ProgrammeExportResource, superuser),
        "sales": (SaleResource, superuser),
        "enrolments": (EnrolmentResource, social_worker),
    }


def _cells(path):
    sheet = read_sheet(path.name, path.read_bytes())
    return sheet.headers, [[str(cell) for cell in cells] for _line, cells in sheet.rows]


@pytest.mark.parametrize("language", list(LOCALES))
def test_export_only_kinds_saved_by_libreoffice_keep_every_cell(
    language, superuser, social_worker, tmp_path
):
    # Nothing imports these back, so "no change" means: the sheet LibreOffice saved
    # reads cell for cell like the one Réemploi wrote (no ICCID turned into 8,9E+19,
    # no leading zero dropped, no note cut to its first line).
    kinds = _export_only_kinds(superuser, social_worker)
    exported = tmp_path / "exported"
    exported.mkdir()
    with translation.override(language):
        for name, (resource, user) in kinds.items():
            for fmt in ("ods", "xlsx"):
                content = export_dataset(resource, resource.export_queryset(user), fmt, user)
                (exported / f"{name}.{fmt}").write_bytes(content)

    changed = {}
    for source, target in CONVERSIONS:
        saved = tmp_path / f"{source}-to-{target}"
        _soffice(
            sorted(exported.glob(f"*.{source}")),
            target,
            saved,
            LOCALES[language],
            tmp_path / "profile",
        )
        for name in kinds:
            before, after = (
                _cells(exported / f"{name}.{source}"),
                _cells(saved / f"{name}.{target}"),
            )
            if before != after:
                changed[f"{name} {source}→{target}"] = (before, after)

    assert changed == {}
    loans = _cells(exported / "loans.ods")[1]
    assert "89330126100000000999" in loans[0]
