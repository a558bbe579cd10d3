"""The information notice handed to a household at enrolment (RGPD art. 13), as a PDF.

Drawn from the organisation's details and the purposes table (lending.privacy.purposes),
in the active language, like the loan agreement, whose last pages it also is. It names
no household: the same notice is given to every family.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from inventory import pdf
from inventory.models import Organisation
from lending.privacy.purposes import PURPOSES

# Households are kept this long after the last contact unless the retention setting says
# otherwise: the CNIL's référentiel for social support (2 years, délibération 2021-028).
DEFAULT_RETENTION_DAYS = 730
CNIL_ADDRESS = "CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07"
CNIL_COMPLAINT_URL = "https://www.cnil.fr/fr/adresser-une-plainte"


def retention_days():
    return getattr(settings, "HOUSEHOLD_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


def controller_lines(organisation):
    """The controller's identity and contact details, one fact a line."""
    lines = [organisation.name, *organisation.address.splitlines()]
    if organisation.siret:
        lines.append(_("SIRET %(siret)s") % {"siret": organisation.siret})
    lines += [value for value in (organisation.phone, organisation.email) if value]
    return [line.strip() for line in lines if line.strip()]


def privacy_contact(organisation):
    """Whom a family writes to about its data: the DPO or referent, else the organisation."""
    if organisation.privacy_contact.strip():
        return " · ".join(organisation.privacy_contact.split("\n")).strip()
    reachable = [value for value in (organisation.email, organisation.phone) if value]
    return " · ".join(reachable or controller_lines(organisation))


def notice_story(organisation=None):
    """The notice's flowables, for its own PDF or the end of the loan agreement."""
    return _keep_sections_together(_story(organisation or Organisation.current()))


def _keep_sections_together(story):
    # A heading never ends a page: each section (a heading and what follows it, the
    # purposes' table aside, which may split) is kept on one page.
    grouped, section = [], []
    for flowable in story:
        if getattr(flowable, "style", None) is pdf.styles()["h2"] or not section:
            grouped += _close(section)
            section = []
        section.append(flowable)
    return grouped + _close(section)


def _close(section):
    if len(section) > 1 and not any(isinstance(f, Table) for f in section):
        return [KeepTogether(section)]
    return section


def _story(organisation):
    width = pdf.content_width(A4)
    return [
        pdf.text(organisation.name, "org"),
        Spacer(1, 3 * mm),
        pdf.text(_("Information notice: your personal data"), "title"),
        pdf.text(
            _(
                "This notice tells you what we record about your household, why, who sees "
                "it, for how long, and your rights (General Data Protection Regulation, "
                "article 13)."
            )
        ),
        pdf.text(_("Who is responsible for your data"), "h2"),
        *[pdf.text(line) for line in controller_lines(organisation)],
        pdf.text(
            _("Contact for your data: %(contact)s") % {"contact": privacy_contact(organisation)}
        ),
        pdf.text(_("Why we record it, and on which basis"), "h2"),
        _purposes_table(width),
        pdf.text(_("What we record"), "h2"),
        pdf.text(
            _(
                "The name, phone, e-mail and commune of the reference person; the number of "
                "people and school-age children; the situation and needs that make the "
                "household eligible; the enrolments, workshops attended and devices lent."
            )
        ),
        pdf.text(
            _(
                "What the follow-up needs is required for a loan. The optional consents "
                "are not: refusing or withdrawing them changes nothing to the loan."
            )
        ),
        pdf.text(_("Who sees it"), "h2"),
        *[pdf.text(f"• {line}") for line in _recipients()],
        pdf.text(_("How long we keep it"), "h2"),
        pdf.text(
            _(
                "%(days)s days after the last contact with the household (the last loan "
                "returned, the last workshop), then the data is anonymised: only counts "
                "remain. A consent is used until it is withdrawn."
            )
            % {"days": retention_days()}
        ),
        pdf.text(_("Your rights"), "h2"),
        pdf.text(
            _(
                "You may ask to see your data and receive a copy of it (access), have it "
                "corrected (rectification), erased (erasure), its use limited (limitation), "
                "or object to its use (opposition). You may withdraw a consent at any time: "
                "what was done before stays lawful. Ask your social worker, or write to the "
                "contact above; we answer within one month."
            )
        ),
        pdf.text(_("If you are not satisfied"), "h2"),
        pdf.text(
            _(
                "You may lodge a complaint with the CNIL, the French data protection "
                "authority: %(address)s, or online at %(url)s."
            )
            % {"address": CNIL_ADDRESS, "url": CNIL_COMPLAINT_URL}
        ),
    ]


def _purposes_table(width):
    headings = [_("Purpose"), _("Legal basis"), _("What it means for you")]
    rows = [
        [pdf.text(p.name, "bold"), pdf.text(p.basis_label), pdf.text(p.meaning)] for p in PURPOSES
    ]
    return pdf.listing(headings, rows, [0.27, 0.28, 0.45], width)


def _recipients():
    return [
        _("The social workers of the structure that follows your household."),
        _("The coordinators of the programme your household is enrolled in."),
        _(
            "The workshop that prepares and takes back the devices sees only your "
            "household's code, never your name."
        ),
        _("Funders receive only anonymous figures."),
        _("Nothing is sent outside the European Union, nor sold, nor used for advertising."),
    ]


def build_notice() -> bytes:
    """The notice as PDF bytes, in the active language."""
    organisation = Organisation.current()
    title = _("Information notice on personal data")
    return pdf.render(
        notice_story(organisation),
        title=title,
        subject=_("What is recorded about a household, why, for how long, and its rights"),
        footer=f"{organisation.name} · {title}",
    )
