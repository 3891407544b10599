"""How session lookup and "my sessions" cost grow with the session table.

Not a test: run it by hand (``make bench-sessions``) and record the figures
in docs/performance.md. It builds a throwaway SQLite database, fills
``accounts_session`` with N rows by bulk insert, and times

* lookup: loading a session by its key, as every request does
  (``SessionStore(key).load()``);
* listing: one user's live sessions, as /dashboard/sessions/ shows them;

first at ``--small`` rows, then again after growing the table to
``--large`` rows. It prints medians, the large/small ratio, and SQLite's
query plan for both queries. On a shared machine absolute times vary; the
ratio is the figure that matters: about 1 means the cost stays flat.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSIONS_PER_USER = 5
# Which keys are looked up; seeded so runs compare like with like.
RANDOM = random.Random(4)  # noqa: S311 (picks keys to time, not secrets)


def setup_django(database):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_ENV"] = "test"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "authsite.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(start, stop, user_ids, session_data, prefix="bench"):
    """Insert sessions ``start``..``stop`` in bulk, spread over ``user_ids``."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    future = now + timedelta(days=14)
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
    sql = (
        "INSERT INTO accounts_session (session_key, session_data, expire_date, "
        "public_id, user_id, ip_address, user_agent, created_at, last_activity) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    batch = 20_000
    with transaction.atomic(), connection.cursor() as cursor:
        for first in range(start, stop, batch):
            cursor.executemany(
                sql,
                [
                    (
                        session_key(i, prefix),
                        session_data,
                        # A few expired rows, as clearsessions would find.
                        future if i % 50 != 49 else now - timedelta(days=1),
                        uuid.uuid4().hex,
                        # One row in ten is an anonymous session.
                        user_ids[i % len(user_ids)] if i % 10 != 9 else None,
                        f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
                        agent,
                        now,
                        now,
                    )
                    for i in range(first, min(first + batch, stop))
                ],
            )


def session_key(i, prefix="bench"):
    return f"{prefix}{i:035d}"


def make_users(count):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.objects.bulk_create(
        [
            User(username=f"user{i}", email=f"user{i}@example.com", password="!")
            for i in range(count)
        ],
        batch_size=5_000,
    )
    return list(User.objects.order_by("pk").values_list("pk", flat=True))


def median_ms(action, samples):
    timings = []
    for argument in samples:
        started = time.perf_counter()
        action(argument)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(rows, target_user, samples):
    from accounts.models import Session

    store_class = Session.get_session_store_class()
    keys = [session_key(RANDOM.randrange(rows)) for _ in range(samples)]

    def lookup(key):
        store_class(key).load()

    def listing(_):
        list(
            Session.objects.live()
            .filter(user_id=target_user)
            .order_by("-last_activity")
        )

    for key in keys[:50]:  # warm the page cache
        lookup(key)
    return median_ms(lookup, keys), median_ms(listing, range(samples // 4))


def query_plans(target_user):
    from django.db import connection

    from accounts.models import Session

    lookup = Session.objects.filter(session_key=session_key(1))
    listing = Session.objects.live().filter(user_id=target_user)
    plans = {}
    for name, queryset in (("lookup", lookup), ("listing", listing)):
        sql, params = queryset.order_by("-last_activity").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plans[name] = "; ".join(row[-1] for row in cursor.fetchall())
    return plans


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        setup_django(Path(directory) / "bench.sqlite3")
        from django.db import connection

        from accounts.models import Session

        session_data = Session.get_session_store_class()().encode(
            {"_auth_user_id": "1", "_auth_user_backend": "x", "_auth_user_hash": "y"}
        )
        # The measured user has SESSIONS_PER_USER rows at every size; the
        # other users share the filler rows.
        target, *others = make_users(1 + args.large // SESSIONS_PER_USER)
        fill(0, SESSIONS_PER_USER, [target], session_data, prefix="mine")
        print(f"SQLite {connection.Database.sqlite_version}, {args.samples} samples")

        results = {}
        filled = 0
        for rows in (args.small, args.large):
            started = time.perf_counter()
            fill(
                filled,
                rows,
                others[: max(1, rows // SESSIONS_PER_USER)],
                session_data,
            )
            filled = rows
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            took = time.perf_counter() - started
            results[rows] = measure(rows, target, args.samples)
            lookup, listing = results[rows]
            print(
                f"{rows:>9,} rows (filled in {took:.1f} s): "
                f"lookup median {lookup:.3f} ms, my-sessions median {listing:.3f} ms"
            )

        small, large = results[args.small], results[args.large]
        print(
            f"ratio {args.large:,} / {args.small:,} rows: "
            f"lookup {large[0] / small[0]:.2f}, my-sessions {large[1] / small[1]:.2f}"
        )
        for name, plan in query_plans(target).items():
            print(f"plan {name}: {plan}")


if __name__ == "__main__":
    main()
