"""Governance: the community's yearly cycle and its documents (seeds 000 §3, 001 §4, 003 §4).

One package per part, each its own blueprint under /c/<slug>/…: the work plan (plans),
meetings and minutes (meetings), the annual analytic report (reports), the election of the
chair (elections), working groups (groups), consultations, mentoring, and the dashboards
(dashboard, also the network overview for administrators)."""

from __future__ import annotations

from flask import Flask

PARTS = ("plans", "meetings", "reports", "elections", "groups", "consultations", "mentoring")


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for part in PARTS:
        module = import_module(f"app.governance.{part}")
        app.register_blueprint(module.bp, url_prefix=f"/c/<community_slug>/{part}")
    from app.governance.dashboard import bp as dashboard_bp

    app.register_blueprint(dashboard_bp)
