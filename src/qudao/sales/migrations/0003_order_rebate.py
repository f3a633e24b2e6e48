# Placeholder: operations are written by hand by the work that owns this migration.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_returns_damage_consignment"),
        ("finance", "0008_customer_accounts"),
    ]

    operations = []
