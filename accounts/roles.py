"""The three roles of Réemploi, as Django groups with the permissions they need.

The table below is the single source of truth: `sync_roles` makes the groups match
it exactly, after every migrate and on demand (`manage.py sync_roles`).
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from accounts.backends import load


class Role(TextChoices):
    TECHNICIAN = "technician", _("Technician")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    COORDINATOR = "coordinator", _("Coordinator")


_WORKSHOP = [
    "inventory.view_site",
    "inventory.view_location",
    "inventory.view_donor",
    "inventory.add_donor",
    "inventory.change_donor",
    "inventory.view_donation",
    "inventory.add_donation",
    "inventory.change_donation",
    "inventory.view_device",
    "inventory.add_device",
    "inventory.change_device",
    "inventory.view_drive",
    "inventory.add_drive",
    "inventory.change_drive",
    "inventory.view_erasure",
    "inventory.add_erasure",
    "inventory.add_comment",
    "inventory.process_device",
    "inventory.hand_over_device",
    "inventory.view_erasurelog",
    "inventory.add_erasurelog",
    "inventory.view_erasurecertificate",
    "inventory.add_erasurecertificate",
    "inventory.view_checklistitem",
    "inventory.view_checkresult",
    "inventory.add_checkresult",
    "inventory.view_part",
    "inventory.view_partuse",
    "inventory.add_partuse",
    "inventory.view_operatingsystem",
    "inventory.view_osinstall",
    "inventory.add_osinstall",
    "inventory.view_hardwarereport",
    "inventory.add_hardwarereport",
    # Loads of devices sent to a WEEE recycler, and their paperwork (outgoing-waste register).
    "inventory.view_recyclingshipment",
    "inventory.add_recyclingshipment",
    "inventory.change_recyclingshipment",
    "labels.view_labellayout",
    "labels.view_labelbatch",
    "labels.add_labelbatch",
    "labels.view_labelrequest",
    "labels.delete_labelrequest",
]

# Lending, seen from the workshop: loans to hand over and returns to inspect. The
# household is only its code there (lending.access), never a name.
_LOAN_HANDLING = [
    "lending.view_programme",
    "lending.view_loan",
    "lending.inspect_return",
    "lending.view_simcard",
]
# What a social worker does for the households of their structure (lending.access
# narrows every one of these to those households).
_FOLLOW_UP = [
    "lending.view_programme",
    "lending.view_structure",
    "lending.view_household",
    "lending.add_household",
    "lending.change_household",
    "lending.view_enrolment",
    "lending.add_enrolment",
    "lending.view_loan",
    "lending.add_loan",
    "lending.view_workshop",
    "lending.view_attendance",
    "lending.add_attendance",
    "lending.change_attendance",
]

# The shop: technicians and coordinators sell at the counter and print the receipts.
_SHOP = [
    "sales.view_sale",
    "sales.add_sale",
    "sales.view_price",
    "sales.view_eligibilityproof",
    "sales.view_creditnote",
    # An invoice for a business or association buyer, issued at the counter.
    "sales.view_invoice",
    "sales.add_invoice",
    "inventory.view_organisation",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.TECHNICIAN: [*_WORKSHOP, *_LOAN_HANDLING, *_SHOP],
    Role.COORDINATOR: [
        *_WORKSHOP,
        "inventory.add_site",
        "inventory.change_site",
        "inventory.add_location",
        "inventory.change_location",
        "inventory.allocate_device",
        # NIST SP 800-88 appendix G: the person who validates an erasure.
        "inventory.validate_erasure",
        # The workshop's reference data: checklist, parts stock, systems, workstations.
        "inventory.add_checklistitem",
        "inventory.change_checklistitem",
        "inventory.add_part",
        "inventory.change_part",
        "inventory.add_operatingsystem",
        "inventory.change_operatingsystem",
        "inventory.view_workstationtoken",
        "inventory.add_workstationtoken",
        "inventory.change_workstationtoken",
        "labels.add_labellayout",
        "labels.change_labellayout",
        "labels.change_workstationprinter",
        *_LOAN_HANDLING,
        *_SHOP,
        # Cancelling a sale (a credit note), the price list, the organisation's details,
        # and what a donation is worth for a tax receipt.
        "sales.add_creditnote",
        "sales.add_price",
        "sales.change_price",
        "sales.add_eligibilityproof",
        "sales.change_eligibilityproof",
        "inventory.add_organisation",
        "inventory.change_organisation",
        "inventory.value_donation",
        # The impact reports: the factors' versions (a changed factor is a new version)
        # and the reports closed with them.
        "inventory.view_factorset",
        "inventory.view_impactfactor",
        "inventory.publish_factorset",
        "inventory.view_closedreport",
        "inventory.add_closedreport",
        # Programmes and what they lend; households only of the programmes they run.
        "lending.view_household",
        "lending.view_enrolment",
        "lending.decide_enrolment",
        "lending.add_programme",
        "lending.change_programme",
        "lending.view_structure",
        "lending.add_structure",
        "lending.change_structure",
        "lending.view_funder",
        "lending.add_funder",
        "lending.change_funder",
        "lending.view_criterion",
        "lending.add_criterion",
        "lending.change_criterion",
        "lending.add_simcard",
        "lending.change_simcard",
        "lending.add_loan",
        "lending.approve_loan",
        "lending.view_workshop",
        "lending.add_workshop",
        "lending.change_workshop",
        "lending.view_attendance",
        "lending.add_attendance",
        "lending.change_attendance",
        # Who opened the files of their programmes' households (lending.privacy.access_log).
        "lending.view_householdaccess",
    ],
    # Social workers follow households (lending app); they never touch the inventory.
    Role.SOCIAL_WORKER: _FOLLOW_UP,
}


def _permissions(names):
    pairs = [name.split(".", 1) for name in names]
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _code in pairs},
        codename__in={code for _app, code in pairs},
    ).select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in found}
    missing = set(names) - set(by_name)
    if missing:
        raise LookupError(f"Unknown permissions in ROLE_PERMISSIONS: {sorted(missing)}")
    return list(by_name.values())


def sync_roles():
    """Create the role groups and give each exactly the permissions of the table."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(names))


def sync_roles_after_migrate(sender, app_config=None, **kwargs):
    # post_migrate is sent once per app that has models, and each app's permissions
    # are created on its own turn: wait for the last such app so that all exist.
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if app_config is not None and app_config.label == last.label:
        sync_roles()


def roles_of(user) -> set[str]:
    """The role names of a user, read once per request and cached on the user."""
    if not user.is_authenticated:
        return set()
    load(user)  # with the permissions, in one query
    return user._role_names


def has_role(user, role) -> bool:
    return user.is_superuser or role in roles_of(user)
