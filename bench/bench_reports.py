#!/usr/bin/env python
"""Time every report on a throw-away PostgreSQL database of 1,000,000 devices.

    .venv/bin/python bench/bench_reports.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_reports
    .venv/bin/python bench/bench_reports.py --devices 100000 --database-url …

The database named in the URL is dropped, created, filled and dropped again (`--keep`
keeps it for EXPLAIN). The rows are written by SQL `INSERT … SELECT generate_series`,
not through the ORM: a million devices through `bulk_create` would take most of an hour,
and the reports only read. What is timed:

- each report's figures called as functions (the SQL aggregates), with their queries;
- each report page and export through Django's test Client, logged in as the role that
  reads it, DEBUG off;
- the floor: a trivial view served by the same Client and middleware in the same run
  (its own URL, added here, never in the shipped URLs).

Prints median and p95 in ms, the query count, and the ratio to the floor.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_devices import (  # noqa: E402 (the sibling script, found through HERE)
    STATUS_SHARES,
    configure_django,
    create_postgres,
    drop_postgres,
    percentile,
)

# (category, share in %, typical kg): what the generator registers.
CATEGORIES = [
    ("laptop", 55, "1.80"),
    ("desktop", 15, "6.50"),
    ("screen", 10, "4.20"),
    ("tablet", 6, "0.50"),
    ("smartphone", 9, "0.18"),
    ("router_4g", 5, "0.30"),
]
# Statuses: the same shares as the devices bench (mostly gone, as after years of work).
STATUSES = STATUS_SHARES
YEARS = 5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--database-url", required=True, help="postgres://…/NAME (dropped)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure a database kept by --keep: migrate and rebuild, no fill (implies --keep)",
    )
    return parser.parse_args()


def _buckets(column, shares):
    """A CASE that spreads 0..99 of `column` over `shares` ((value, percent), …)."""
    parts, upper = [], 0
    for value, share in shares:
        upper += share
        parts.append(f"WHEN {column} < {upper} THEN '{value}'")
    return "CASE " + " ".join(parts) + f" ELSE '{shares[-1][0]}' END"


# Filling ------------------------------------------------------------------------------


def fill(n_devices, n_households):
    """Write sites, donors, donations, devices with their history, status stretches and
    exits, shipments, households, programmes, loans, workshops and attendance. Returns the
    users by role."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from inventory.models import Sequence, Site
    from lending.models import Funder, Programme, Structure

    User = get_user_model()
    users = {"admin": User.objects.create_superuser("bench-admin", "bench@example.org", None)}
    for role in ("technician", "coordinator", "social_worker"):
        user = User.objects.create_user(f"bench-{role}", f"{role}@example.org", None)
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    Site.objects.bulk_create(
        Site(code=code, name=name, kind=kind)
        for code, name, kind in [
            ("BRU", "Ressourcerie de Bruay-La-Buissière", "ressourcerie"),
            ("BET", "Entrepôt de Béthune", "storage"),
            ("LEN", "Ressourcerie de Lens", "ressourcerie"),
            ("ARR", "Centre social d'Arras", "social_centre"),
            ("DOU", "Entrepôt de Douai", "storage"),
        ]
    )
    structure = Structure.objects.create(name="CCAS de Béthune", kind="ccas")
    structure.members.add(users["social_worker"])
    funder = Funder.objects.create(name="Conseil départemental", kind="local")
    today = timezone.localdate()
    start = today - timedelta(days=365 * YEARS)
    n_donations = max(5, n_devices // 50)
    n_programmes = 20
    for number in range(n_programmes):
        programme = Programme.objects.create(
            name=f"Atelier digital solidaire {number + 1}",
            status="open",
            capacity=n_households // n_programmes + 1,
            starts_on=start + timedelta(days=number * 90),
            ends_on=start + timedelta(days=number * 90 + 365),
        )
        programme.structures.add(structure)
        programme.funders.add(funder)
        programme.coordinators.add(users["coordinator"])

    span = (today - start).days
    params = {
        "n": n_devices,
        "donations": n_donations,
        "households": n_households,
        "start": start,
        "span": span,
        "admin": users["admin"].pk,
        "tech": users["technician"].pk,
        "social": users["social_worker"].pk,
        "structure": structure.pk,
        "coordinator": users["coordinator"].pk,
        "programmes": n_programmes,
        "workshops": n_households // 10,
        "prefix": _asset_prefix(),
    }
    category = _buckets("(g * 7) % 100", [(c, s) for c, s, _kg in CATEGORIES])
    status = _buckets("(g * 13) % 100", STATUSES)
    kg = "CASE category " + " ".join(f"WHEN '{c}' THEN {k}" for c, _s, k in CATEGORIES) + " END"
    steps = [
        (
            "INSERT INTO inventory_donor (name, kind, siren, contact_name, email, phone, address,"
            " notes) SELECT 'Donateur ' || g, (ARRAY['company','public_body','association',"
            "'individual'])[1 + g % 4], '', '', '', '', '', '' FROM generate_series(1, 2000) g",
            "donors",
        ),
        (
            "INSERT INTO inventory_donation (donor_id, site_id, received_on, reference, notes,"
            " gift_description, valuation_basis) SELECT (SELECT min(id) FROM inventory_donor)"
            " + g % 2000, (SELECT min(id) FROM inventory_site) + g % 5,"
            " %(start)s::date + (g::bigint * %(span)s / %(donations)s)::int, 'BC-' || g, '', '', ''"
            " FROM generate_series(0, %(donations)s - 1) g",
            "donations",
        ),
        (
            "INSERT INTO inventory_device (asset_tag, serial_number, category, manufacturer,"
            " model, cpu, storage_summary, weight_kg, grade, status, notes, created_at,"
            " status_changed_at, donation_id, site_id, held_by, held_ref)"
            " SELECT %(prefix)s || lpad(g::text, greatest(6, length(g::text)), '0'),"
            f" 'SN' || g, {category}, 'Lenovo',"
            " 'ThinkPad T480', '', '', NULL, '', "
            f"{status},"
            " '', %(start)s::timestamptz + (g::bigint * %(span)s / %(n)s) * interval '1 day',"
            " %(start)s::timestamptz + (g::bigint * %(span)s / %(n)s + 10 + g % 90)"
            " * interval '1 day', (SELECT min(id) FROM inventory_donation) + (g::bigint - 1)"
            " * %(donations)s / %(n)s, (SELECT min(id) FROM inventory_site) + g % 5, '', ''"
            " FROM generate_series(1, %(n)s) g",
            "devices",
        ),
        # Two devices in three are weighed; the others take their category's default.
        (f"UPDATE inventory_device SET weight_kg = {kg} WHERE id % 3 <> 0", "weights"),
        (
            "UPDATE inventory_device SET status_changed_at = now() - interval '1 day'"
            " WHERE status_changed_at > now()",
            "dates in the past",
        ),
        # History: registered, then wiping, refurbishing, ready, then the final status.
        *[
            (
                "INSERT INTO inventory_historicaldevice (id, asset_tag, serial_number, category,"
                " manufacturer, model, cpu, storage_summary, weight_kg, grade, status, notes,"
                " created_at, history_date, history_type, history_user_id, donation_id,"
                " site_id, held_by, held_ref) SELECT id, asset_tag, serial_number, category,"
                f" manufacturer, model, cpu, storage_summary, weight_kg, grade, {value},"
                f" notes, created_at, created_at + ({offset}) * interval '1 day',"
                f" '{kind}', %(tech)s, donation_id, site_id, '', '' FROM inventory_device"
                f" WHERE {where}",
                f"history {label}",
            )
            for value, offset, kind, where, label in [
                ("'received'", "0", "+", "true", "registered"),
                ("'wiping'", "2", "~", "status <> 'received'", "wiping"),
                ("'refurbishing'", "3", "~", "status NOT IN ('received', 'wiping')", "refurb."),
                (
                    "'ready'",
                    "6",
                    "~",
                    "status NOT IN ('received', 'wiping', 'refurbishing', 'parts', 'recycled')",
                    "ready",
                ),
                (
                    "status",
                    "EXTRACT(EPOCH FROM status_changed_at - created_at) / 86400",
                    "~",
                    "status NOT IN ('received', 'wiping', 'refurbishing', 'ready')",
                    "final",
                ),
            ]
        ],
        # The status-stretch ledger, as transition_device writes it: each history row
        # whose next row (same device) changes the status is a stretch left at that row
        # (here every row changes it).
        # The last row's stretch is the device's current one, read from the device.
        (
            "INSERT INTO inventory_statusstretch (device_id, status, entered_at, left_at,"
            " site_id) SELECT id, status, history_date, left_at, left_site FROM (SELECT id,"
            " status, history_date, LEAD(history_date) OVER w AS left_at, LEAD(status) OVER w"
            " AS next_status, LEAD(site_id) OVER w AS left_site FROM"
            " inventory_historicaldevice WINDOW w AS (PARTITION BY id ORDER BY history_date,"
            " history_id)) h WHERE left_at IS NOT NULL AND next_status <> status",
            "status stretches",
        ),
        # The exits ledger, as transition_device writes it; a loan turned gift for one
        # given device in three.
        (
            "INSERT INTO inventory_stockexit (device_id, channel, sign, at, site_id, by_id)"
            " SELECT id, CASE WHEN status = 'given' AND id % 3 = 0 THEN 'loan_gift'"
            " ELSE status END, 1, status_changed_at, site_id, %(tech)s FROM inventory_device"
            " WHERE status IN ('sold', 'given', 'parts', 'recycled', 'lost')",
            "exits",
        ),
        (
            "INSERT INTO lending_household (code, first_name, last_name, phone, email, postcode,"
            " commune, size, school_age_children, needs, notes, created_at, social_worker_id,"
            " structure_id, anonymisation_reason, insee_code, qpv, age_band, social_status)"
            " SELECT 'F-' || lpad(g::text, 6, '0'), 'Prénom', 'Nom ' || g, '', '', '62400',"
            " 'Béthune', 1 + g % 5, g % 3, '[]'::jsonb, '', now() - (g % 900) * interval '1 day',"
            " %(social)s, %(structure)s, '', '62119', (ARRAY['yes','no','unknown'])[1 + g % 3],"
            " 'unknown', 'unknown' FROM generate_series(1, %(households)s) g",
            "households",
        ),
        # One enrolment and one loan per household; a device lent, given or given after
        # its loan goes with one loan in three.
        (
            "INSERT INTO lending_enrolment (status, applied_at, reason, applied_by_id,"
            " household_id, programme_id, enrolled_at) SELECT (ARRAY['enrolled','completed',"
            "'withdrawn'])[1 + h.id % 3], h.created_at, '', %(social)s, h.id,"
            " (SELECT min(id) FROM lending_programme) + h.id % %(programmes)s, h.created_at"
            " FROM lending_household h",
            "enrolments",
        ),
        (
            "INSERT INTO lending_loan (status, requested_at, request_note, accessories_given,"
            " enrolment_id, household_id, requested_by_id, programme_id, starts_on, due_on,"
            " handed_over_at, closed_at) SELECT (ARRAY['active','returned','gift','lost'])"
            "[1 + e.id % 4], e.applied_at, '', '[]'::jsonb, e.id, e.household_id, %(social)s,"
            " e.programme_id, e.applied_at::date + 7, e.applied_at::date + 187,"
            " e.applied_at + interval '7 days', CASE WHEN e.id % 4 = 0 THEN NULL"
            " ELSE e.applied_at + interval '190 days' END FROM lending_enrolment e",
            "loans",
        ),
        (
            "INSERT INTO lending_loandevice (active, condition, inspection_note, decision,"
            " device_id, loan_id) SELECT l.id % 4 = 0, '', '', '', d.id, l.id FROM"
            " (SELECT id, row_number() OVER (ORDER BY id) AS n FROM lending_loan) l JOIN"
            " (SELECT id, row_number() OVER (ORDER BY id) AS n FROM inventory_device"
            " WHERE status IN ('lent', 'given')) d ON d.n = l.n",
            "loan devices",
        ),
        (
            "INSERT INTO lending_workshop (topic, starts_at, duration_minutes, place,"
            " facilitator, programme_id) SELECT 'Atelier ' || g, %(start)s::timestamptz"
            " + (g::bigint * %(span)s / %(workshops)s) * interval '1 day', 90 + 30 * (g % 2),"
            " '', '', (SELECT min(id) FROM lending_programme) + g % %(programmes)s"
            " FROM generate_series(1, %(workshops)s) g",
            "workshops",
        ),
        (
            "INSERT INTO lending_attendance (presence, recorded_at, recorded_by_id,"
            " household_id, workshop_id) SELECT (ARRAY['present','present','absent',"
            "'excused'])[1 + (h.id + k) % 4], now(), %(coordinator)s, h.id,"
            " (SELECT min(id) FROM lending_workshop) + (h.id * 7 + k * 13) % %(workshops)s"
            " FROM lending_household h, generate_series(1, 3) k",
            "attendance",
        ),
        # Recycled devices leave by shipments of 500.
        (
            "INSERT INTO inventory_recyclingshipment (number, shipped_on, waste_code,"
            " waste_description, contains_pop, quantity_kg, consignment_note,"
            " eco_organisation_name, eco_organisation_siren, carrier_name, carrier_siret,"
            " carrier_address, carrier_receipt_number, recipient_name, recipient_siret,"
            " recipient_address, treatment_code, treatment_mode, notes, created_at,"
            " created_by_id, site_id) SELECT 'DEEE-' || g, %(start)s::date + (g % %(span)s)::int,"
            " '16 02 14', 'Équipements informatiques', false, 1000, 'BSD-' || g, '', '',"
            " 'Transports', '73282932000074', 'Béthune', 'R-' || g, 'Recycleur',"
            " '73282932000074', 'Lens', 'R4', '', '', now(), %(tech)s,"
            " (SELECT min(id) FROM inventory_site) FROM generate_series(1,"
            " (SELECT count(*) / 500 + 1 FROM inventory_device WHERE status = 'recycled')) g",
            "shipments",
        ),
        (
            "UPDATE inventory_device d SET recycling_shipment_id = s.id FROM"
            " (SELECT id, row_number() OVER (ORDER BY id) AS n FROM inventory_device"
            " WHERE status = 'recycled') r, (SELECT id, row_number() OVER (ORDER BY id) AS n"
            " FROM inventory_recyclingshipment) s WHERE d.id = r.id AND s.n = 1 + (r.n - 1) / 500",
            "recycled in shipments",
        ),
    ]
    with connection.cursor() as cursor:
        for sql, label in steps:
            began = time.perf_counter()
            # " % " is SQL's modulo; psycopg reads a lone % as a placeholder.
            cursor.execute(sql.replace(" % ", " %% "), params)
            print(f"  {label:<22} {cursor.rowcount:>9} rows {time.perf_counter() - began:6.1f} s")
    Sequence.objects.update_or_create(name="asset_tag", defaults={"last_value": n_devices})
    return users


def _asset_prefix():
    from django.conf import settings

    return f"{settings.ASSET_TAG_PREFIX}-"


def existing_users():
    """The users fill() made, by role (for --reuse)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = {"admin": User.objects.get(username="bench-admin")}
    for role in ("technician", "coordinator", "social_worker"):
        users[role] = User.objects.get(username=f"bench-{role}")
    return users


def summarise():
    """What the nightly task does: sum the past months (timed), then analyse the table."""
    from django.db import connection

    from inventory.impact import monthly
    from inventory.models import MonthlyFlow

    began = time.perf_counter()
    monthly.rebuild()
    took = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE inventory_monthlyflow")
    print(f"monthly summary rebuild: {took:.1f} s, {MonthlyFlow.objects.count()} rows\n")


# Measuring ----------------------------------------------------------------------------


def trivial_view(request):
    """The floor: what any page costs through the same middleware and session."""
    from django.http import HttpResponse

    return HttpResponse("ok")


def add_floor_url():
    """Serve trivial_view at /bench-floor/ in this process only."""
    from django.urls import clear_url_caches, path

    import config.urls

    config.urls.urlpatterns.append(path("bench-floor/", trivial_view))
    clear_url_caches()


def timed(call, repeat):
    """Median and p95 in ms of `call()` over `repeat` runs after one warm-up, and the
    queries of the warm-up run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
    queries = len(captured.captured_queries)
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        timings.append((time.perf_counter() - began) * 1000)
    return result, statistics.median(timings), percentile(timings, 0.95), queries


def page(client, url):
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    return get


def functions(users):
    """(label, call) for each report's figures, over the last twelve months."""
    from django.utils import timezone

    from inventory.impact import carbon, flows
    from inventory.impact.period import Period
    from inventory.models import Donation
    from inventory.recycling import register
    from lending import access
    from lending.activity.figures import activity
    from public.donations import impact_of
    from reports import workshop
    from reports.scope import Scope

    today = timezone.localdate()
    period = Period(today - timedelta(days=364), today)

    class Filters:
        site = None
        programme = None
        funder = None

    Filters.period = period
    donation = Donation.objects.order_by("-pk").first()
    social = users["social_worker"]
    return [
        ("entries by month/site/category/donor", lambda: flows.entries(period)),
        ("exits by channel and WEEE category", lambda: flows.exits(period)),
        ("réemploi rate", lambda: flows.reemploi_rate(period)),
        ("monthly balance, 12 months", lambda: flows.monthly_balance(period)),
        ("stock kg now", lambda: flows.stock_kg()),
        # A new Scope each call: a scope keeps the rows it read for the page's other figures.
        (
            "CO2e avoided (counts + factors)",
            lambda: carbon.avoided(Scope(Filters, users["coordinator"]).reused_counts()),
        ),
        ("programme activity, all", lambda: activity(period)),
        (
            "programme activity, one social worker",
            lambda: activity(period, households=access.households_visible_to(social)),
        ),
        ("workshop: entries per week", lambda: workshop.entries_per_week(period)),
        ("workshop: devices per status", lambda: workshop.devices_now()),
        ("workshop: time in each status", lambda: workshop.time_in_status(period)),
        ("waste register rows", lambda: list(register.rows(register.shipments(period)))),
        ("donor page figures (one donation)", lambda: impact_of(donation)),
    ]


def pages(users):
    """(label, role, url) of each page and export, the floor first."""
    from django.utils import timezone

    from inventory.donors.documents import donation_page_link
    from inventory.models import Donation, Site
    from lending.models import Programme

    today = timezone.localdate()
    year = f"start={today - timedelta(days=364)}&end={today}"
    donation = Donation.objects.order_by("-pk").first()
    donor = donation_page_link(donation).split("/", 3)[-1]
    site = Site.objects.order_by("pk").values_list("pk", flat=True).first()
    programme = Programme.objects.order_by("pk").values_list("pk", flat=True).first()
    return [
        ("floor: trivial view", "coordinator", "/bench-floor/"),
        ("/reports/ coordinator (all sections)", "coordinator", f"/reports/?{year}"),
        ("/reports/ coordinator, one site", "coordinator", f"/reports/?{year}&site={site}"),
        (
            "/reports/ coordinator, one programme",
            "coordinator",
            f"/reports/?{year}&programme={programme}",
        ),
        ("/reports/ social worker (activity)", "social_worker", f"/reports/?{year}"),
        ("/reports/ technician (workshop)", "technician", f"/reports/?{year}"),
        ("/reports/ coordinator, PDF", "coordinator", f"/reports/?{year}&export=pdf"),
        ("/recycling/ (register list)", "coordinator", "/recycling/"),
        ("donor page (no login)", None, f"/{donor}"),
    ]


def run(args):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    print(f"Réemploi reports bench: {args.devices} devices, {args.households} households")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}, Python {sys.version.split()[0]}")
    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - began:.1f} s")
    if args.reuse:
        users = existing_users()
    else:
        began = time.perf_counter()
        users = fill(args.devices, args.households)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"fill + VACUUM ANALYZE: {time.perf_counter() - began:.1f} s")
    summarise()

    print(f"Figures, last 12 months: median / p95 of {args.repeat} calls, ms")
    print(f"{'report':<42} {'median':>8} {'p95':>8} {'queries':>8}")
    for label, call in functions(users):
        _result, median, p95, queries = timed(call, args.repeat)
        print(f"{label:<42} {median:8.1f} {p95:8.1f} {queries:8d}")

    add_floor_url()
    clients = {}
    for role in ("coordinator", "social_worker", "technician"):
        clients[role] = Client()
        clients[role].force_login(users[role])
    clients[None] = Client()
    print(f"\nPages through the test Client, DEBUG off: median / p95 of {args.repeat}, ms")
    print(f"{'page':<42} {'median':>8} {'p95':>8} {'queries':>8} {'× floor':>8}")
    floor = None
    for label, role, url in pages(users):
        _response, median, p95, queries = timed(page(clients[role], url), args.repeat)
        floor = floor or p95
        print(f"{label:<42} {median:8.1f} {p95:8.1f} {queries:8d} {p95 / floor:8.1f}")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main():
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url must be a postgres:// URL")
    args.keep = args.keep or args.reuse
    if not args.reuse:
        create_postgres(args.database_url)
    try:
        configure_django(args.database_url)
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"\nDatabase kept: {args.database_url}")
        else:
            drop_postgres(args.database_url)


if __name__ == "__main__":
    main()
