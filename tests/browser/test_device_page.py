import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from accounts.roles import Role
from inventory import services
from inventory.models import Category, Device, Drive, Site, Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def technician(django_user_model):
    user = django_user_model.objects.create_user("tech", password="secret-password")
    user.groups.add(Group.objects.get(name=Role.TECHNICIAN))
    return user


@pytest.fixture
def device_in_wiping(technician):
    site = Site.objects.create(code="bru", name="Ressourcerie de Bruay")
    device = services.register_device(
        by=technician, category=Category.LAPTOP, manufacturer="Lenovo", model="T480", site=site
    )
    services.add_drive(device=device, by=technician, kind=Drive.Kind.SSD, serial_number="S1")
    Device.objects.filter(pk=device.pk).update(status=Status.WIPING)
    return device


def status_label(status):
    with translation.override("fr"):
        return str(Status(status).label)


def test_a_technician_records_the_erasure_then_moves_the_device_on(
    login, live_server, technician, device_in_wiping
):
    page = login(technician)
    page.goto(f"{live_server.url}/devices/{device_in_wiping.asset_tag}/")
    next_step = page.locator('button[formaction$="/transition/refurbishing/"]')

    # Refused first: the drive has no erasure yet, and the page says so.
    next_step.click()
    page.locator(".msg.error").wait_for()
    assert "S1" in page.locator(".msg.error").inner_text()
    assert page.locator(".statusbar li.current").inner_text() == status_label(Status.WIPING)

    page.select_option("#id_method", "overwrite")
    page.select_option("#id_result", "passed")
    page.click('form[action$="/erasures/"] button[type=submit]')
    page.locator(".msg.success").wait_for()

    page.fill("#id_note", "nwipe 3 passes OK")
    page.locator('button[formaction$="/transition/refurbishing/"]').click()
    page.locator(".msg.success").wait_for()
    current = page.locator(".statusbar li.current").inner_text()
    assert current == status_label(Status.REFURBISHING)
    assert "nwipe 3 passes OK" in page.locator(".timeline").inner_text()
    device_in_wiping.refresh_from_db()
    assert device_in_wiping.status == Status.REFURBISHING


def test_the_interface_is_french_even_in_an_english_browser(browser, live_server, technician):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_a_comment_joins_the_history_without_reloading_the_page(
    login, live_server, technician, device_in_wiping
):
    page = login(technician)
    page.goto(f"{live_server.url}/devices/{device_in_wiping.asset_tag}/")
    page.fill("#id_note", "typed but not sent")
    page.fill("#id_body", "Charnière gauche fragile")
    page.click(".comment-form button[type=submit]")
    page.locator(".timeline .entry.comment").wait_for()
    assert "Charnière gauche fragile" in page.locator(".timeline").inner_text()
    # The rest of the page was not reloaded: what was typed elsewhere is still there.
    assert page.input_value("#id_note") == "typed but not sent"
    assert device_in_wiping.comments.get().author == technician


def test_a_technician_refurbishes_a_device_until_it_is_ready(login, live_server, technician):
    from inventory.models import ChecklistItem, Erasure, OperatingSystem

    site = Site.objects.create(code="BRU", name="Ressourcerie de Bruay")
    device = services.register_device(
        by=technician, category=Category.LAPTOP, manufacturer="Dell", model="5490", site=site
    )
    drive = services.add_drive(
        device=device, by=technician, kind=Drive.Kind.SSD, serial_number="S9"
    )
    services.record_erasure(
        drive=drive, by=technician, method=Erasure.Method.SANITIZE, result=Erasure.Result.PASSED
    )
    Device.objects.filter(pk=device.pk).update(status=Status.REFURBISHING)
    # Transactional tests may or may not start with the checklist seeded by a migration.
    ChecklistItem.objects.filter(category=Category.LAPTOP).delete()
    for position, label in enumerate(["Écran", "Clavier"]):
        ChecklistItem.objects.create(category=Category.LAPTOP, label=label, position=position)
    OperatingSystem.objects.get_or_create(name="Linux Mint", version="22")

    page = login(technician)
    page.goto(f"{live_server.url}/devices/{device.asset_tag}/")
    assert page.locator("#missing-for-ready li").count() == 3  # tests, system, grade
    for index in range(2):
        page.locator("#refurbishment button[value=pass]").nth(index).click()
        expect_pressed = page.locator("#refurbishment button[value=pass][aria-pressed=true]")
        # Attached, maybe hidden: the checklist folds away once its last test is done.
        expect_pressed.nth(index).wait_for(state="attached")
    assert not page.locator("#checklist").evaluate("details => details.open")
    # The banner of the panel followed each htmx answer: the tests are no longer missing.
    page.wait_for_function("document.querySelectorAll('#missing-for-ready li').length == 2")
    page.select_option("#id_ready-system", index=1)
    page.check("#ready-form input[name=ready-grade][value=B]")
    page.locator("#ready-form button[type=submit]").click()
    page.locator(".statusbar li.current", has_text=status_label(Status.READY)).wait_for()
    assert page.locator("#missing-for-ready").count() == 0
    assert page.locator(".statusbar li.current").inner_text() == status_label(Status.READY)


def test_a_device_whose_erasure_and_checks_came_from_the_workbench_is_ready_in_one_click(
    login, live_server, technician
):
    """The technician's own actions from the page: the grade, then « Prêt » (the system
    the workshop installs most on laptops is already chosen)."""
    from inventory.models import ChecklistItem, CheckResult, Erasure, OperatingSystem, OsInstall

    site = Site.objects.create(code="BRU", name="Ressourcerie de Bruay")
    device = services.register_device(by=technician, category=Category.LAPTOP, site=site)
    drive = services.add_drive(device=device, by=technician, kind=Drive.Kind.NVME)
    services.record_erasure(
        drive=drive, by=technician, method=Erasure.Method.SANITIZE, result=Erasure.Result.PASSED
    )
    Device.objects.filter(pk=device.pk).update(status=Status.REFURBISHING)
    ChecklistItem.objects.filter(category=Category.LAPTOP).delete()
    for label in ("Écran", "Clavier"):
        CheckResult.objects.create(
            device=device,
            item=ChecklistItem.objects.create(category=Category.LAPTOP, label=label),
            outcome=CheckResult.Outcome.PASS,
            checked_by=technician,
            checked_at=device.created_at,
        )
    mint, _created = OperatingSystem.objects.get_or_create(name="Linux Mint", version="22")
    other = services.register_device(by=technician, category=Category.LAPTOP, site=site)
    OsInstall.objects.create(
        device=other, system=mint, installed_at=other.created_at, installed_by=technician
    )
    page = login(technician)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/devices/{device.asset_tag}/")
    clicks = 0

    # The ready panel is on the first screen, without scrolling.
    ready = page.locator("#ready-form button[type=submit]")
    assert ready.bounding_box()["y"] + ready.bounding_box()["height"] <= 768
    page.check("#ready-form input[name=ready-grade][value=B]")
    clicks += 1
    ready.click()
    clicks += 1
    page.locator(".statusbar li.current", has_text=status_label(Status.READY)).wait_for()

    print(f"\nLaptop from the workbench to ready: {clicks} clicks")
    assert clicks <= 2
    assert page.locator(".statusbar li.current").inner_text() == status_label(Status.READY)
