"""Who may open what: one row per endpoint of the URL map, one column per role.

Every endpoint but `static` must have a row in ACCESS, so a route added later fails here
until its author decides who may open it. URL arguments are filled by tests/helpers.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.helpers import make_url_context, url_for_rule

ROLES = ("anonymous", "outsider", "member", "other_coordinator", "coordinator", "chair", "admin")

# Columns follow ROLES. The URLs name the community where member, coordinator and chair hold
# their roles (other_coordinator coordinates another one); /users/<id> is a council member's
# profile. 302 for anonymous: to the login page; 302/303 for anyone else: elsewhere, never to
# the login page. 405: the endpoint takes POST only (see POST_ACCESS).
#
# Forum and chat: members only (a blueprint-wide can_view_inside, so the administrator too);
# sections, renaming and moving: the forum moderators (coordinator, administrator). The forum
# objects are those of tests/helpers.py (UrlContext): post_id is the member's reply, so in
# forum.edit_post only the member (its author) gets the form, and forum.revisions is open to
# the author and the moderators but not the chair; the reported post is nobody's in the
# columns. forum.post and forum.first_unread redirect into the topic; so does forum.show_post
# without htmx. moderation.rules is public. chat.messages is asked with QUERY below;
# chat.send shares its URL, so a GET there is chat.messages without ?after: 400.
#
# Moderation (can_moderate): the queue, direct removal, settings and watched words are the
# coordinator's and the administrator's, not the chair's; the moderation log
# (can_view_moderation_log) is open to the chair too. The admin blueprint is the
# administrator's alone (its before_request: anonymous to the login page, the rest 403).
#
# Events: members only (can_view_inside). The event (tests/helpers.py) is a published seminar
# organised by the coordinator, so its organiser's pages (edit, cancel, participants, exports,
# message) are the event managers' (coordinator, chair, administrator), not a plain
# member's; events.new is the managers' too. The member is signed up. events.add_participant
# posts to the participants page's URL, so a GET there is events.participants.
#
# Calendar (calendar.*): any logged-in user, over their own communities (none for the
# outsider: an empty calendar). The feeds need no login: the URL carries the member's token
# (tests/helpers.py), so every column gets them; events.ics is the event page's rule.
#
# Methodological bank: members only (can_view_inside, so the administrator too). The material
# is the council member's, published (tests/helpers.py), so every member may open and download
# it; editing it and uploading a new version of its file are for its author and the bank
# managers (coordinator, administrator), not the chair; so are the review criteria. The review
# is the expert's (a member in no column), so materials.edit_review refuses every column.
# bank.* spans the viewer's own communities: any logged-in user, even one in none.
#
# Certificates: the certificate (tests/helpers.py) is the member's, of a past seminar the
# member attended; events.certificate is asked for that seminar, so only the member gets
# the PDF (the others did not attend: 403), and certificates.download is its holder's
# alone. certificates.verify (the public check) needs no login; certificates.mine lists
# the viewer's own.
#
# Contests: the contest routes are asked for the contest of tests/helpers.py. Its entry is
# the council member's, public, so every member opens it and downloads its file; submitting
# is for members (not the administrator, who is in no community). Criteria, jury, ranking,
# places and the results are the organisers' (can_organise: coordinator, chair, admin). The
# jury is the expert (a member in no column), so scoring refuses every column; withdrawing
# is the entry's author's alone.
# fmt: off
ACCESS: dict[str, tuple[int, int, int, int, int, int, int]] = {
    #                                anon outs memb other coor chair admin
    "admin.edit_community":          (302, 403, 403, 403, 403, 403, 200),
    "admin.index":                   (302, 403, 403, 403, 403, 403, 200),
    "admin.moderation":              (302, 403, 403, 403, 403, 403, 200),
    "admin.new_community":           (302, 403, 403, 403, 403, 403, 200),
    "admin.remove_word":             (405, 405, 405, 405, 405, 405, 405),
    "admin.roles":                   (302, 403, 403, 403, 403, 403, 200),
    "admin.words":                   (302, 403, 403, 403, 403, 403, 200),
    "auth.change_password":          (302, 200, 200, 200, 200, 200, 200),
    "auth.edit_profile":             (302, 200, 200, 200, 200, 200, 200),
    "auth.login":                    (200, 302, 302, 302, 302, 302, 302),
    "auth.logout":                   (405, 405, 405, 405, 405, 405, 405),
    "auth.profile":                  (302, 403, 200, 403, 200, 200, 200),
    "auth.register":                 (200, 302, 302, 302, 302, 302, 302),
    "bank.all_materials":            (302, 200, 200, 200, 200, 200, 200),
    "bank.mine":                     (302, 200, 200, 200, 200, 200, 200),
    "certificates.download":         (302, 403, 200, 403, 403, 403, 403),
    "certificates.mine":             (302, 200, 200, 200, 200, 200, 200),
    "certificates.verify":           (200, 200, 200, 200, 200, 200, 200),
    "calendar.community_feed":       (200, 200, 200, 200, 200, 200, 200),
    "calendar.feeds":                (302, 200, 200, 200, 200, 200, 200),
    "calendar.month":                (302, 200, 200, 200, 200, 200, 200),
    "calendar.my_feed":              (200, 200, 200, 200, 200, 200, 200),
    "calendar.reset_feeds":          (405, 405, 405, 405, 405, 405, 405),
    "calendar.upcoming":             (302, 200, 200, 200, 200, 200, 200),
    "chat.index":                    (302, 403, 200, 403, 200, 200, 200),
    "chat.messages":                 (302, 403, 200, 403, 200, 200, 200),
    "chat.send":                     (302, 403, 400, 403, 400, 400, 400),
    "communities.admissions":        (302, 403, 403, 403, 200, 403, 200),
    "communities.admit":             (405, 405, 405, 405, 405, 405, 405),
    "communities.cancel_request":    (405, 405, 405, 405, 405, 405, 405),
    "communities.charter":           (200, 200, 200, 200, 200, 200, 200),
    "communities.decline":           (405, 405, 405, 405, 405, 405, 405),
    "communities.index":             (200, 200, 200, 200, 200, 200, 200),
    "communities.join":              (302, 200, 303, 200, 303, 303, 200),
    "communities.leave":             (302, 303, 200, 303, 200, 200, 303),
    "communities.members":           (302, 403, 200, 403, 200, 200, 200),
    "communities.show":              (200, 200, 200, 200, 200, 200, 200),
    "events.add_participant":        (302, 403, 403, 403, 200, 200, 200),
    "events.cancel":                 (302, 403, 403, 403, 200, 200, 200),
    "events.cancel_signup":          (405, 405, 405, 405, 405, 405, 405),
    "events.certificate":            (302, 403, 200, 403, 403, 403, 403),
    "events.criteria":               (302, 403, 403, 403, 200, 200, 200),
    "events.edit":                   (302, 403, 403, 403, 200, 200, 200),
    "events.entry":                  (302, 403, 200, 403, 200, 200, 200),
    "events.entry_file":             (302, 403, 200, 403, 200, 200, 200),
    "events.event":                  (302, 403, 200, 403, 200, 200, 200),
    "events.export":                 (302, 403, 403, 403, 200, 200, 200),
    "events.finish":                 (405, 405, 405, 405, 405, 405, 405),
    "events.ics":                    (302, 403, 200, 403, 200, 200, 200),
    "events.index":                  (302, 403, 200, 403, 200, 200, 200),
    "events.jury":                   (302, 403, 403, 403, 200, 200, 200),
    "events.mark_attendance":        (405, 405, 405, 405, 405, 405, 405),
    "events.message":                (302, 403, 403, 403, 200, 200, 200),
    "events.new":                    (302, 403, 403, 403, 200, 200, 200),
    "events.new_entry":              (302, 403, 200, 403, 200, 200, 403),
    "events.participants":           (302, 403, 403, 403, 200, 200, 200),
    "events.publish":                (405, 405, 405, 405, 405, 405, 405),
    "events.publish_results":        (405, 405, 405, 405, 405, 405, 405),
    "events.ranking":                (302, 403, 403, 403, 200, 200, 200),
    "events.remove_criterion":       (405, 405, 405, 405, 405, 405, 405),
    "events.remove_juror":           (405, 405, 405, 405, 405, 405, 405),
    "events.remove_participant":     (405, 405, 405, 405, 405, 405, 405),
    "events.score":                  (405, 405, 405, 405, 405, 405, 405),
    "events.scoring":                (302, 403, 403, 403, 403, 403, 403),
    "events.set_place":              (405, 405, 405, 405, 405, 405, 405),
    "events.sign_up":                (405, 405, 405, 405, 405, 405, 405),
    "events.withdraw_entry":         (405, 405, 405, 405, 405, 405, 405),
    "forum.attachment":              (302, 403, 200, 403, 200, 200, 200),
    "forum.close":                   (405, 405, 405, 405, 405, 405, 405),
    "forum.edit_post":               (302, 403, 200, 403, 403, 403, 403),
    "forum.edit_section":            (302, 403, 403, 403, 200, 403, 200),
    "forum.first_unread":            (302, 403, 302, 403, 302, 302, 302),
    "forum.index":                   (302, 403, 200, 403, 200, 200, 200),
    "forum.move":                    (302, 403, 403, 403, 200, 403, 200),
    "forum.move_section":            (405, 405, 405, 405, 405, 405, 405),
    "forum.new_section":             (302, 403, 403, 403, 200, 403, 200),
    "forum.new_topic":               (302, 403, 200, 403, 200, 200, 200),
    "forum.pin":                     (405, 405, 405, 405, 405, 405, 405),
    "forum.post":                    (302, 403, 302, 403, 302, 302, 302),
    "forum.preview":                 (405, 405, 405, 405, 405, 405, 405),
    "forum.rename":                  (302, 403, 403, 403, 200, 403, 200),
    "forum.reply":                   (302, 403, 200, 403, 200, 200, 200),
    "forum.revisions":               (302, 403, 200, 403, 200, 403, 200),
    "forum.search_page":             (302, 403, 200, 403, 200, 200, 200),
    "forum.section":                 (302, 403, 200, 403, 200, 200, 200),
    "forum.show_post":               (302, 403, 302, 403, 302, 302, 302),
    "forum.topic":                   (302, 403, 200, 403, 200, 200, 200),
    "forum.watch":                   (405, 405, 405, 405, 405, 405, 405),
    "materials.assign":              (405, 405, 405, 405, 405, 405, 405),
    "materials.best":                (405, 405, 405, 405, 405, 405, 405),
    "materials.criteria":            (302, 403, 403, 403, 200, 403, 200),
    "materials.download":            (302, 403, 200, 403, 200, 200, 200),
    "materials.edit":                (302, 403, 403, 403, 200, 403, 200),
    "materials.edit_review":         (302, 403, 403, 403, 403, 403, 403),
    "materials.index":               (302, 403, 200, 403, 200, 200, 200),
    "materials.material":            (302, 403, 200, 403, 200, 200, 200),
    "materials.new":                 (302, 403, 200, 403, 200, 200, 200),
    "materials.new_version":         (302, 403, 403, 403, 200, 403, 200),
    "materials.publish":             (405, 405, 405, 405, 405, 405, 405),
    "moderation.act":                (405, 405, 405, 405, 405, 405, 405),
    "moderation.index":              (302, 403, 403, 403, 200, 403, 200),
    "moderation.log":                (302, 403, 403, 403, 200, 200, 200),
    "moderation.remove_item":        (302, 403, 403, 403, 200, 403, 200),
    "moderation.remove_word":        (405, 405, 405, 405, 405, 405, 405),
    "moderation.report":             (302, 403, 200, 403, 200, 200, 200),
    "moderation.restore_item":       (405, 405, 405, 405, 405, 405, 405),
    "moderation.retire_ground":      (405, 405, 405, 405, 405, 405, 405),
    "moderation.rules":              (200, 200, 200, 200, 200, 200, 200),
    "moderation.settings":           (302, 403, 403, 403, 200, 403, 200),
    "moderation.words":              (302, 403, 403, 403, 200, 403, 200),
    "notifications.bell":            (302, 200, 200, 200, 200, 200, 200),
    "notifications.index":           (302, 200, 200, 200, 200, 200, 200),
    "notifications.mark_all_read":   (405, 405, 405, 405, 405, 405, 405),
    "notifications.mark_read":       (405, 405, 405, 405, 405, 405, 405),
}

# POST-only endpoints, posted with empty data (CSRF is off in TestConfig): 302 to login,
# 403, or OK (allowed: any other status below 500 that is not 401/403/404/405 or a redirect
# to login). The notification is the requester's own; the join request is pending. Pinning,
# closing and moving sections: the forum moderators; every role gets a fresh topic and section.
# Moderation actions (approve: the first action the rule allows; restoring a visible post;
# retiring a ground; removing a watched word): the coordinator and the administrator, each on
# fresh objects; the admin blueprint removes a platform word, the administrator alone.
# Publishing, marking a best practice (`best`, the first action the rule allows) and assigning
# experts (none chosen: the form comes back with its error) are the bank managers'.
# Contests: removing a criterion or a juror, setting a place (none chosen: refused with a
# message) and publishing the results (before the deadline: refused with a message) are the
# organisers'; scoring the jury's, withdrawing the author's (neither in a column).
OK = "ok"
POST_ACCESS: dict[str, tuple[int | str, ...]] = {
    #                                anon outs memb other coor chair admin
    "admin.remove_word":             (302, 403, 403, 403, 403, 403, OK),
    "auth.logout":                   (OK,  OK,  OK,  OK,  OK,  OK,  OK),
    "calendar.reset_feeds":          (302, OK,  OK,  OK,  OK,  OK,  OK),
    "chat.send":                     (302, 403, OK,  403, OK,  OK,  OK),
    "communities.admit":             (302, 403, 403, 403, OK,  403, OK),
    "communities.cancel_request":    (302, OK,  OK,  OK,  OK,  OK,  OK),
    "communities.decline":           (302, 403, 403, 403, OK,  403, OK),
    "events.add_participant":        (302, 403, 403, 403, OK,  OK,  OK),
    "events.cancel_signup":          (302, 403, OK,  403, OK,  OK,  OK),
    "events.finish":                 (302, 403, 403, 403, OK,  OK,  OK),
    "events.mark_attendance":        (302, 403, 403, 403, OK,  OK,  OK),
    "events.publish":                (302, 403, 403, 403, OK,  OK,  OK),
    "events.publish_results":        (302, 403, 403, 403, OK,  OK,  OK),
    "events.remove_criterion":       (302, 403, 403, 403, OK,  OK,  OK),
    "events.remove_juror":           (302, 403, 403, 403, OK,  OK,  OK),
    "events.remove_participant":     (302, 403, 403, 403, OK,  OK,  OK),
    "events.score":                  (302, 403, 403, 403, 403, 403, 403),
    "events.set_place":              (302, 403, 403, 403, OK,  OK,  OK),
    "events.sign_up":                (302, 403, OK,  403, OK,  OK,  OK),
    "events.withdraw_entry":         (302, 403, 403, 403, 403, 403, 403),
    "forum.close":                   (302, 403, 403, 403, OK,  403, OK),
    "forum.move_section":            (302, 403, 403, 403, OK,  403, OK),
    "forum.pin":                     (302, 403, 403, 403, OK,  403, OK),
    "forum.preview":                 (302, 403, OK,  403, OK,  OK,  OK),
    "forum.watch":                   (302, 403, OK,  403, OK,  OK,  OK),
    "materials.assign":              (302, 403, 403, 403, OK,  403, OK),
    "materials.best":                (302, 403, 403, 403, OK,  403, OK),
    "materials.publish":             (302, 403, 403, 403, OK,  403, OK),
    "moderation.act":                (302, 403, 403, 403, OK,  403, OK),
    "moderation.remove_word":        (302, 403, 403, 403, OK,  403, OK),
    "moderation.restore_item":       (302, 403, 403, 403, OK,  403, OK),
    "moderation.retire_ground":      (302, 403, 403, 403, OK,  403, OK),
    "notifications.mark_all_read":   (302, OK,  OK,  OK,  OK,  OK,  OK),
    "notifications.mark_read":       (302, OK,  OK,  OK,  OK,  OK,  OK),
}
# fmt: on

# Query strings some endpoints need, as their pages send them: chat polling asks for the
# messages after the last one it has (0 on an empty chat); without `after` it answers 400.
QUERY: dict[str, dict[str, object]] = {
    "chat.messages": {"after": 0},
}


def endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}


def post_only(app) -> set[str]:
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods)
    return {e for e, m in methods.items() if "POST" in m and "GET" not in m}


def test_every_endpoint_is_in_the_table(app):
    problems = [f"endpoint {e} is missing from the access table"
                for e in sorted(endpoints(app) - ACCESS.keys())]
    problems += [f"endpoint {e} is in the access table but not in app.url_map"
                 for e in sorted(ACCESS.keys() - endpoints(app))]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_query_strings_are_for_endpoints_in_the_table():
    assert QUERY.keys() <= ACCESS.keys()


def test_every_post_only_endpoint_is_in_the_post_table(app):
    problems = [f"endpoint {e} takes only POST and is missing from POST_ACCESS"
                for e in sorted(post_only(app) - POST_ACCESS.keys())]
    problems += [f"endpoint {e} is in POST_ACCESS but does not take only POST"
                 for e in sorted(POST_ACCESS.keys() - post_only(app))]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def problems_with(app, people, community, client_as, endpoint: str, method: str,
                  row: tuple) -> list[str]:
    """Request `endpoint` as every role in turn (fresh URL objects for each) and compare."""
    if endpoint not in endpoints(app):
        return [f"endpoint {endpoint} is in the table but not in app.url_map"]
    problems, actual = [], []
    for role, expected in zip(ROLES, row, strict=True):
        viewer = None if role == "anonymous" else people[role]
        ctx = make_url_context(community, people, viewer)
        client = client_as(role)
        for rule in app.url_map.iter_rules(endpoint):
            url = url_for_rule(rule, ctx)
            with client.open(url, method=method, data={},
                             query_string=QUERY.get(endpoint)) as response:  # closes downloads
                actual.append(response.status_code)
                problems += check(f"{method} {url} as {role}", role, response, expected)
    if problems:
        problems[:0] = [f"{endpoint} ({'/'.join(ROLES)})",
                        f"  expected {row}", f"  actual   {tuple(actual)}"]
    return problems


def check(where: str, role: str, response, expected: int | str) -> list[str]:
    status = response.status_code
    if status >= 500:
        return [f"{where}: server error {status}"]
    location = response.headers.get("Location", "")
    got = f"{status} to {location}" if location else str(status)
    to_login = status in (302, 303) and urlsplit(location).path == "/auth/login"
    if expected == OK:
        if status in (401, 403, 404, 405) or to_login:
            return [f"{where}: expected to be allowed, got {got}"]
        return []
    if status != expected:
        return [f"{where}: expected {expected}, got {got}"]
    if status in (302, 303) and role == "anonymous" and not to_login:
        return [f"{where}: anonymous should go to the login page, not {location}"]
    if status in (302, 303) and role != "anonymous" and to_login:
        return [f"{where}: a logged-in user was sent to the login page"]
    return []


@pytest.mark.parametrize("endpoint", ACCESS)
def test_get(app, people, community, client_as, endpoint):
    problems = problems_with(app, people, community, client_as, endpoint, "GET",
                             ACCESS[endpoint])
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.parametrize("endpoint", POST_ACCESS)
def test_post_only(app, people, community, client_as, endpoint):
    problems = problems_with(app, people, community, client_as, endpoint, "POST",
                             POST_ACCESS[endpoint])
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)

