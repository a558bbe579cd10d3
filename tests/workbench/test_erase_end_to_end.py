"""The program's erasure by policy against the live server: an NVMe drive purged with its
own sanitize (nvme-cli answering with hand-written samples) and a hard disk wiped by
nwipe (a real nwipe log) on one machine; Réemploi records a Purge and a Clear and moves
the device on."""

import argparse

import pytest

from inventory.models import Drive, Erasure, ErasureRun, Status, WorkstationToken
from tests.factories import DeviceFactory, DriveFactory, bench_site
from tests.inventory.erasure.test_erasure_import import with_serials
from tests.workbench.test_erase import DONE, HDD_NODE, NVME_NODE, RUNNING, SN730, Recorded
from workbench import reemploi_workbench as wb

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root", "english"),
]

HDD = {**HDD_NODE, "name": "sdb", "path": "/dev/sdb", "serial": "WD-WCC4E1234567"}


def test_an_nvme_purge_and_an_hdd_wipe_are_recorded_as_purge_and_clear(
    live_server, technician, tmp_path, monkeypatch
):
    device = DeviceFactory(site=bench_site(), status=Status.RECEIVED)
    DriveFactory(device=device, kind=Drive.Kind.NVME, serial_number=NVME_NODE["serial"])
    DriveFactory(device=device, kind=Drive.Kind.HDD, serial_number=HDD["serial"])
    _token, key = WorkstationToken.issue(name="Établi 1", site=bench_site(), user=technician)
    nvme = Recorded(
        {
            ("nvme", "version"): (0, "nvme version 2.4 (git 2.4+debian-1)"),
            ("nvme", "id-ctrl"): (0, SN730),
            ("nvme", "sanitize-log"): [(0, RUNNING), (0, DONE)],
        }
    )
    monkeypatch.setattr(wb.reemploi_erase, "subprocess_runner", nvme)
    monkeypatch.setattr(wb.time, "sleep", lambda seconds: None)
    nwipe_log = with_serials("zero-verify-last.log", {"/dev/loop0": HDD["serial"]})

    def nwipe(drives, logfile, watch=None):
        assert drives == ["/dev/sdb"]  # the NVMe drive is purged, not overwritten
        with open(logfile, "wb") as log:
            log.write(nwipe_log.replace(b"loop0", b"sdb"))
        return 0

    monkeypatch.setattr(wb, "wipe", nwipe)
    args = argparse.Namespace(spool=str(tmp_path / "spool"))
    lsblk = {"blockdevices": [NVME_NODE, HDD]}

    outcome = wb.wipe_and_send(
        args, wb.http_sender(live_server.url, key), ["/dev/nvme0n1", "/dev/sdb"],
        device.asset_tag, lsblk,
    )  # fmt: skip

    assert outcome == wb.EXIT_OK
    assert ["nvme", "sanitize", "/dev/nvme0n1", "--sanact=4"] in [c[:4] for c in nvme.ran]
    erasures = {e.drive.kind: e for e in Erasure.objects.select_related("drive")}
    assert (erasures["nvme"].method, erasures["nvme"].level) == ("crypto_erase", "purge")
    assert erasures["nvme"].tool == Erasure.Tool.NVME_CLI
    assert (erasures["hdd"].method, erasures["hdd"].level) == ("overwrite", "clear")
    assert {e.result for e in erasures.values()} == {Erasure.Result.PASSED}
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING
    # The start opened the run on the page; the logs closed it.
    assert ErasureRun.objects.get().finished_at is not None
