"""workbench/reemploi_erase.py: the method each drive gets, decided on samples of hdparm and
nvme-cli output written in each tool's layout (tests/fixtures/workbench/README.md), and the
commands it runs."""

import json
from pathlib import Path

from workbench import reemploi_erase as erase

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workbench"
FROZEN = (FIXTURES / "hdparm-I-sata-ssd-frozen.txt").read_text()
NOT_FROZEN = (FIXTURES / "hdparm-I-sata-ssd-not-frozen.txt").read_text()
SN730 = (FIXTURES / "nvme-id-ctrl-crypto-and-block-sanitize.json").read_text()
KINGSTON = (FIXTURES / "nvme-id-ctrl-block-sanitize-only.txt").read_text()
MICRON = (FIXTURES / "nvme-id-ctrl-no-sanitize-format-only.txt").read_text()
RUNNING = (FIXTURES / "nvme-sanitize-log-in-progress.txt").read_text()
DONE = (FIXTURES / "nvme-sanitize-log-completed.txt").read_text()

SSD_NODE = {"name": "sda", "path": "/dev/sda", "type": "disk", "rota": False, "tran": "sata",
            "model": "TESLA", "serial": "2022092T0075", "size": 2000398934016}  # fmt: skip
HDD_NODE = {**SSD_NODE, "rota": True, "model": "ST1000LM024", "serial": "S1"}
NVME_NODE = {"name": "nvme0n1", "path": "/dev/nvme0n1", "type": "disk", "rota": False,
             "tran": "nvme", "model": "WDC PC SN730", "serial": "1951B3444502",
             "size": 256060514304}  # fmt: skip


class Recorded:
    """A runner answering each command with a sample output, and noting what ran."""

    def __init__(self, answers):
        self.answers = answers  # {first words of the command: (status, output) or a list}
        self.ran = []

    def __call__(self, command):
        self.ran.append(command)
        for prefix, answer in self.answers.items():
            if tuple(command[: len(prefix)]) == prefix:
                return answer.pop(0) if isinstance(answer, list) else answer
        return 0, ""


def clock():
    return "2026-12-07T10:00:00+01:00"


# Reading the outputs ----------------------------------------------------------------------


def test_hdparm_security_section_is_read_frozen_or_not():
    assert erase.ata_security(FROZEN) == {
        "supported": True, "enabled": False, "locked": False, "frozen": True, "enhanced": True,
    }  # fmt: skip
    assert erase.ata_security(NOT_FROZEN)["frozen"] is False
    assert erase.ata_security("ATA device\nCommands/features:\n") is None


def test_nvme_capabilities_are_read_from_json_and_plain_output():
    assert erase.nvme_controller(SN730) == {"sanicap": 0x60000003, "fna": 4, "oacs": 23}
    assert erase.nvme_controller(KINGSTON)["sanicap"] == 0xA0000002
    assert erase.nvme_controller(MICRON) == {"sanicap": 0, "fna": 0, "oacs": 0xE}


def test_the_sanitize_log_says_running_or_done():
    assert erase.sanitize_state(RUNNING) == ("running", 655)
    assert erase.sanitize_state(DONE) == ("done", 65535)
    nested = {"nvme0": {"sprog": 65535, "sstat": {"status": "(1) Completed Successfully."}}}
    assert erase.sanitize_state(json.dumps(nested))[0] == "done"
    assert erase.sanitize_state("garbage")[0] == "unknown"


# Deciding -----------------------------------------------------------------------------------


def test_an_ssd_not_frozen_gets_an_enhanced_secure_erase():
    assert erase.ata_plan(NOT_FROZEN) == (erase.SECURE_ERASE, "enhanced")


def test_a_frozen_ssd_falls_back_to_clear_with_the_reason():
    method, reason = erase.ata_plan(FROZEN)
    assert method == erase.OVERWRITE
    assert "frozen" in reason


def test_nvme_prefers_crypto_sanitize_then_block_then_format():
    assert erase.nvme_plan(SN730) == (erase.CRYPTO_ERASE, {"sanact": 4})
    assert erase.nvme_plan(KINGSTON) == (erase.SANITIZE, {"sanact": 2})
    assert erase.nvme_plan(MICRON) == (erase.SANITIZE, {"ses": 1})
    assert erase.nvme_plan('{"sanicap": 0, "oacs": 0}')[0] == erase.OVERWRITE


def test_the_policy_decides_which_drives_are_asked_for_a_purge():
    runner = Recorded({("hdparm", "-I"): (0, NOT_FROZEN)})
    assert erase.plan(HDD_NODE, None, runner)["method"] == erase.OVERWRITE
    assert runner.ran == []  # a hard disk gets Clear: nothing asked
    assert erase.plan(SSD_NODE, None, runner)["method"] == erase.SECURE_ERASE
    clear_ssds = erase.plan(SSD_NODE, {"ssd": "clear"}, runner)
    assert (clear_ssds["method"], clear_ssds["fallback_reason"]) == (erase.OVERWRITE, "")


def test_a_frozen_ssd_is_planned_for_nwipe_with_its_reason():
    decided = erase.plan(SSD_NODE, None, Recorded({("hdparm", "-I"): (0, FROZEN)}))
    assert decided["method"] == erase.OVERWRITE
    assert "frozen" in decided["fallback_reason"]


# Running ------------------------------------------------------------------------------------


def run_purge(node, answers):
    runner = Recorded(answers)
    decided = erase.plan(node, None, runner)
    entry = erase.purge(node, decided, runner, clock=clock, sleep=lambda s: None)
    return entry, runner


def test_an_ata_secure_erase_sets_the_password_then_erases():
    entry, _runner = run_purge(
        SSD_NODE, {("hdparm", "-I"): (0, NOT_FROZEN), ("hdparm", "-V"): (0, "hdparm v9.65\n")}
    )

    assert [c["command"] for c in entry["commands"]] == [
        ["hdparm", "--user-master", "u", "--security-set-pass", "reemploi", "/dev/sda"],
        ["hdparm", "--user-master", "u", "--security-erase-enhanced", "reemploi", "/dev/sda"],
    ]
    assert (entry["method"], entry["outcome"]) == ("secure_erase", "passed")
    assert entry["tool"] == "hdparm"
    assert (entry["serial"], entry["kind"], entry["tool_version"]) == (
        "2022092T0075",
        "ssd",
        "hdparm v9.65",
    )


def test_an_nvme_sanitize_is_polled_until_the_log_says_done():
    entry, _runner = run_purge(
        NVME_NODE,
        {
            ("nvme", "id-ctrl"): (0, SN730),
            ("nvme", "sanitize-log"): [(0, RUNNING), (0, RUNNING), (0, DONE)],
        },
    )

    assert [c["command"][:2] for c in entry["commands"]] == [
        ["nvme", "sanitize"],
        ["nvme", "sanitize-log"],
        ["nvme", "sanitize-log"],
        ["nvme", "sanitize-log"],
    ]
    assert entry["commands"][0]["command"] == ["nvme", "sanitize", "/dev/nvme0n1", "--sanact=4"]
    assert (entry["method"], entry["outcome"]) == ("crypto_erase", "passed")


def test_without_sanitize_an_nvme_drive_is_formatted_with_secure_erase():
    entry, _runner = run_purge(NVME_NODE, {("nvme", "id-ctrl"): (0, MICRON)})

    assert [c["command"] for c in entry["commands"]] == [
        ["nvme", "format", "/dev/nvme0n1", "--ses=1", "--force"]
    ]
    assert (entry["method"], entry["outcome"]) == ("sanitize", "passed")


def test_a_command_that_fails_is_a_failed_erasure():
    entry, _runner = run_purge(
        NVME_NODE, {("nvme", "id-ctrl"): (0, KINGSTON), ("nvme", "sanitize"): (1, "")}
    )

    assert entry["commands"] == [
        {"command": ["nvme", "sanitize", "/dev/nvme0n1", "--sanact=2"], "exit_status": 1}
    ]
    assert entry["outcome"] == "failed"


def test_a_sanitize_the_log_reports_failed_is_a_failed_erasure():
    failed = RUNNING.replace("0x2\n", "0x3\n", 1)
    entry, _runner = run_purge(
        NVME_NODE, {("nvme", "id-ctrl"): (0, KINGSTON), ("nvme", "sanitize-log"): (0, failed)}
    )

    assert entry["outcome"] == "failed"


def test_the_record_is_json_naming_its_format():
    record = json.loads(erase.erasure_record([{"path": "/dev/sda"}], "2"))
    assert record == {
        "format": "reemploi-workbench-erasure/1",
        "tool": "reemploi-workbench",
        "tool_version": "2",
        "drives": [{"path": "/dev/sda"}],
    }
