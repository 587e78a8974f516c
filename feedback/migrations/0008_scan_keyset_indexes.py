from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for the reminder scans' keyset batches, ``(field, id) > (last value, last id)``,
    where many due rows share one value: the planned visits of a day (many meetings at 10:00)
    by (scheduled_at, id), and the enrolments not contacted by (assigned_at, id) (one split
    assigns every client of a programme at the same instant). Without the id in the index each
    batch read and sorted every row of the shared value again. The enrolment index is plain SQL
    (SQLite and PostgreSQL), kept here beside the other scan indexes because the scan lives
    here."""

    dependencies = [
        ("feedback", "0007_followup_owner_pending_index"),
        ("programme", "0004_audit_history"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=models.Q(("status", "planned")),
                fields=["scheduled_at", "id"],
                name="visit_planned_when_idx",
            ),
        ),
        migrations.RunSQL(
            sql=(
                "CREATE INDEX feedback_enrolment_waiting_idx ON programme_enrolment "
                "(assigned_at, id) WHERE stage = 'not_contacted' AND assignee_id IS NOT NULL"
            ),
            reverse_sql="DROP INDEX feedback_enrolment_waiting_idx",
        ),
    ]
