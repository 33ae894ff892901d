"""The signed form is the SignedForm's attachment now (0009 moved the earlier ones)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("field", "0009_signedform_existing")]

    operations = [migrations.RemoveField(model_name="signoff", name="document")]
