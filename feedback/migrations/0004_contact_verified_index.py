from django.db import migrations


class Migration(migrations.Migration):
    """The "not verified for a year" scan reads current contacts by (verified_on, id) in keyset
    batches: this index gives each batch a range scan that starts at the previous batch's last
    row (clients.KeyContact's index on verified_on alone makes every batch sort the ties and
    filter out the contacts who left). Plain SQL both SQLite and PostgreSQL understand, kept
    here beside feedback_contact_never_verified_idx because the scan lives here."""

    dependencies = [
        ("feedback", "0003_report_draft"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX feedback_contact_verified_idx ON clients_keycontact "
                "(verified_on, id) WHERE NOT left_company"
            ),
            reverse_sql="DROP INDEX feedback_contact_verified_idx",
        ),
    ]
