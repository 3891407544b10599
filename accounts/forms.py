"""What every form of the site shares."""


class FormErrorsDescribeFieldsMixin:
    """Tie the form-wide errors to every input with ``aria-describedby``.

    ``includes/_form_errors.html`` shows them in ``#form-errors``; a screen
    reader then reads them with each field, as it reads a field's own errors.
    """

    form_errors_id = "form-errors"

    def full_clean(self):
        super().full_clean()
        if self.non_field_errors():
            for bound_field in self:
                described_by = f"{self.form_errors_id} {bound_field.aria_describedby}"
                bound_field.field.widget.attrs["aria-describedby"] = (
                    described_by.strip()
                )
