"""SIRET and SIREN numbers: 14 and 9 digits whose Luhn check digit is right."""

import pytest
from django.core.exceptions import ValidationError

from inventory.models.recycling import luhn_valid, validate_siren, validate_siret
from tests.inventory.recycling.conftest import (
    CARRIER_SIRET,
    ECO_SIREN,
    ORGANISATION_SIRET,
    RECIPIENT_SIRET,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize("siret", [RECIPIENT_SIRET, CARRIER_SIRET, ORGANISATION_SIRET])
def test_valid_sirets_pass(siret):
    validate_siret(siret)


def test_la_poste_establishments_follow_their_own_rule():
    # SIREN 356000000: the digits of the SIRET add up to a multiple of 5.
    validate_siret("35600000000001")
    with pytest.raises(ValidationError):
        validate_siret("35600000000002")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4430618410004", "A SIRET number has 14 digits."),
        ("443061841000471", "A SIRET number has 14 digits."),
        ("4430618410004A", "A SIRET number has 14 digits."),
        ("44306184100048", "44306184100048 is not a valid SIRET number: its check digit is wrong"),
    ],
)
def test_bad_sirets_say_what_is_wrong(value, message):
    with pytest.raises(ValidationError) as error:
        validate_siret(value)
    assert message in " ".join(error.value.messages)


def test_sirens():
    validate_siren(ECO_SIREN)
    assert luhn_valid("732829320")
    with pytest.raises(ValidationError, match="9 digits"):
        validate_siren("51234567")
    with pytest.raises(ValidationError, match="check digit"):
        validate_siren("512345678")
