"""The register of processing activities (RGPD art. 30), pre-filled.

One entry per processing Réemploi supports, with what article 30.1 asks for: the
controller (the organisation's details), purposes, categories of persons and of data,
recipients, transfers outside the EU, time limits for erasure and the security measures.
The organisation reviews and completes it; the page, the spreadsheet and the PDF are all
drawn from `entries()`. Article 30: https://www.cnil.fr/fr/reglement-europeen-protection-donnees/chapitre4#Article30
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from inventory import pdf
from inventory.models import Organisation
from lending.privacy.notice import controller_lines, privacy_contact, retention_days
from lending.privacy.purposes import PURPOSES


@dataclass(frozen=True)
class Entry:
    name: str
    purposes: str
    basis: str
    persons: str
    data: str
    recipients: str
    retention: str
    security: str
    transfers: str = gettext_lazy("None: the data stays in the European Union.")


# The measures every processing shares (accounts, roles, logs, backups).
SECURITY = gettext_lazy(
    "Personal accounts with a role each; a household is seen only by the social workers "
    "of its structure and the coordinators of its programmes, the workshop sees only its "
    "code; history of every change; HTTPS; backups of the database."
)


def _bases(*codes):
    return " · ".join(str(p.basis_label) for p in PURPOSES if p.code in codes)


def entries():
    """The processing activities, in the register's order."""
    days = retention_days()
    return [
        Entry(
            name=_("Follow-up of households and their loans"),
            purposes=_(
                "Enrolment of households referred by social workers in loan programmes, "
                "loans of devices and SIM cards, workshops attended, returns."
            ),
            basis=_bases("follow_up", "sensitive"),
            persons=_("Households referred by partner structures (reference person)."),
            data=_(
                "Identity, phone, e-mail, postcode and commune, household size, school-age "
                "children, eligibility situation (health data only with explicit consent), "
                "needs, notes, enrolments, loans, attendance, consents."
            ),
            recipients=_(
                "Social workers of the referring structure; coordinators of the programme; "
                "the workshop sees the household's code only."
            ),
            retention=_(
                "%(days)s days after the last contact, then anonymised (CNIL référentiel "
                "for social support, délibération 2021-028)."
            )
            % {"days": days},
            security=str(SECURITY),
        ),
        Entry(
            name=_("Reminders by text message"),
            purposes=_("Reminding the household that its devices are due back."),
            basis=_bases("sms"),
            persons=_("Households that consented."),
            data=_("Phone number, due date, programme's contact."),
            recipients=_("The text-message provider, as a processor."),
            retention=_("Until the consent is withdrawn or the household is anonymised."),
            security=_("%(common)s Message bodies and phone numbers are never written to the logs.")
            % {"common": SECURITY},
        ),
        Entry(
            name=_("Statistics for the programmes' funders"),
            purposes=_("Accounting to funders for the use of their funding."),
            basis=_bases("statistics"),
            persons=_("Households enrolled in funded programmes."),
            data=_("Counts only: households, communes, age bands, hours, devices."),
            recipients=_("Coordinators; funders receive aggregated figures only."),
            retention=_("Aggregated figures, no personal data kept."),
            security=str(SECURITY),
        ),
        Entry(
            name=_("Reporting to la Coop de la médiation numérique"),
            purposes=_(
                "Recording the households accompanied and the workshops in the national "
                "tool of the conseillers numériques, without typing them twice."
            ),
            basis=_bases("coop_report"),
            persons=_("Households equipped or present at a workshop in the period."),
            data=_(
                "Name, commune, INSEE code and postcode; for the activities, age band, "
                "social status and commune without a name."
            ),
            recipients=_(
                "The conseiller numérique who exports the file; la Coop de la médiation "
                "numérique (ANCT) once imported there."
            ),
            retention=_("In Réemploi, as the household's file; in la Coop, its own rules."),
            security=_("%(common)s Every export is written in the access log.")
            % {"common": SECURITY},
        ),
        Entry(
            name=_("Workshop and inventory"),
            purposes=_(
                "Collecting, erasing, refurbishing and tracking donated devices; "
                "erasure certificates."
            ),
            basis=str(
                gettext_lazy("The association's mission, its legitimate interest (RGPD art. 6.1.f)")
            ),
            persons=_("Staff and volunteers of the workshop; donors' contact persons."),
            data=_("Names and accounts of staff, who did what and when; devices' serial numbers."),
            recipients=_("Staff and volunteers of the association."),
            retention=_("As long as the device's records are kept; accounts until they leave."),
            security=_("%(common)s Every drive is erased (NIST SP 800-88) before a device leaves.")
            % {"common": SECURITY},
        ),
        Entry(
            name=_("Donor management"),
            purposes=_("Recording donations of devices and issuing tax receipts."),
            basis=_("Legal obligation for tax receipts (RGPD art. 6.1.c); legitimate interest."),
            persons=_("Donors (companies, public bodies, individuals) and their contacts."),
            data=_("Name, address, contact person, e-mail, phone, donations and their value."),
            recipients=_("Coordinators; the tax administration on request."),
            retention=_(
                "6 years for tax receipts (livre des procédures fiscales, L102 E); "
                "contacts 3 years after the last donation."
            ),
            security=str(SECURITY),
        ),
        Entry(
            name=_("Sales at the counter"),
            purposes=_("Selling refurbished devices, receipts, invoices and guarantees."),
            basis=_(
                "Performance of the sale (RGPD art. 6.1.b); legal obligation for invoices (6.1.c)."
            ),
            persons=_("Buyers; proof of eligibility for solidarity prices."),
            data=_(
                "Name and address of buyers when an invoice or guarantee needs them; "
                "the kind of eligibility proof seen."
            ),
            recipients=_("Technicians and coordinators; the accountant."),
            retention=_("10 years for accounting records (code de commerce, L123-22)."),
            security=str(SECURITY),
        ),
    ]


def headings():
    return [
        _("Processing"),
        _("Purposes"),
        _("Legal basis"),
        _("Persons concerned"),
        _("Categories of data"),
        _("Recipients"),
        _("Transfers outside the EU"),
        _("Time limits for erasure"),
        _("Security measures"),
    ]


def rows():
    """The register as rows of text, in `headings()`'s order (for the spreadsheet)."""
    return [
        [
            e.name,
            e.purposes,
            e.basis,
            e.persons,
            e.data,
            e.recipients,
            str(e.transfers),
            e.retention,
            e.security,
        ]
        for e in entries()
    ]


def build_register_pdf() -> bytes:
    organisation = Organisation.current()
    title = _("Register of processing activities")
    story = [
        pdf.text(organisation.name, "org"),
        Spacer(1, 2 * mm),
        pdf.text(title, "title"),
        pdf.text(
            _("Controller: %(lines)s") % {"lines": " · ".join(controller_lines(organisation))}
        ),
        pdf.text(
            _("Data protection contact: %(contact)s") % {"contact": privacy_contact(organisation)}
        ),
    ]
    width = pdf.content_width(landscape(A4))
    for entry in entries():
        values = [
            entry.purposes,
            entry.basis,
            entry.persons,
            entry.data,
            entry.recipients,
            str(entry.transfers),
            entry.retention,
            entry.security,
        ]
        story += [
            pdf.text(entry.name, "h2"),
            pdf.facts(list(zip(headings()[1:], values, strict=True)), [0.22 * width, 0.78 * width]),
        ]
    return pdf.render(
        story,
        title=title,
        subject=_("RGPD article 30 register"),
        footer=f"{organisation.name} · {title}",
        pagesize=landscape(A4),
    )
