"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

# The largest id a database integer key holds; a bigger one made the database raise (a 500)
# instead of the form saying "not one of the choices".
MAX_ID = 2**31 - 1


def _checked_ids(field, values):
    for value in values:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": text},
            )


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            _checked_ids(self, [value])
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        _checked_ids(self, value)
        return super()._check_values(value)
