"""Asset tags: RE-000123, unique, increasing, never given twice, even under load."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.refusals import PermissionRefused
from inventory import services
from inventory.models import Category, Device
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def register(by, site, **fields):
    return services.register_device(by=by, category=Category.LAPTOP, site=site, **fields)


def number(tag):
    return int(tag.split("-")[1])


def test_tags_look_like_the_printed_labels(technician):
    device = register(technician, SiteFactory())

    assert re.fullmatch(r"RE-\d{6}", device.asset_tag)


def test_tags_are_unique_and_increasing(technician):
    site = SiteFactory()

    tags = [register(technician, site).asset_tag for _ in range(5)]

    numbers = [number(tag) for tag in tags]
    assert numbers == sorted(set(numbers))
    assert numbers == list(range(numbers[0], numbers[0] + 5))


def test_a_deleted_devices_tag_is_never_given_again(technician):
    site = SiteFactory()
    deleted = register(technician, site)
    deleted.delete()

    device = register(technician, site)

    assert number(device.asset_tag) == number(deleted.asset_tag) + 1


def test_a_range_of_values_is_reserved_at_once():
    first = services.reserve_sequence_values("test", count=5)

    following = services.reserve_sequence_values("test")

    assert following == first + 5


def test_the_prefix_comes_from_the_settings(settings):
    settings.ASSET_TAG_PREFIX = "BRU"

    assert services.format_asset_tag(42) == "BRU-000042"


def test_a_device_that_fails_validation_creates_nothing(technician):
    site = SiteFactory()

    with pytest.raises(ValidationError) as refused:
        register(technician, site, battery_health=250)

    assert list(refused.value.message_dict) == ["battery_health"]
    assert not Device.objects.exists()


def test_registering_needs_the_permission(social_worker):
    with pytest.raises(PermissionRefused):
        register(social_worker, SiteFactory())

    assert not Device.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_tags(technician):
    site = SiteFactory()
    threads, per_thread = 8, 10
    start = threading.Barrier(threads)
    tags, errors = [], []

    def work(index):
        try:
            start.wait()
            for i in range(per_thread):
                device = register(technician, site, serial_number=f"T{index}-{i}")
                tags.append(device.asset_tag)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    assert len(tags) == len(set(tags)) == threads * per_thread
    assert Device.objects.count() == threads * per_thread
    numbers = sorted(number(tag) for tag in tags)
    assert numbers == list(range(numbers[0], numbers[0] + threads * per_thread))
