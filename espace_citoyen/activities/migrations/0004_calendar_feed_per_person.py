"""Calendar feeds belong to a person and a child (issue 10, item 6). The former per-child
tokens were shared by every adult of the household, an adult who left included: they are
deleted, and each parent gets a feed of their own at their next visit of the agenda."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def delete_shared_feeds(apps, schema_editor):
    apps.get_model("activities", "CalendarFeed").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0003_dossier_decision_comment"),
        ("family", "0002_authorizedperson_invitation_child_allergies_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(delete_shared_feeds, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="calendarfeed",
            name="child",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="calendar_feeds",
                                    to="family.child"),
        ),
        # No row is left by delete_shared_feeds: the default (needed to add a NOT NULL
        # column) is never written.
        migrations.AddField(
            model_name="calendarfeed",
            name="user",
            field=models.ForeignKey(default=None, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="calendar_feeds", to=settings.AUTH_USER_MODEL),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="calendarfeed",
            constraint=models.UniqueConstraint(fields=("user", "child"), name="activities_feed_one_per_person"),
        ),
    ]
