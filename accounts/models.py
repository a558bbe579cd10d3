"""Accounts have no model of their own; the second factor's devices (django-otp) get a
history here, as every record that changes does, without their secret key."""

from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history import register

register(TOTPDevice, app="accounts", excluded_fields=["key"])
