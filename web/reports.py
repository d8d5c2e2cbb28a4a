"""/reports: the cohort's adherence, the primary endpoint, safety and alerts, for staff."""

from flask import Blueprint, g, render_template

from diary.errors import NotFound
from diary.operations import report_page
from diary.operations.reports import alerts, safety
from diary.operations.reports.adherence import participant_figures
from diary.operations.reports.outcomes import primary_endpoint
from diary.operations.study_info import study_for_staff
from diary.rules.report_windows import Window
from web import sections
from web.session import staff_page
from web.sign_in import LogoutForm

bp = Blueprint("web_reports", __name__, template_folder="templates")


@bp.route("/reports")
@staff_page
def reports():
    """Show the report page for the staff member's sites (an admin's: every site)."""
    actor = g.actor
    try:
        study = study_for_staff(actor)
    except NotFound:
        return render_template("web/no_study.html", staff=actor.staff,
                               logout_form=LogoutForm()), 404
    window = study.primary_window_days
    # Every panel covers the heatmap's participants: this study's, at the viewer's sites (an
    # admin's: all of its sites). The reports alone would take every study the viewer
    # sees, so each is narrowed to the study's sites (study_id), and the adverse events to
    # onsets in the page's window, study days 1 to the primary window's end.
    participants = report_page.cohort_participants(actor, study)
    # The cohort adherence report's rows, as GET /api/v1/reports/adherence gives them.
    figures = list(participant_figures(actor, Window(1, window),
                                       participant_ids=[person.id for person in participants]))
    events = safety.adverse_event_table(actor, window=Window(1, window), study_id=study.id)
    return render_template(
        "web/reports.html", study=study, staff=actor.staff, window=window,
        logout_form=LogoutForm(), demo=any(person.demo for person in participants),
        heatmap=sections.heatmap_section(report_page.cohort_days(participants, window), window),
        adherence=sections.adherence_section(figures, study.adherence_threshold),
        primary=sections.primary_endpoint_section(primary_endpoint(actor, study_id=study.id)),
        adverse_events=sections.adverse_event_section(events),
        alerts=sections.alert_section(alerts.open_alerts(actor, study_id=study.id),
                                      alerts.alert_figures(actor, study_id=study.id)),
    )
