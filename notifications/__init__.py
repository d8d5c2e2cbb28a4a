"""Text messages: the outbox, SMS senders, templates, and the scheduler process."""
