"""The workbench's erasure methods: which one a drive gets, and running it.

Standard library only (it runs on the live stick beside reemploi_workbench.py). The
decisions are pure functions of what lsblk, `hdparm -I`, `nvme id-ctrl -o json` and
`nvme sanitize-log` print; the commands run through an injectable `runner` so that the
tests replay recorded real outputs (tests/fixtures/workbench/).
"""

import json

START_PATH = "/api/erasure-starts/"

# Kinds of drive, as Réemploi's Drive.Kind spells them.
HDD, SSD, NVME, EMMC, OTHER = "hdd", "ssd", "nvme", "emmc", "other"
# Erasure.Method codes.
OVERWRITE, SECURE_ERASE, SANITIZE, CRYPTO_ERASE = (
    "overwrite",
    "secure_erase",
    "sanitize",
    "crypto_erase",
)


def _is_yes(value):
    return value in (True, 1, "1", "true")


def drive_kind(node):
    """The kind of an lsblk disk: from its transport, its name and its rotation flag."""
    name = node.get("name") or ""
    if node.get("tran") == "nvme" or name.startswith("nvme"):
        return NVME
    if name.startswith("mmcblk"):
        return EMMC
    if node.get("type") != "disk" or node.get("rota") is None:
        return OTHER
    return HDD if _is_yes(node.get("rota")) else SSD


def drive_entry(node, method):
    """What the workbench tells Réemploi about a drive it wipes."""
    size = node.get("size")
    return {
        "path": node.get("path") or "/dev/" + node["name"],
        "model": (node.get("model") or "").strip(),
        "serial": (node.get("serial") or "").strip(),
        "size_bytes": int(size) if str(size or "").isdigit() else None,
        "kind": drive_kind(node),
        "method": method,
    }


def announce(send, build_multipart, tag, entries, out=print):
    """Tell Réemploi the erasure starts (the device page shows it live). Not spooled: a
    start sent hours later would be wrong, and the log moves the device anyway."""
    fields = [("device", None, tag.encode()), ("drives", None, json.dumps(entries).encode())]
    status, _body = send(START_PATH, *build_multipart(fields))
    if not 200 <= status < 300:
        out(f"Réemploi was not told that the erasure starts (HTTP {status or 'no answer'}).")
    return status
