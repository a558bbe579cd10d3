"""Production settings pass Django's deployment checks and refuse the demo secret key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


# The settings under test come from `env` alone; and the browser tests relax async
# safety in this process, which the deployment check rightly reports.
NOT_INHERITED = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SITE_URL",
    "TRUSTED_PROXIES",
}


def run(*args, env):
    """Run Python in a fresh process with the production settings and `env`."""
    environ = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    environ |= {"DJANGO_SETTINGS_MODULE": "config.settings_prod", **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def production_env(tmp_path):
    return {
        # 60 URL-safe characters: a leading "$" would make django-environ read another variable.
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "reemploi.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "SITE_URL": "https://reemploi.example.org",
        "TRUSTED_PROXIES": "172.16.0.0/12",
    }


def test_production_settings_pass_the_deployment_checks(production_env):
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_settings_turn_debug_off_and_cookies_secure(production_env):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS)"
    )

    result = run("-c", code, env={**production_env, "DEBUG": "true"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "['reemploi.example.org']"]


@pytest.mark.parametrize(
    "secret_key",
    ["insecure-demo-key-do-not-use-in-production", "insecure-" + "x" * 60, "short-key"],
    ids=["demo key", "insecure prefix", "too short"],
)
def test_production_settings_refuse_a_weak_secret_key(secret_key, production_env):
    result = run("manage.py", "check", env={**production_env, "SECRET_KEY": secret_key})

    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


def test_production_settings_need_a_secret_key(production_env):
    env = {key: value for key, value in production_env.items() if key != "SECRET_KEY"}

    result = run("manage.py", "check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_no_migration_is_missing():
    # Exits with status 1 when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("missing", ["SITE_URL", "TRUSTED_PROXIES"])
def test_production_settings_need_the_site_url_and_the_proxies(missing, production_env):
    env = {key: value for key, value in production_env.items() if key != missing}

    result = run("manage.py", "check", env={**env, missing: ""})

    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("none", "[]"), ("172.16.0.0/12, 10.0.0.1", "['172.16.0.0/12', '10.0.0.1']")],
    ids=["no proxy, said explicitly", "networks"],
)
def test_production_settings_read_the_trusted_proxies(value, expected, production_env):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TRUSTED_PROXIES)"
    )

    result = run("-c", code, env={**production_env, "TRUSTED_PROXIES": value})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
