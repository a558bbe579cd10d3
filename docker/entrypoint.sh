#!/bin/sh
# Entry point of every Réemploi container (web, worker, beat).
# With DJANGO_MIGRATE=1 (the web service only) the database schema is brought up to date
# before the command starts; migrate also updates the role groups (sync_roles).
set -eu

if [ "${DJANGO_MIGRATE:-0}" = "1" ]; then
    python manage.py migrate --noinput
fi

exec "$@"
