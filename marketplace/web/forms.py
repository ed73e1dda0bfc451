"""The base form and validators shared by every form. Messages come from our
own catalogue: WTForms ships no Vietnamese translation."""
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Length

from marketplace.core.validation import InvalidInput

# WTForms' own messages that our forms can show; listed so that message
# extraction puts them in our catalogue.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Invalid input."),
    _l("Invalid email address."),
)


class _CatalogueTranslations:
    def gettext(self, message):
        return gettext(message)

    def ngettext(self, singular, plural, n):
        return ngettext(singular, plural, n)


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _CatalogueTranslations()


def required():
    return DataRequired(message=_l("This field is required."))


def max_length(limit: int):
    return Length(max=limit, message=_l("At most %(max)d characters."))


def length_between(low: int, high: int):
    return Length(min=low, max=high, message=_l("Between %(min)d and %(max)d characters."))


def apply_field_errors(form, fields: dict[str, str], message: str | None = None) -> None:
    """A use case's messages next to the form fields with the same names;
    the rest (and a message with no field) above the form."""
    for name, text in fields.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, text]
        else:
            form.form_errors.append(text)
    if message and not fields:
        form.form_errors.append(message)


def submit(form, save, check) -> bool:
    """A POSTed form through its use case: ``save()`` when every field parsed,
    else ``check()`` for the remaining problems. Field messages land on the
    form; True when the use case went through."""
    if not form.validate_on_submit():
        report_remaining_problems(form, check)
        return False
    try:
        save()
    except InvalidInput as error:
        apply_field_errors(form, error.fields, error.message)
        return False
    return True


def report_remaining_problems(form, check) -> None:
    """When some fields did not even parse, still ask the use case about the
    others (``check`` raises InvalidInput), so a producer on a slow line fixes
    everything in one round instead of one field per submit. A form refused
    for its CSRF token learns nothing."""
    if "csrf_token" in form.errors:
        return
    try:
        check()
    except InvalidInput as error:
        apply_field_errors(form, {name: text for name, text in error.fields.items()
                                  if not (name in form._fields and form._fields[name].errors)})
