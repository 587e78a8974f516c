from django.db import migrations


class Migration(migrations.Migration):
    """Each enrolment's first held visit (the progress dashboard) and first planned one (My
    list) read the visits of one enrolment by date: with this index, a short index scan that
    stops at the first row, instead of fetching and sorting every visit of the enrolment.
    Plain SQL (SQLite and PostgreSQL), so the Visit model stays as it is."""

    dependencies = [
        ("feedback", "0004_contact_verified_index"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX feedback_visit_enrolment_when_idx ON feedback_visit "
                "(enrolment_id, scheduled_at, id)"
            ),
            reverse_sql="DROP INDEX feedback_visit_enrolment_when_idx",
        ),
    ]
