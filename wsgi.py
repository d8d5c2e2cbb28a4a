"""The WSGI entry point for gunicorn: ``gunicorn wsgi:app`` (web only, no scheduler)."""

from diary.app import create_app

app = create_app()
