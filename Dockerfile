# Réemploi: one image for the web server (gunicorn), the Celery worker and Celery beat.
# Build: docker compose build   (see docs/deployment.md)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The code runs from /app (templates/, static/ and locale/ are found beside config/),
    # so /app comes first on the path, ahead of the copy that `pip install .` makes.
    PYTHONPATH=/app \
    MEDIA_ROOT=/app/media

WORKDIR /app

# No system fonts needed: the PDFs embed DejaVu Sans, shipped in inventory/fonts/.

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --shell /usr/sbin/nologin app

# Dependencies first, read from pyproject.toml: this layer is rebuilt only when it changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && rm -rf build *.egg-info

# Translations: compile the .po files (gettext is needed only for this step).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && python manage.py compilemessages \
    && apt-get purge -y --auto-remove gettext \
    && rm -rf /var/lib/apt/lists/*

# Static files, hashed and compressed for WhiteNoise. settings_prod insists on a real
# SECRET_KEY, ALLOWED_HOSTS, SITE_URL and TRUSTED_PROXIES: these throw-away values exist only for this command and
# are not kept in the image (the running containers get theirs from .env).
RUN DJANGO_SETTINGS_MODULE=config.settings_prod \
    SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789abcdef \
    ALLOWED_HOSTS=localhost \
    SITE_URL=https://localhost \
    TRUSTED_PROXIES=none \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

RUN install -d -o app -g app /app/media \
    && chmod +x docker/entrypoint.sh

USER app
EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
