# Placeholder: operations are written by hand by the work that owns this migration.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("finance", "0007_collection_targets")]

    operations = []
