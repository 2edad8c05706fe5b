# The content types of the models that left audit/ follow them: audit.finding → supervision.finding,
# and so on. Their permissions hang on the content type, so they follow too, with the same codenames
# (review_finding, approve_ruleset, …) and every group's and user's grants. AuditEvent stays in audit.
# A fresh database has no content types yet (post_migrate creates them after the last migration).

from django.db import migrations

MOVED = [
    "ruleset",
    "finding",
    "indicatorvalue",
    "dataqualityscore",
    "assessmentscheme",
    "assessmentitem",
    "assessment",
    "assessmentscore",
]


def _content_types_move(apps, *, source: str, target: str) -> None:
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    for model in MOVED:
        old = content_type_model.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = content_type_model.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        # Both exist (a post_migrate ran in between): keep the target's, carrying the grants over.
        for permission in permission_model.objects.filter(content_type=old):
            twin, _ = permission_model.objects.get_or_create(
                content_type=new, codename=permission.codename, defaults={"name": permission.name}
            )
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
        old.delete()


def content_types_move(apps, schema_editor):
    _content_types_move(apps, source="audit", target="supervision")


def content_types_move_back(apps, schema_editor):
    _content_types_move(apps, source="supervision", target="audit")


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(content_types_move, content_types_move_back, elidable=False),
    ]
