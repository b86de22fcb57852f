"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from app import create_app

app = create_app()
# What start-up made (the app, its templates, SQLAlchemy's mappers) lives as long as the
# process: out of the garbage collector's full passes, which otherwise stall a request
# now and then (bench/results.md, finding D).
gc.freeze()
