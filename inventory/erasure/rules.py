"""What an erasure certificate requires, as data with its source.

Three kinds of rules, each row naming where it comes from (docs/legal.md copies them):

- PROOF: what a technique must record before a certificate may state it (tool, version,
  raw log);
- MEDIA: which techniques apply to which kind of drive (an "NVMe Sanitize" on an eMMC
  tablet, an "ATA Secure Erase" on an NVMe drive, a factory reset of a PC's SSD cannot
  be what happened);
- LEAVING_CONTROL: the level a drive must reach when the device leaves the
  organisation's control (sold, given, lent, sent to a recycler), and the stated
  exception for hard disks.

The services read these tables; change a rule here, with its source, not in the code.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inventory.models import Drive, Erasure, ErasureCertificate, Status

NIST_R1 = "NIST SP 800-88 Rev. 1 (December 2014), https://doi.org/10.6028/NIST.SP.800-88r1"
NIST_R2 = "NIST SP 800-88 Rev. 2 (September 2025), https://doi.org/10.6028/NIST.SP.800-88r2"

Method = Erasure.Method
Kind = Drive.Kind
Level = Erasure.Level


@dataclass(frozen=True)
class Proof:
    """What an erasure made with a technique must record to be certified."""

    tool: bool
    tool_version: bool
    log: bool
    source: str


# The software techniques run by a workstation: the tool, its version and the raw log it
# wrote are the evidence (NIST Rev. 1 §4.7 and appendix G: "Tool Used (include version)";
# Rev. 2 §3 keeps the record of the sanitization). Destruction and removal are a person's
# act, the device's own reset has no log: their proof is the record and its operator.
PROOF = {
    Method.OVERWRITE: Proof(True, True, True, f"{NIST_R1}, appendix G"),
    Method.SECURE_ERASE: Proof(True, True, True, f"{NIST_R1}, appendix G"),
    Method.SANITIZE: Proof(True, True, True, f"{NIST_R1}, appendix G"),
    Method.CRYPTO_ERASE: Proof(False, False, False, f"{NIST_R1}, appendix A (mobile devices)"),
    Method.FACTORY_RESET: Proof(False, False, False, f"{NIST_R1}, appendix A (mobile devices)"),
    Method.DESTROYED: Proof(False, False, False, f"{NIST_R1}, §2.5 (Destroy)"),
    Method.REMOVED: Proof(False, False, False, "Association's procedure: the drive is kept"),
}
# A cryptographic erase run by a tool (the workbench's) needs the same proof as the
# other software techniques; only the device's own reset (no tool) is exempt.
PROOF_WITH_TOOL = Proof(True, True, True, f"{NIST_R1}, appendix G")


def proof_for(erasure):
    if erasure.method == Method.CRYPTO_ERASE and erasure.tool:
        return PROOF_WITH_TOOL
    return PROOF.get(erasure.method, PROOF_WITH_TOOL)


@dataclass(frozen=True)
class MediaRule:
    """The kinds of drive a technique can be applied to."""

    kinds: frozenset
    source: str


_ALL = frozenset(Kind.values)
# ATA commands reach ATA drives only (hard disks and SATA SSDs; "other" may be either).
_ATA = frozenset({Kind.HDD, Kind.SSD, Kind.OTHER})
MEDIA = {
    Method.OVERWRITE: MediaRule(_ALL, f"{NIST_R1}, appendix A (Clear for every media)"),
    Method.SECURE_ERASE: MediaRule(
        _ATA, f"{NIST_R1}, appendix A, tables A-8 and A-9 (ATA SECURE ERASE UNIT)"
    ),
    Method.SANITIZE: MediaRule(
        frozenset({Kind.NVME}),
        f"{NIST_R1}, appendix A (NVM Express Format / Sanitize commands); "
        "NVM Express Base Specification, Sanitize command",
    ),
    Method.CRYPTO_ERASE: MediaRule(_ALL, f"{NIST_R1}, §2.6 (cryptographic erase)"),
    Method.FACTORY_RESET: MediaRule(
        frozenset({Kind.EMMC, Kind.OTHER}),
        f"{NIST_R1}, appendix A (mobile devices: the device's own reset)",
    ),
    Method.DESTROYED: MediaRule(_ALL, f"{NIST_R1}, §2.5 (Destroy)"),
    Method.REMOVED: MediaRule(_ALL, "Association's procedure: the drive is kept"),
}


def fits_media(erasure):
    rule = MEDIA.get(erasure.method)
    return rule is None or erasure.drive.kind in rule.kinds


Destination = ErasureCertificate.Destination
# Every destination but KEPT puts the media out of the organisation's control.
LEAVING_CONTROL_DESTINATIONS = {
    Destination.REUSE,
    Destination.SOLD,
    Destination.GIVEN,
    Destination.LENT,
    Destination.RECYCLED,
}


# A device not yet sold, given or lent is being made ready for that: it will leave.
_DESTINATION_OF_STATUS = {
    Status.SOLD: Destination.SOLD,
    Status.GIVEN: Destination.GIVEN,
    Status.LENT: Destination.LENT,
    Status.RECYCLED: Destination.RECYCLED,
    Status.PARTS: Destination.KEPT,
}


def destination_of(device):
    return _DESTINATION_OF_STATUS.get(device.status, Destination.REUSE)


@dataclass(frozen=True)
class LeavingRule:
    """The levels a drive of some kind must reach when it leaves the organisation."""

    levels: frozenset
    source: str
    # Printed on the certificate when the rule itself is the association's exception.
    exception: str = ""


_PURGE_OR_DESTROY = frozenset({Level.PURGE, Level.DESTROY})
# NIST Rev. 1 §4.4, figure 4-1 (decision flow): media leaving organisational control
# are purged (or destroyed). Flash media (SSD, NVMe, eMMC) hide spare blocks an
# overwrite cannot reach (§2.5 and appendix A): Clear is not enough for them.
LEAVING_CONTROL = {
    Kind.SSD: LeavingRule(_PURGE_OR_DESTROY, f"{NIST_R1}, §4.4 figure 4-1; §2.5"),
    Kind.NVME: LeavingRule(_PURGE_OR_DESTROY, f"{NIST_R1}, §4.4 figure 4-1; §2.5"),
    Kind.EMMC: LeavingRule(_PURGE_OR_DESTROY, f"{NIST_R1}, §4.4 figure 4-1; appendix A"),
    # An unknown kind may be flash: the same rule until someone says it is a hard disk.
    Kind.OTHER: LeavingRule(_PURGE_OR_DESTROY, f"{NIST_R1}, §4.4 figure 4-1"),
    # The association's stated exception: a hard disk overwritten in full (Clear)
    # leaves. NIST Rev. 1 §2.4: for magnetic media a single overwrite pass with a fixed
    # pattern typically hinders recovery even by state-of-the-art laboratory techniques.
    Kind.HDD: LeavingRule(
        frozenset({Level.CLEAR, Level.PURGE, Level.DESTROY}),
        f"{NIST_R1}, §2.4",
        exception=_(
            "Hard disks overwritten in full (Clear) may leave the organisation: on "
            "magnetic media a single overwrite pass hinders recovery even by laboratory "
            "techniques (NIST SP 800-88 Rev. 1, §2.4)."
        ),
    ),
}


def level_allowed_leaving(erasure):
    """Whether `erasure` reaches the level its drive needs to leave the organisation."""
    rule = LEAVING_CONTROL.get(erasure.drive.kind, LEAVING_CONTROL[Kind.OTHER])
    return erasure.level in rule.levels


def stated_exceptions(erasures):
    """The association's exceptions that apply to these erasures (printed with them)."""
    texts = []
    for erasure in erasures:
        rule = LEAVING_CONTROL.get(erasure.drive.kind)
        if rule and rule.exception and erasure.level == Level.CLEAR:
            texts.append(str(rule.exception))
    return list(dict.fromkeys(texts))
