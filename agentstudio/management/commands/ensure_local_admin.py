import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from agentstudio.settings.env import DATA_DIR

CREDENTIALS_FILE = DATA_DIR / "admin-credentials.txt"


class Command(BaseCommand):
    help = "Create the local admin account once and print its credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email="", password=password)
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            CREDENTIALS_FILE.write_text(f"{username}\n{password}\n")
            CREDENTIALS_FILE.chmod(0o600)
            self.stdout.write(f"Created the local admin account: {username} / {password}")
        elif CREDENTIALS_FILE.exists():
            name, password = CREDENTIALS_FILE.read_text().split("\n")[:2]
            self.stdout.write(f"Local admin account: {name} / {password}")
        else:
            self.stdout.write(f"Local admin account: {username} (password set elsewhere)")
