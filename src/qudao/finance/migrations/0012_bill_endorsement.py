"""Endorsing a received bank acceptance bill to a supplier (背书转让): a third way a bill leaves
bills receivable, naming the supplier and the supplier payment; nothing comes into the bank."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Q, Value

HALF_FEN = Value(Decimal("0.005"))


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0011_rebate_cap_per_group"),
        ("parties", "0003_archive_territories_contacts_and_reassignments"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="billclearing", name="billclearing_amounts_add_up"),
        migrations.AddField(
            model_name="billclearing",
            name="endorsee",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.party",
                verbose_name="endorsed to",
            ),
        ),
        migrations.AddField(
            model_name="billclearing",
            name="endorsement_reference",
            field=models.CharField(blank=True, max_length=100, verbose_name="supplier payment"),
        ),
        migrations.AlterField(
            model_name="billclearing",
            name="kind",
            field=models.CharField(
                choices=[
                    ("matured", "Paid by the bank at maturity"),
                    ("discounted", "Discounted at a bank"),
                    ("endorsed", "Endorsed to a supplier"),
                ],
                max_length=12,
                verbose_name="cleared by",
            ),
        ),
        migrations.AddConstraint(
            model_name="billclearing",
            constraint=models.CheckConstraint(
                condition=Q(face_amount__gt=0)
                & Q(discount_interest__gte=0)
                & (
                    Q(kind="endorsed", proceeds=0)
                    | (
                        ~Q(kind="endorsed")
                        & Q(proceeds__gt=0)
                        & Q(face_amount__gt=F("proceeds") + F("discount_interest") - HALF_FEN)
                        & Q(face_amount__lt=F("proceeds") + F("discount_interest") + HALF_FEN)
                    )
                ),
                name="billclearing_amounts_add_up",
            ),
        ),
        migrations.AddConstraint(
            model_name="billclearing",
            constraint=models.CheckConstraint(
                condition=Q(kind="endorsed", endorsee__isnull=False)
                | (~Q(kind="endorsed") & Q(endorsee__isnull=True)),
                name="billclearing_endorsed_names_endorsee",
            ),
        ),
    ]
