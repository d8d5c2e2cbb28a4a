"""Twilio's error codes that say something about a participant's phone, not about one text.

https://www.twilio.com/docs/api/errors
"""

# The recipient has replied STOP: Twilio refuses every text to them until START.
OPTED_OUT = "21610"
# Not a valid mobile number (21211), or a number that cannot receive SMS (21614).
UNREACHABLE = frozenset({"21211", "21614"})
