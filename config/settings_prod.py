"""Production settings: everything secret or host-specific must come from the environment."""

import environ

from config.settings import *  # noqa: F403
from config.settings import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise environ.ImproperlyConfigured("SECRET_KEY must be a random string of 50+ characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")


def _required(name, example):
    value = env.str(name, default="").strip()
    if not value:
        raise environ.ImproperlyConfigured(
            f"{name} must be set in production (e.g. {name}={example}); see docs/deployment.md."
        )
    return value


# The address printed in QR codes and e-mails: without it they would point at 127.0.0.1.
SITE_URL = _required("SITE_URL", "https://reemploi.example.org").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")):
    raise environ.ImproperlyConfigured(
        f"SITE_URL must start with https:// (the public address of the site), not {SITE_URL!r}."
    )
# The reverse proxy in front of gunicorn: without it, every visitor would share the proxy's
# address (one rate limit, one login lock for all). "none" says that no proxy is there.
_proxies = _required("TRUSTED_PROXIES", "172.16.0.0/12, or none without a reverse proxy")
TRUSTED_PROXIES = (
    [] if _proxies.lower() == "none" else [p.strip() for p in _proxies.split(",") if p.strip()]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
