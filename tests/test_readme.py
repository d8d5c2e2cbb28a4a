"""The README is the operator's manual: every setting and the Twilio set-up are in it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_environment_variable_read_by_config_is_documented():
    source = (ROOT / "config.py").read_text()
    names = set(re.findall(r'env(?:\.get\(|, )"([A-Z][A-Z0-9_]+)"', source))
    assert "TWILIO_AUTH_TOKEN" in names  # the pattern finds what config reads
    assert sorted(name for name in names if f"`{name}`" not in README) == []


def test_twilio_set_up_names_the_sender_choices_and_both_webhook_urls():
    for text in ("TWILIO_MESSAGING_SERVICE_SID", "TWILIO_FROM_NUMBER",
                 "/webhooks/twilio/sms", "/webhooks/twilio/status", "diary scheduler"):
        assert text in README
