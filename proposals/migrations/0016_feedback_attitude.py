"""办理态度 and 办理结果 rated separately (issue 13 §7): `Feedback.attitude` is new, `rating` is
now the 办理结果. Existing ratings were one rating for both, so the attitude starts as that value.
A correction keeps old and new values of each of the two it changed (blank for the other)."""

from django.db import migrations, models
from django.db.models import F

RATINGS = [("satisfied", "满意"), ("basically", "基本满意"), ("dissatisfied", "不满意")]


def attitude_from_rating(apps, schema_editor):
    apps.get_model("proposals", "Feedback").objects.update(attitude=F("rating"))


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0015_feedback_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="attitude",
            field=models.CharField(choices=RATINGS, default="", max_length=15, verbose_name="办理态度"),
            preserve_default=False,
        ),
        migrations.RunPython(attitude_from_rating, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="feedback",
            name="rating",
            field=models.CharField(choices=RATINGS, max_length=15, verbose_name="办理结果"),
        ),
        migrations.AddField(
            model_name="feedbackcorrection",
            name="from_attitude",
            field=models.CharField(blank=True, choices=RATINGS, max_length=15, verbose_name="原办理态度"),
        ),
        migrations.AddField(
            model_name="feedbackcorrection",
            name="to_attitude",
            field=models.CharField(blank=True, choices=RATINGS, max_length=15, verbose_name="办理态度更正为"),
        ),
        migrations.AlterField(
            model_name="feedbackcorrection",
            name="from_rating",
            field=models.CharField(blank=True, choices=RATINGS, max_length=15, verbose_name="原办理结果"),
        ),
        migrations.AlterField(
            model_name="feedbackcorrection",
            name="to_rating",
            field=models.CharField(blank=True, choices=RATINGS, max_length=15, verbose_name="办理结果更正为"),
        ),
        migrations.AddConstraint(
            model_name="feedbackcorrection",
            constraint=models.CheckConstraint(
                condition=(~models.Q(from_attitude="") & ~models.Q(to_attitude=""))
                | (~models.Q(from_rating="") & ~models.Q(to_rating="")),
                name="correction_changes_a_rating",
                violation_error_message="更正评价须更正办理态度或办理结果。",
            ),
        ),
    ]
