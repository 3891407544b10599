"""django-oauth-toolkit's ``cleartokens``, forgetting finished app sign-ins too."""

from oauth2_provider.management.commands import cleartokens

from accounts.oidc import services


class Command(cleartokens.Command):
    help = (
        "Delete expired and revoked OpenID Connect codes and tokens, and the "
        "app sign-ins none of whose tokens live on. Run it daily, e.g. from cron."
    )

    def handle(self, *args, **options):
        super().handle(*args, **options)
        count = services.forget_finished_sign_ins()
        self.stdout.write(f"Forgot {count} finished app sign-ins.")
