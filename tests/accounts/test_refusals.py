"""The one way to refuse: `require`, and the Refused family every app's refusals join."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.refusals import PermissionRefused, Refused, require
from inventory.workflow import GuardFailed, StaleStatus, TransitionNotAllowed
from lending.states import LendingError
from sales.services import SaleRefused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def test_require_lets_a_role_with_every_permission_through(coordinator):
    require(coordinator, "inventory.view_device", "sales.add_creditnote")


def test_require_lets_anyone_through_when_nothing_is_required(social_worker):
    require(social_worker)


def test_require_refuses_a_role_lacking_one_of_the_permissions(technician):
    with pytest.raises(PermissionRefused) as refused:
        require(technician, "inventory.view_device", "sales.add_creditnote")

    assert refused.value.message == "Your role may not do this."
    assert str(refused.value) == "Your role may not do this."


def test_require_says_the_sentence_it_is_given(social_worker):
    with pytest.raises(PermissionRefused) as refused:
        require(social_worker, "sales.change_price", message="Only coordinators price devices.")

    assert refused.value.message == "Only coordinators price devices."


def test_require_refuses_an_inactive_user_whatever_their_role(technician):
    technician.is_active = False

    with pytest.raises(PermissionRefused):
        require(technician, "inventory.view_device")


def test_require_lets_a_superuser_through(superuser):
    require(superuser, "sales.add_creditnote", "lending.approve_loan")


def test_a_role_refusal_is_a_refusal_and_a_permission_denied():
    # A page catching Refused shows it; one that does not catch it answers 403.
    refusal = PermissionRefused("No.")

    assert isinstance(refusal, Refused)
    assert isinstance(refusal, PermissionDenied)


@pytest.mark.parametrize(
    "kind", [TransitionNotAllowed, GuardFailed, StaleStatus, LendingError, SaleRefused]
)
def test_every_apps_refusals_are_refusals_carrying_their_sentence(kind):
    refusal = kind("Not now.")

    assert isinstance(refusal, Refused)
    assert refusal.message == str(refusal) == "Not now."
