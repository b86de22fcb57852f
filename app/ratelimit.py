"""Named rate limits on actions (Flask-Limiter); pages are never limited.

Every limit here counts POSTs only, so the GET of a form page is free. The values are settings
(`RATELIMIT_*` in app/config.py), read on each request, so production and tests tune them
without code. Requests are counted per user when logged in, else per address
(`app.extensions.rate_limit_key`). A breached limit raises a 429, which app/errors.py renders in
Russian (a fragment for htmx), with a Retry-After header.

The per-action limits count each view on its own. The shared ones count every view they
decorate in one bucket, so a later feature only decorates its view, under the route:

    @bp.post("/topics/<int:topic_id>/reply")
    @limit_posting
    @login_required
    def reply(topic_id: int): ...
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from app.extensions import limiter

_POST = ["POST"]


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


# One action each.
limit_login = limiter.limit(_setting("RATELIMIT_LOGIN"), methods=_POST)
limit_register = limiter.limit(_setting("RATELIMIT_REGISTER"), methods=_POST)
limit_password = limiter.limit(_setting("RATELIMIT_PASSWORD"), methods=_POST)
limit_join = limiter.limit(_setting("RATELIMIT_JOIN"), methods=_POST)

# Shared by every view they decorate: forum posts and chat messages; complaints to the
# moderators; uploaded files (materials, forum attachments, contest entries).
limit_posting = limiter.shared_limit(_setting("RATELIMIT_POSTING"), scope="posting", methods=_POST)
limit_reports = limiter.shared_limit(_setting("RATELIMIT_REPORTS"), scope="reports", methods=_POST)
limit_uploads = limiter.shared_limit(_setting("RATELIMIT_UPLOADS"), scope="uploads", methods=_POST)

# The one limited page: the public check of certificate codes (events/certificates.py), a GET
# with ?code= that someone could repeat to guess codes. The form itself, without a code, is
# free. RATELIMIT_CERTIFICATE_CHECKS in the config sets it.
limit_certificate_checks = limiter.limit(
    _setting("RATELIMIT_CERTIFICATE_CHECKS"),
    exempt_when=lambda: not request.args.get("code"),
)
