"""Reference data the forms, the engine and the JSON API share (categories,
and alongside them units and certifications). Pure Python: no Flask, no
database."""


def is_english(locale: str | None) -> bool:
    """Whether reference data should be labelled in English for `locale`.
    "en", "en_US" and "en-GB" are English; anything else gets Vietnamese,
    the site's default language."""
    return (locale or "").replace("-", "_").split("_")[0].lower() == "en"
