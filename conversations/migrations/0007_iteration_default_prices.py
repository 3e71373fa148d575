"""Default prices for Mistral's models (USD per million tokens, standard non-batch rates).

Taken on 2026-06-01 from a public summary of https://mistral.ai/pricing (developer.puter.com,
"Mistral API Pricing: Full Breakdown of Costs (Jun 2026)"); the `-latest` aliases are mapped to
the model each pointed at then. Admins correct them in the Django admin; existing rows are
never overwritten by this migration."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

TAKEN_ON = dt.date(2026, 6, 1)
SOURCE = "mistral.ai/pricing via developer.puter.com summary, Jun 2026"
PRICES = {
    "mistral-medium-latest": ("1.5", "7.5"),
    "mistral-large-latest": ("0.5", "1.5"),
    "mistral-small-latest": ("0.1", "0.3"),
    "magistral-medium-latest": ("2", "5"),
    "magistral-small-latest": ("0.5", "1.5"),
    "ministral-3b-latest": ("0.1", "0.1"),
    "ministral-8b-latest": ("0.15", "0.15"),
    "codestral-latest": ("0.3", "0.9"),
    "devstral-latest": ("0.4", "2"),
}


def add_prices(apps, schema_editor):
    ModelPrice = apps.get_model("conversations", "ModelPrice")
    for model, (prompt, completion) in PRICES.items():
        ModelPrice.objects.get_or_create(
            model=model,
            defaults={
                "input_per_million": Decimal(prompt),
                "output_per_million": Decimal(completion),
                "taken_on": TAKEN_ON,
                "source": SOURCE,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("conversations", "0006_iteration_costs")]

    operations = [migrations.RunPython(add_prices, migrations.RunPython.noop)]
