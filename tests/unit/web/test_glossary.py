"""One Vietnamese word per concept (docs/glossary.md): the retired ones appear in no translation."""
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
RETIRED = ("tin đăng", "đơn hàng", "giao dịch ghép", "người mua", "người bán", "nhà cung cấp", "đã hứa",
           "được hứa", "kết nối")


def test_no_translation_uses_a_retired_word():
    with open(ROOT / "marketplace/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    found = []
    for message in catalog:
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            found += [(message.id, word) for word in RETIRED if word in (text or "").lower()]
    assert found == []


def test_the_glossary_names_every_retired_word():
    glossary = (ROOT / "docs/glossary.md").read_text()
    assert all(word in glossary.lower() for word in RETIRED)
