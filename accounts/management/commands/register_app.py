"""Register an app that signs its users in here (OpenID Connect)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.settings import oauth2_settings

from accounts.models import Application


class Command(BaseCommand):
    help = (
        "Register an app that signs its users in with this site (OpenID Connect "
        "authorization code flow with PKCE). Prints its client ID, its client "
        "secret once (confidential apps; it is stored hashed) and the issuer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", required=True, help="The app's name, shown to users."
        )
        parser.add_argument(
            "--redirect-uri",
            action="append",
            default=[],
            dest="redirect_uris",
            help="Where the site sends the code (repeat for more; matched exactly).",
        )
        parser.add_argument(
            "--post-logout-redirect-uri",
            action="append",
            default=[],
            dest="post_logout_redirect_uris",
            help="Where the app may send people after signing them out (repeatable).",
        )
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument(
            "--confidential",
            action="store_const",
            const="confidential",
            dest="client_type",
            help="A server-side app that keeps a client secret.",
        )
        kind.add_argument(
            "--public",
            action="store_const",
            const="public",
            dest="client_type",
            help="An app that cannot keep a secret (browser or native): PKCE only.",
        )
        parser.add_argument(
            "--first-party",
            action="store_true",
            help="An app of the company itself: users are not asked to consent.",
        )
        parser.add_argument(
            "--may-introspect",
            action="store_true",
            help="A resource server: may ask /o/introspect/ about access tokens "
            "(confidential apps only; without --redirect-uri it signs no one in).",
        )
        parser.add_argument(
            "--client-id",
            help="Use this client ID instead of a random one.",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="With --client-id: do nothing if that app is already registered.",
        )

    def handle(self, *args, **options):
        client_id = options["client_id"]
        if options["if_missing"] and not client_id:
            raise CommandError("--if-missing needs --client-id.")
        if client_id and Application.objects.filter(client_id=client_id).exists():
            if options["if_missing"]:
                self.stdout.write(f"{client_id} is already registered.")
                return
            raise CommandError(f"An app with client ID {client_id} exists already.")
        confidential = options["client_type"] == Application.CLIENT_CONFIDENTIAL
        if options["may_introspect"] and not confidential:
            raise CommandError("--may-introspect needs --confidential.")
        if not options["redirect_uris"] and not options["may_introspect"]:
            raise CommandError(
                "An app that signs people in needs at least one --redirect-uri."
            )
        # A resource server that only introspects never asks for a code.
        grant_type = (
            Application.GRANT_AUTHORIZATION_CODE
            if options["redirect_uris"]
            else Application.GRANT_CLIENT_CREDENTIALS
        )
        secret = generate_client_secret()
        application = Application(
            name=options["name"],
            client_type=options["client_type"],
            authorization_grant_type=grant_type,
            redirect_uris=" ".join(options["redirect_uris"]),
            post_logout_redirect_uris=" ".join(options["post_logout_redirect_uris"]),
            skip_authorization=options["first_party"],
            may_introspect=options["may_introspect"],
            client_secret=secret,
            hash_client_secret=True,
        )
        if client_id:
            application.client_id = client_id
        try:
            application.full_clean()
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            )
            raise CommandError(f"The app was not registered: {problems}") from None
        with transaction.atomic():
            application.save()
        issuer = oauth2_settings.OIDC_ISS_ENDPOINT
        lines = [
            f"Registered {application.name}.",
            f"  client_id:     {application.client_id}",
        ]
        if confidential:
            lines.append(
                f"  client_secret: {secret}  (shown once: it is stored hashed)"
            )
        else:
            lines.append("  client_secret: none (a public app uses PKCE alone)")
        lines += [
            f"  issuer:        {issuer}",
            f"  discovery:     {issuer}/.well-known/openid-configuration",
        ]
        self.stdout.write("\n".join(lines))
