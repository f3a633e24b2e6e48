# Customer accounts (issue #5): prepayment top-ups with their vouchers, refunds, the rebate
# account and its order reservations, allocations released by a credit note, the statement's
# balances at the end of its period.

import django.db.models.deletion
import django.db.models.manager
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0007_collection_targets'),
        ('parties', '0003_archive_territories_contacts_and_reassignments'),
        ('tenancy', '0002_warehouse_keeper_role_label'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rebate_max_share', models.DecimalField(decimal_places=4, default=Decimal('0.1000'), max_digits=5, verbose_name='rebate may pay at most (share of the order)')),
                ('settle_from_prepayments', models.BooleanField(default=True, verbose_name='settle new invoices from the prepayment balance')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'customer account settings',
                'verbose_name_plural': 'customer account settings',
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='CustomerRefund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=30, verbose_name='number')),
                ('date', models.DateField(verbose_name='date')),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='amount')),
                ('method', models.CharField(choices=[('bank_transfer', 'Bank transfer'), ('wechat', 'WeChat Pay'), ('alipay', 'Alipay'), ('cash', 'Cash')], max_length=20, verbose_name='method')),
                ('reference', models.CharField(blank=True, max_length=100, verbose_name='reference')),
                ('reason', models.CharField(max_length=300, verbose_name='reason')),
                ('idempotency_key', models.CharField(blank=True, max_length=100, verbose_name='idempotency key')),
                ('posted_at', models.DateTimeField(verbose_name='posted at')),
            ],
            options={
                'verbose_name': 'refund',
                'verbose_name_plural': 'refunds',
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='PrepaymentTopUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=30, verbose_name='number')),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='amount')),
                ('date', models.DateField(verbose_name='transfer date')),
                ('method', models.CharField(choices=[('bank_transfer', 'Bank transfer'), ('wechat', 'WeChat Pay'), ('alipay', 'Alipay'), ('cash', 'Cash')], max_length=20, verbose_name='method')),
                ('reference', models.CharField(blank=True, max_length=100, verbose_name='transfer reference')),
                ('voucher', models.FileField(blank=True, max_length=200, upload_to='topups/%Y/%m/', verbose_name='voucher')),
                ('voucher_sha256', models.CharField(blank=True, max_length=64, verbose_name='voucher fingerprint')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                ('status', models.CharField(choices=[('pending', 'Waiting for finance'), ('approved', 'Credited to the account'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn')], default='pending', max_length=10, verbose_name='status')),
                ('source', models.CharField(choices=[('portal', 'Retailer portal'), ('api', 'API'), ('staff', 'Recorded by staff')], max_length=10, verbose_name='source')),
                ('idempotency_key', models.CharField(blank=True, max_length=100, verbose_name='idempotency key')),
                ('submitted_at', models.DateTimeField(verbose_name='submitted at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('rejection_reason', models.CharField(blank=True, max_length=300, verbose_name='reason for rejection')),
            ],
            options={
                'verbose_name': 'prepayment top-up',
                'verbose_name_plural': 'prepayment top-ups',
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='RebateEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(blank=True, max_length=30, verbose_name='number')),
                ('kind', models.CharField(choices=[('grant', 'Granted'), ('use', 'Used on an invoice'), ('release', 'Given back by a credit note'), ('reversal', 'Grant reversed')], max_length=10, verbose_name='kind')),
                ('date', models.DateField(verbose_name='date')),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='amount')),
                ('source', models.CharField(blank=True, choices=[('manufacturer', 'Manufacturer program'), ('target', 'Sales target reached'), ('year_end', 'Year-end rebate'), ('other', 'Other')], max_length=20, verbose_name='source')),
                ('reference', models.CharField(blank=True, max_length=100, verbose_name='program or document')),
                ('reason', models.CharField(blank=True, max_length=300, verbose_name='reason')),
                ('order_reference', models.CharField(blank=True, max_length=100, verbose_name='order')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'rebate account entry',
                'verbose_name_plural': 'rebate account entries',
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='RebateReservation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(max_length=100, verbose_name='reference')),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='amount')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'rebate reservation',
                'verbose_name_plural': 'rebate reservations',
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='RefundPart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='amount')),
            ],
            options={
                'verbose_name': 'refund part',
                'verbose_name_plural': 'refund parts',
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='allocation',
            name='allocation_positive',
        ),
        migrations.AddField(
            model_name='allocation',
            name='credit_note',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='finance.invoice', verbose_name='released by credit note'),
        ),
        migrations.AddField(
            model_name='statement',
            name='prepayment_balance',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='prepayment balance at the end'),
        ),
        migrations.AddField(
            model_name='statement',
            name='rebate_balance',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='rebate balance at the end'),
        ),
        migrations.AlterField(
            model_name='statementline',
            name='kind',
            field=models.CharField(choices=[('invoice', 'Invoice'), ('credit_note', 'Credit note'), ('payment', 'Payment'), ('rebate', 'Rebate'), ('refund', 'Refund'), ('adjustment', 'Adjustment')], max_length=12, verbose_name='kind'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__gt', 0), ('credit_note__isnull', True)), models.Q(('amount__lt', 0), ('credit_note__isnull', False)), _connector='OR'), name='allocation_positive_or_released'),
        ),
        migrations.AddField(
            model_name='accountsettings',
            name='org',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.organization'),
        ),
        migrations.AddField(
            model_name='customerrefund',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parties.party', verbose_name='customer'),
        ),
        migrations.AddField(
            model_name='customerrefund',
            name='journal_entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='finance.journalentry', verbose_name='journal entry'),
        ),
        migrations.AddField(
            model_name='customerrefund',
            name='org',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.organization'),
        ),
        migrations.AddField(
            model_name='customerrefund',
            name='posted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.membership', verbose_name='posted by'),
        ),
        migrations.AddField(
            model_name='prepaymenttopup',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parties.party', verbose_name='customer'),
        ),
        migrations.AddField(
            model_name='prepaymenttopup',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.membership', verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='prepaymenttopup',
            name='org',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.organization'),
        ),
        migrations.AddField(
            model_name='prepaymenttopup',
            name='payment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='finance.payment', verbose_name='payment'),
        ),
        migrations.AddField(
            model_name='prepaymenttopup',
            name='submitted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.membership', verbose_name='submitted by'),
        ),
        migrations.AddField(
            model_name='rebateentry',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.membership', verbose_name='created by'),
        ),
        migrations.AddField(
            model_name='rebateentry',
            name='credit_note',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='finance.invoice', verbose_name='credit note'),
        ),
        migrations.AddField(
            model_name='rebateentry',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parties.party', verbose_name='customer'),
        ),
        migrations.AddField(
            model_name='rebateentry',
            name='invoice',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='rebate_entries', to='finance.invoice', verbose_name='invoice'),
        ),
        migrations.AddField(
            model_name='rebateentry',
            name='journal_entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='finance.journalentry', verbose_name='journal entry'),
        ),
        migrations.AddField(
            model_name='rebateentry',
            name='org',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.organization'),
        ),
        migrations.AddField(
            model_name='rebateentry',
            name='reverses',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='finance.rebateentry', verbose_name='reverses'),
        ),
        migrations.AddField(
            model_name='rebatereservation',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parties.party', verbose_name='customer'),
        ),
        migrations.AddField(
            model_name='rebatereservation',
            name='org',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.organization'),
        ),
        migrations.AddField(
            model_name='refundpart',
            name='org',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.organization'),
        ),
        migrations.AddField(
            model_name='refundpart',
            name='payment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='refund_parts', to='finance.payment', verbose_name='payment'),
        ),
        migrations.AddField(
            model_name='refundpart',
            name='refund',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='parts', to='finance.customerrefund', verbose_name='refund'),
        ),
        migrations.AddConstraint(
            model_name='accountsettings',
            constraint=models.UniqueConstraint(fields=('org',), name='accountsettings_org'),
        ),
        migrations.AddConstraint(
            model_name='accountsettings',
            constraint=models.CheckConstraint(condition=models.Q(('rebate_max_share__gte', 0), ('rebate_max_share__lte', 1)), name='accountsettings_share_valid'),
        ),
        migrations.AddIndex(
            model_name='customerrefund',
            index=models.Index(fields=['org', 'customer', '-date'], name='refund_org_customer'),
        ),
        migrations.AddConstraint(
            model_name='customerrefund',
            constraint=models.UniqueConstraint(fields=('org', 'number'), name='customerrefund_org_number'),
        ),
        migrations.AddConstraint(
            model_name='customerrefund',
            constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key', ''), _negated=True), fields=('org', 'idempotency_key'), name='customerrefund_org_idempotency_key'),
        ),
        migrations.AddConstraint(
            model_name='customerrefund',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0), models.Q(('reason', ''), _negated=True)), name='customerrefund_valid'),
        ),
        migrations.AddIndex(
            model_name='prepaymenttopup',
            index=models.Index(fields=['org', 'status', 'submitted_at'], name='topup_org_status'),
        ),
        migrations.AddIndex(
            model_name='prepaymenttopup',
            index=models.Index(fields=['org', 'customer', '-submitted_at'], name='topup_org_customer'),
        ),
        migrations.AddIndex(
            model_name='prepaymenttopup',
            index=models.Index(fields=['org', 'customer', 'voucher_sha256'], name='topup_org_voucher'),
        ),
        migrations.AddConstraint(
            model_name='prepaymenttopup',
            constraint=models.UniqueConstraint(fields=('org', 'number'), name='prepaymenttopup_org_number'),
        ),
        migrations.AddConstraint(
            model_name='prepaymenttopup',
            constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key', ''), _negated=True), fields=('org', 'idempotency_key'), name='prepaymenttopup_org_idempotency_key'),
        ),
        migrations.AddConstraint(
            model_name='prepaymenttopup',
            constraint=models.UniqueConstraint(condition=models.Q(('payment__isnull', False)), fields=('org', 'payment'), name='prepaymenttopup_org_payment'),
        ),
        migrations.AddConstraint(
            model_name='prepaymenttopup',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='prepaymenttopup_positive'),
        ),
        migrations.AddConstraint(
            model_name='prepaymenttopup',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), ('payment__isnull', False)), models.Q(models.Q(('status', 'approved'), _negated=True), ('payment__isnull', True)), _connector='OR'), name='prepaymenttopup_approved_has_payment'),
        ),
        migrations.AddConstraint(
            model_name='prepaymenttopup',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'rejected'), _negated=True), models.Q(('rejection_reason', ''), _negated=True), _connector='OR'), name='prepaymenttopup_rejected_has_reason'),
        ),
        migrations.AddIndex(
            model_name='rebateentry',
            index=models.Index(fields=['org', 'customer', 'date'], name='rebateentry_customer'),
        ),
        migrations.AddIndex(
            model_name='rebateentry',
            index=models.Index(fields=['org', 'invoice'], name='rebateentry_invoice'),
        ),
        migrations.AddIndex(
            model_name='rebateentry',
            index=models.Index(fields=['org', 'order_reference'], name='rebateentry_order'),
        ),
        migrations.AddConstraint(
            model_name='rebateentry',
            constraint=models.UniqueConstraint(condition=models.Q(('number', ''), _negated=True), fields=('org', 'number'), name='rebateentry_org_number'),
        ),
        migrations.AddConstraint(
            model_name='rebateentry',
            constraint=models.UniqueConstraint(condition=models.Q(('reverses__isnull', False)), fields=('org', 'reverses'), name='rebateentry_reversed_once'),
        ),
        migrations.AddConstraint(
            model_name='rebateentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['grant', 'release']), ('amount__gt', 0)), models.Q(('kind__in', ['use', 'reversal']), ('amount__lt', 0)), _connector='OR'), name='rebateentry_sign_follows_kind'),
        ),
        migrations.AddConstraint(
            model_name='rebateentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['use', 'release']), _negated=True), ('invoice__isnull', False), _connector='OR'), name='rebateentry_use_names_invoice'),
        ),
        migrations.AddIndex(
            model_name='rebatereservation',
            index=models.Index(fields=['org', 'customer'], name='rebatereservation_customer'),
        ),
        migrations.AddConstraint(
            model_name='rebatereservation',
            constraint=models.UniqueConstraint(fields=('org', 'reference'), name='rebatereservation_org_reference'),
        ),
        migrations.AddConstraint(
            model_name='rebatereservation',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='rebatereservation_positive'),
        ),
        migrations.AddIndex(
            model_name='refundpart',
            index=models.Index(fields=['org', 'payment'], name='refundpart_org_payment'),
        ),
        migrations.AddIndex(
            model_name='refundpart',
            index=models.Index(fields=['org', 'refund'], name='refundpart_org_refund'),
        ),
        migrations.AddConstraint(
            model_name='refundpart',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='refundpart_positive'),
        ),
    ]
