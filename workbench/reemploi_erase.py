"""The workbench's erasure methods: which one a drive gets, and running it.

Standard library only (it runs on the live stick beside reemploi_workbench.py). The
decisions are pure functions of what lsblk, `hdparm -I`, `nvme id-ctrl -o json` and
`nvme sanitize-log` print; the commands run through an injectable `runner` so that the
tests replay samples of those outputs (tests/fixtures/workbench/).
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


# The organisation's policy: a NIST SP 800-88 level per kind of drive ------------------

CLEAR, PURGE = "clear", "purge"
# What Réemploi's hardware-report answer sends as `erasure_policy` when it says nothing.
DEFAULT_POLICY = {HDD: CLEAR, SSD: PURGE, NVME: PURGE, EMMC: CLEAR, OTHER: CLEAR}


def wanted_level(kind, policy=None):
    return {**DEFAULT_POLICY, **(policy or {})}.get(kind, CLEAR)


# Reading the tools' outputs (pure) -------------------------------------------------------


def ata_security(hdparm_text):
    """The "Security:" section of `hdparm -I`, as flags; None when there is none.

    hdparm prints each flag on its own line, "not" before it when it is off:
    "supported", "not enabled", "not locked", "frozen", "supported: enhanced erase".
    """
    lines = hdparm_text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "Security:"), None)
    if start is None:
        return None
    flags = {}
    for line in lines[start + 1 :]:
        if line and not line[0].isspace():
            break  # the next section ("Checksum:", "HW reset results:")
        words = line.split()
        negated = bool(words) and words[0] == "not"
        name = " ".join(words[1:] if negated else words)
        if name in ("supported", "enabled", "locked", "frozen", "supported: enhanced erase"):
            flags[name] = not negated
    return {
        "supported": flags.get("supported", False),
        "enabled": flags.get("enabled", False),
        "locked": flags.get("locked", False),
        "frozen": flags.get("frozen", True),  # unknown: as if frozen, never tried blind
        "enhanced": flags.get("supported: enhanced erase", False),
    }


def nvme_controller(id_ctrl_text):
    """`sanicap`, `fna` and `oacs` of `nvme id-ctrl`, from its JSON or plain output."""
    try:
        document = json.loads(id_ctrl_text)
    except ValueError:
        document = {}
        for line in id_ctrl_text.splitlines():
            key, colon, value = line.partition(":")
            if colon and key.strip() in ("sanicap", "fna", "oacs"):
                document[key.strip()] = value.strip()
    return {name: _number(document.get(name)) for name in ("sanicap", "fna", "oacs")}


def _number(value):
    if isinstance(value, int):
        return value
    text = str(value or "0").strip().lower()
    try:
        return int(text, 16) if text.startswith("0x") else int(text)
    except ValueError:
        return 0


# SSTAT's low 3 bits (NVMe base specification, Sanitize Status log page).
_SSTAT = {0: "never", 1: "done", 2: "running", 3: "failed", 4: "done"}


def sanitize_state(log_text):
    """("done" | "running" | "failed" | "never" | "unknown", SPROG) from `nvme sanitize-log`."""
    try:
        document = json.loads(log_text)
        entry = next(iter(document.values())) if isinstance(document, dict) else {}
        sprog, sstat = entry.get("sprog"), entry.get("sstat")
        if isinstance(sstat, dict):
            sstat = _number(str(sstat.get("status", "")).strip("(").split(")")[0])
    except (ValueError, AttributeError, StopIteration):
        sprog = sstat = None
        for line in log_text.splitlines():
            key, _colon, value = line.rpartition(":")
            if "(SPROG)" in key:
                sprog = value
            elif "(SSTAT)" in key:
                sstat = value
    if sstat is None:
        return "unknown", None
    return _SSTAT.get(_number(sstat) & 0x7, "unknown"), _number(sprog)


# Deciding the method (pure) --------------------------------------------------------------

# Sanitize actions (nvme sanitize --sanact) and Format secure erase settings (--ses).
SANACT_BLOCK, SANACT_CRYPTO = 2, 4
SES_USER_DATA, SES_CRYPTO = 1, 2


def ata_plan(hdparm_text):
    """(method, fallback reason) for an ATA SSD from `hdparm -I`; method is SECURE_ERASE
    (with "enhanced" when supported) or OVERWRITE with the reason."""
    security = ata_security(hdparm_text or "")
    if security is None or not security["supported"]:
        return OVERWRITE, "the drive does not offer the ATA Security feature set"
    if security["frozen"]:
        return OVERWRITE, (
            "the drive's security is frozen (the firmware froze it at boot; "
            "a suspend and resume may unfreeze it)"
        )
    if security["enabled"] or security["locked"]:
        return OVERWRITE, "a security password is already set on the drive"
    return SECURE_ERASE, "enhanced" if security["enhanced"] else ""


def nvme_plan(id_ctrl_text):
    """(method, how) for an NVMe drive from `nvme id-ctrl`: sanitize (crypto erase, else
    block erase) when SANICAP says so, else format with secure erase (crypto when FNA
    says so), else OVERWRITE with the reason."""
    caps = nvme_controller(id_ctrl_text or "{}")
    if caps["sanicap"] & 0b001:
        return CRYPTO_ERASE, {"sanact": SANACT_CRYPTO}
    if caps["sanicap"] & 0b010:
        return SANITIZE, {"sanact": SANACT_BLOCK}
    if caps["oacs"] & 0b10:  # Format NVM supported
        if caps["fna"] & 0b100:
            return CRYPTO_ERASE, {"ses": SES_CRYPTO}
        return SANITIZE, {"ses": SES_USER_DATA}
    return OVERWRITE, "the drive supports neither sanitize nor format"


def plan(node, policy, runner):
    """What this drive gets: {"method", "kind", "fallback_reason", "how"}.

    Asks the drive (hdparm -I, nvme id-ctrl) only when the policy wants Purge for its kind.
    """
    kind = drive_kind(node)
    path = node.get("path") or "/dev/" + node["name"]
    result = {"method": OVERWRITE, "kind": kind, "fallback_reason": "", "how": None}
    if wanted_level(kind, policy) != PURGE:
        return result
    if kind == SSD:
        method, how = ata_plan(runner(["hdparm", "-I", path])[1])
    elif kind == NVME:
        method, how = nvme_plan(runner(["nvme", "id-ctrl", "-o", "json", path])[1])
    else:
        method, how = OVERWRITE, f"no purge command is known for a drive of kind {kind}"
    if method == OVERWRITE:
        result["fallback_reason"] = how
    else:
        result.update(method=method, how=how)
    return result


# Running the purge ------------------------------------------------------------------------

ATA_PASSWORD = "reemploi"  # set only for the erase, which clears it


def subprocess_runner(command, timeout=None):
    """(exit status, standard output) of a command; 127 when the tool is missing."""
    import subprocess

    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    except FileNotFoundError:
        return 127, ""
    except subprocess.TimeoutExpired:
        return 124, ""
    return done.returncode, done.stdout


def purge(node, decided, runner, *, clock, sleep, poll_seconds=10, max_polls=8640):
    """Run the purge `decided` by plan(); returns the drive's record entry."""
    entry = drive_entry(node, decided["method"])
    entry.update(commands=[], started_at=clock(), fallback_reason="")
    path = entry["path"]

    def run(command):
        status, output = runner(command)
        entry["commands"].append({"command": command, "exit_status": status})
        return status, output

    if entry["kind"] == SSD:
        ok = _ata_secure_erase(path, decided["how"], run)
    elif "sanact" in decided["how"]:
        ok = _nvme_sanitize(path, decided["how"]["sanact"], run, sleep, poll_seconds, max_polls)
    else:
        ok = run(["nvme", "format", path, f"--ses={decided['how']['ses']}", "--force"])[0] == 0
    entry.update(
        tool="hdparm" if entry["kind"] == SSD else "nvme-cli",
        tool_version=_version(runner, entry["kind"]),
        finished_at=clock(),
        outcome="passed" if ok else "failed",
    )
    return entry


def _ata_secure_erase(path, how, run):
    if run(["hdparm", "--user-master", "u", "--security-set-pass", ATA_PASSWORD, path])[0]:
        return False
    erase = "--security-erase-enhanced" if how == "enhanced" else "--security-erase"
    return run(["hdparm", "--user-master", "u", erase, ATA_PASSWORD, path])[0] == 0


def _nvme_sanitize(path, sanact, run, sleep, poll_seconds, max_polls):
    if run(["nvme", "sanitize", path, f"--sanact={sanact}"])[0]:
        return False
    # The command returns at once; the drive sanitizes in the background.
    for _poll in range(max_polls):
        status, output = run(["nvme", "sanitize-log", path])
        state = sanitize_state(output)[0] if status == 0 else "unknown"
        if state in ("done", "failed"):
            return state == "done"
        sleep(poll_seconds)
    return False


def _version(runner, kind):
    command = ["hdparm", "-V"] if kind == SSD else ["nvme", "version"]
    lines = (runner(command)[1] or "").strip().splitlines()
    return lines[0][:40] if lines else ""


RECORD_FORMAT = "reemploi-workbench-erasure/1"


def erasure_record(entries, version):
    """The JSON record of the purges, sent to /api/erasure-logs/ as the log file."""
    document = {"format": RECORD_FORMAT, "tool": "reemploi-workbench", "tool_version": version}
    document["drives"] = entries
    return json.dumps(document, indent=1).encode()
