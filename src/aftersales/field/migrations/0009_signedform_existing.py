"""Data: the signed forms stored by earlier sign-offs (their `document`) become ready SignedForm rows."""

from django.db import migrations


def forwards(apps, schema_editor):
    SignOff = apps.get_model("field", "SignOff")
    SignedForm = apps.get_model("field", "SignedForm")
    SignedForm.objects.bulk_create(
        [
            SignedForm(signoff_id=pk, attachment_id=document_id, state="ready", attempts=1)
            for pk, document_id in SignOff.objects.filter(document__isnull=False).values_list(
                "pk", "document_id"
            )
        ]
    )


def backwards(apps, schema_editor):
    """The sign-offs' `document` cannot be written back (append-only rows): the forms stay kept
    as the work orders' attachments; only the SignedForm rows go."""
    apps.get_model("field", "SignedForm").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("field", "0008_signedform")]

    operations = [migrations.RunPython(forwards, backwards)]
