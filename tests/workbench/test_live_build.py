"""The live-build configuration of the workbench stick (workbench/live-build): its files
agree with each other and with the program, and `lb config` takes its options."""

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WORKBENCH = Path(__file__).resolve().parents[2] / "workbench"
LIVE = WORKBENCH / "live-build"
CHROOT = LIVE / "config" / "includes.chroot"
UNIT = CHROOT / "etc/systemd/system/reemploi-workbench.service"
WRAPPER = CHROOT / "usr/local/sbin/reemploi-start"
HOOK = LIVE / "config/hooks/normal/0500-reemploi.hook.chroot"
PACKAGES = LIVE / "config/package-lists/reemploi.list.chroot"
# Where the build copies the program (docs/workbench.md), as the stick sees it.
PROGRAM_DIR = "/usr/local/lib/reemploi"

# The Debian package of every tool the program (or the wrapper) runs. A new tool in the
# program fails the test until it is added here and to the package list.
TOOL_PACKAGES = {
    "python3": "python3",
    "lsblk": "util-linux",
    "losetup": "util-linux",
    "blkid": "util-linux",
    "blkdiscard": "util-linux",
    "wipefs": "util-linux",
    "mountpoint": "util-linux",
    "smartctl": "smartmontools",
    "lshw": "lshw",
    "nwipe": "nwipe",
    "hdparm": "hdparm",
    "nvme": "nvme-cli",
    "qrencode": "qrencode",
}
# Run as a list's first word: run_tool(["lsblk", …]), self.run([…]), command = [...].
TOOL_CALL = re.compile(r'(?:run_tool|self\.run|_run|subprocess\.run|command =)\(?\s*\[\s*"([^"]+)"')


def package_list():
    lines = PACKAGES.read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def tools_of_the_program():
    return {
        tool for source in WORKBENCH.glob("*.py") for tool in TOOL_CALL.findall(source.read_text())
    }


def test_the_units_program_is_in_the_tree_and_executable():
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read(UNIT)
    start = unit["Service"]["ExecStart"].split()[0]

    assert (CHROOT / start.lstrip("/")) == WRAPPER
    assert os.access(WRAPPER, os.X_OK)
    assert "network-online.target" in unit["Unit"]["After"]
    assert unit["Service"]["TTYPath"] == "/dev/tty1"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_hook_enables_the_unit_and_checks_the_program_the_wrapper_runs():
    hook, wrapper = HOOK.read_text(), WRAPPER.read_text()

    assert os.access(HOOK, os.X_OK)
    assert f"systemctl enable {UNIT.name}" in hook
    assert f"PROGRAM={PROGRAM_DIR}/reemploi_workbench.py" in wrapper
    # The program and every module it imports are on the stick, or the build stops.
    modules = sorted(p.name for p in WORKBENCH.glob("reemploi_*.py"))
    assert modules == [
        "reemploi_checks.py",
        "reemploi_erase.py",
        "reemploi_label.py",
        "reemploi_workbench.py",
    ]
    for program in modules:
        assert (WORKBENCH / program).exists()
        assert f"test -f {PROGRAM_DIR}/{program}" in hook


def test_the_package_list_holds_every_tool_the_program_calls():
    tools = tools_of_the_program() | {"python3", "mountpoint"}
    assert {"lsblk", "smartctl", "lshw", "nwipe"} <= tools, "the pattern no longer finds them"

    unknown = tools - set(TOOL_PACKAGES)
    assert not unknown, f"add the Debian package of {unknown} to TOOL_PACKAGES and the list"
    missing = {TOOL_PACKAGES[tool] for tool in tools} - package_list()
    assert not missing, f"{PACKAGES.name} lacks {missing}"


def test_wifi_firmware_comes_from_the_non_free_firmware_area():
    config = (LIVE / "auto/config").read_text()

    assert '--archive-areas "main contrib non-free-firmware"' in config
    assert "firmware-iwlwifi" in package_list()


def start(tmp_path, cmdline, conf=None):
    (tmp_path / "cmdline").write_text(cmdline)
    keys = tmp_path / "keys"
    keys.mkdir(exist_ok=True)
    if conf is not None:
        (keys / "reemploi.conf").write_text(conf)
    env = {
        **os.environ,
        "REEMPLOI_CMDLINE": str(tmp_path / "cmdline"),
        "REEMPLOI_KEYS": str(keys),
        "REEMPLOI_MOUNT": "no",
    }
    return subprocess.run(
        ["sh", str(WRAPPER), "--print"], env=env, capture_output=True, text=True, check=False
    )


CMDLINE = (
    "BOOT_IMAGE=/live/vmlinuz-6.1.0-25-amd64 initrd=/live/initrd.img boot=live components "
    "quiet locales=fr_FR.UTF-8 keyboard-layouts=fr reemploi.server=https://r.example.org\n"
)


def test_the_wrapper_reads_the_server_from_the_boot_line(tmp_path):
    done = start(tmp_path, CMDLINE, conf="SERVER=https://other.example.org\n")

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "python3",
        f"{PROGRAM_DIR}/reemploi_workbench.py",
        "run",
        "--server",
        "https://r.example.org",
        "--key-file",
        str(tmp_path / "keys" / "token"),
        "--spool",
        "/var/spool/reemploi",
    ]


def test_without_a_boot_option_the_wrapper_reads_the_partitions_settings(tmp_path):
    conf = "# Réemploi\nSERVER = https://atelier.example.org\nARGS=--battery-threshold 50\n"
    done = start(tmp_path, "boot=live components quiet\n", conf=conf)

    assert done.stdout.split()[3:5] == ["--server", "https://atelier.example.org"]
    assert done.stdout.split()[-2:] == ["--battery-threshold", "50"]


def test_without_any_server_the_wrapper_says_where_to_give_it(tmp_path):
    done = start(tmp_path, "boot=live components quiet\n")

    assert done.returncode == 1
    assert "reemploi.server=" in done.stdout


def test_lb_config_takes_the_options(tmp_path):
    if shutil.which("lb") is None:
        pytest.skip("live-build is not installed (apt-get install live-build)")
    build = tmp_path / "live"
    shutil.copytree(LIVE, build, symlinks=True)

    done = subprocess.run(
        ["lb", "config"], cwd=build, capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stdout + done.stderr
    binary = (build / "config/binary").read_text()
    assert "reemploi.server=https://reemploi.example.org" in binary
    assert 'LB_DISTRIBUTION="bookworm"' in (build / "config/bootstrap").read_text()
