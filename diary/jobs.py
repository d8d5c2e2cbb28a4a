"""The scheduler's periodic jobs, listed as data: part of the composition root.

Each target is a plain function of ``now`` named "module:function", imported only when
the scheduler process starts (``diary scheduler``), never by the web app.
"""

from notifications.scheduler import Job

JOBS = (
    Job("plan_reminders", "diary.messaging.planning:plan_reminders", 300),
    Job("dispatch_outbox", "notifications.dispatch:dispatch_due", 20),
    Job("escalate_alerts", "diary.operations.alerts:escalate_due_alerts", 60),
    Job("report_overdue", "diary.operations.serious_events:text_overdue_reports", 60),
    Job("check_adherence", "diary.operations.adherence_gaps:check_adherence_gaps", 3600),
    Job("check_low_adherence", "diary.operations.low_adherence:check_low_adherence", 3600),
)
