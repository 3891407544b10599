"""CPU per signed-in page view, in process: the overview against the profile.

Not a test: run it by hand (``.venv/bin/python bench/page_cost.py``) and
record the figures in docs/performance.md. It builds a throwaway test
database (SQLite unless ``DATABASE_URL`` says otherwise), signs one user in
with 300 audit-trail events, and times ``--requests`` GETs of each page
through Django's test client, five times; it prints the median CPU time per
request. The overview runs the security checkup (one more query); the
profile page reads only the session and the user. On a shared machine the
absolute times vary: compare the two pages of one run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/accounts/profile/", "/dashboard/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "authsite.settings.test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_databases, setup_test_environment

    from accounts.models import AuthEvent

    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    user = get_user_model().objects.create_user(
        "alice", "alice@example.com", "a-long-enough-passphrase", email_verified=True
    )
    AuthEvent.objects.bulk_create(
        AuthEvent(event_type=AuthEvent.Type.LOGIN, user=user) for _ in range(300)
    )
    client = Client()
    client.force_login(user)
    for page in PAGES:
        for _ in range(30):
            client.get(page)
        samples = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(args.requests):
                client.get(page)
            samples.append((time.process_time() - started) / args.requests * 1000)
        print(
            f"{page}: median {statistics.median(samples):.2f} ms CPU per request "
            f"{[round(s, 2) for s in samples]}"
        )


if __name__ == "__main__":
    main()
