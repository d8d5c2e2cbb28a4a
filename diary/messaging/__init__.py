"""The domain's outgoing texts, as outbox rows written in the transaction that causes them.

Reminder planning, the staff texts of an alert, message templates. Nothing here sends:
``notifications`` drains the outbox after the commit.
"""
