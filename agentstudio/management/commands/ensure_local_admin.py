import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from agentstudio.settings.env import DATA_DIR

CREDENTIALS_FILE = DATA_DIR / "admin-credentials.txt"


class Command(BaseCommand):
    help = (
        "Create the local admin account once and print its credentials; while the generated "
        "password is still the account's, print it again, and forget it once it changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email="", password=password)
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            CREDENTIALS_FILE.write_text(f"{username}\n{password}\n")
            CREDENTIALS_FILE.chmod(0o600)
            self.stdout.write(f"Created the local admin account: {username} / {password}")
            return
        if CREDENTIALS_FILE.exists():
            name, password = (CREDENTIALS_FILE.read_text().split("\n") + [""])[:2]
            if name == username and user.check_password(password):
                self.stdout.write(f"Local admin account: {name} / {password}")
                return
            # The password was changed since: the generated one is no secret worth keeping.
            CREDENTIALS_FILE.unlink()
        self.stdout.write(
            f"Local admin account: {username} (its password is the one set for it; "
            f"`manage.py changepassword {username}` sets a new one)"
        )
