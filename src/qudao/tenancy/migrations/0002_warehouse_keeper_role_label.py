# The role "warehouse" is labelled "Warehouse keeper" (the place is "Warehouse").

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalmembership',
            name='role',
            field=models.CharField(choices=[('boss', 'Boss / administrator'), ('sales_rep', 'Sales rep'), ('finance', 'Finance'), ('warehouse', 'Warehouse keeper'), ('aftersales', 'After-sales'), ('readonly', 'Read-only'), ('manufacturer', 'Manufacturer user'), ('retailer', 'Retailer user')], max_length=20, verbose_name='role'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.CharField(choices=[('boss', 'Boss / administrator'), ('sales_rep', 'Sales rep'), ('finance', 'Finance'), ('warehouse', 'Warehouse keeper'), ('aftersales', 'After-sales'), ('readonly', 'Read-only'), ('manufacturer', 'Manufacturer user'), ('retailer', 'Retailer user')], max_length=20, verbose_name='role'),
        ),
    ]
