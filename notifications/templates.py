"""Message texts, from the study definition, per locale. None carries health information."""

from diary.models import Study


def render(study: Study, locale: str, name: str, /, **values) -> str:
    """Return the text of template ``name`` in ``locale`` (the study's first locale if absent)."""
    templates = study.definition["sms"]["templates"]
    chosen = templates.get(locale) or templates[study.definition["locales"][0]]
    return chosen[name].format(**values)
