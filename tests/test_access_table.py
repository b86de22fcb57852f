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
#
# Working groups (groups.*): the list and a group's page are for the community's members
# (and the administrator); creating, editing and closing for the coordinator, the chair and
# the administrator. The group (tests/helpers.py) has the member as its leader, so the member
# manages its members too (groups.members, add_member, remove_member of the council member).
# Its forum section is tested in tests/forum/test_group_sections.py.
#
# Dashboards: «Работа сообщества» (dashboard.community) is for the community's members and
# the administrator (its panels for the coordinator, the chair and the administrator only:
# tests/governance/test_dashboard.py); the network overview (dashboard.network) is the
# administrators' alone.
#
# Consultations (consultations.*): members only; a member asks (not the administrator, who is
# in no community). The consultation (tests/helpers.py) is the member's, assigned to the
# expert: its page is open to the asker and to those who run the queue (coordinator, chair,
# administrator; a member in no column would get 404), assigning is theirs, closing is the
# asker's and theirs, and the private exchange (consultations.reply) is the asker's and the
# consultant's alone: 403 for the coordinator, the chair and the administrator.
# Mentoring (mentoring.*): the list is for members; creating, editing and ending pairs for the
# coordinator, the chair and the administrator. The pair: the council member mentors the member.
#
# Work plans (plans.*): members read (the administrator too); drafting is the chair's, the
# coordinators' and the administrator's. The plan (tests/helpers.py) is the current year's,
# on approval, so its content is frozen: plans.new_item sends the drafters back to the plan
# (303 with a message) and plans.edit_item shows them the fact form. The council votes: the
# chair is on it (the council member is in no column); the coordinator and the
# administrator are not, so plans.vote refuses them. plans.create posts to /new only.
#
# Annual reports (reports.*): the list is for members (and the administrator). The report
# (tests/helpers.py) is this year's draft, so its page and its documents (reports.export,
# DOCX first) are for its editors only: the chair, the coordinator, the administrator. The
# return form is asked for last year's submitted report: the administrator's alone.
#
# Meetings (meetings.*): members read the year's meetings, agendas and the register (the
# administrator too). The agenda routes are asked for the upcoming meeting, the minutes
# routes for the past meeting whose minutes are a draft (tests/helpers.py), both organised
# by the coordinator: writing them is the editors' (coordinator, chair as event manager,
# administrator). A member opening draft minutes gets the page saying they are being
# prepared, but not their document (meetings.download, DOCX first: 403); new minutes for a
# meeting that has them send the editors to them (303).
#
# Elections (elections.*): members read the list and a published election (the
# administrator too). The election (tests/helpers.py) is open; its roll is the chair and the
# council member, so only the chair may vote (an empty ballot: refused with a message);
# the member, the coordinator (not on the council) and the administrator get 403. The
# organisers are the coordinator and the administrator, never the chair (who may stand for
# re-election): new elections, and the edit form and publishing, asked for a draft, which
# members do not see at all (404). «Подвести итоги» before the end: refused with a message.
# Personal data (privacy.*): the policy is public; «Мои данные», the export and the deletion
# page are every logged-in person's own (the only coordinator gets the deletion page too,
# with the refusal on it); the log of requests (admin.data_requests) is the administrators'.
# The member pickers' search (communities.pick_members) is for those who may see the
# community's members (can_view_members): its members and the administrator.
# fmt: off
ACCESS: dict[str, tuple[int, int, int, int, int, int, int]] = {
    #                                anon outs memb other coor chair admin
    "admin.data_requests":           (302, 403, 403, 403, 403, 403, 200),
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
    "communities.pick_members":      (302, 403, 200, 403, 200, 200, 200),
    "communities.show":              (200, 200, 200, 200, 200, 200, 200),
    "consultations.assign":          (405, 405, 405, 405, 405, 405, 405),
    "consultations.close":           (405, 405, 405, 405, 405, 405, 405),
    "consultations.consultation":    (302, 403, 200, 403, 200, 200, 200),
    "consultations.index":           (302, 403, 200, 403, 200, 200, 200),
    "consultations.new":             (302, 403, 200, 403, 200, 200, 403),
    "consultations.reply":           (405, 405, 405, 405, 405, 405, 405),
    "dashboard.community":           (302, 403, 200, 403, 200, 200, 200),
    "dashboard.network":             (302, 403, 403, 403, 403, 403, 200),
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
    "elections.edit":                (302, 403, 404, 403, 200, 404, 200),
    "elections.election":            (302, 403, 200, 403, 200, 200, 200),
    "elections.finalize":            (405, 405, 405, 405, 405, 405, 405),
    "elections.index":               (302, 403, 200, 403, 200, 200, 200),
    "elections.new":                 (302, 403, 403, 403, 200, 403, 200),
    "elections.publish":             (405, 405, 405, 405, 405, 405, 405),
    "elections.vote":                (405, 405, 405, 405, 405, 405, 405),
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
    "groups.add_member":             (405, 405, 405, 405, 405, 405, 405),
    "groups.close":                  (405, 405, 405, 405, 405, 405, 405),
    "groups.edit":                   (302, 403, 403, 403, 200, 200, 200),
    "groups.group":                  (302, 403, 200, 403, 200, 200, 200),
    "groups.index":                  (302, 403, 200, 403, 200, 200, 200),
    "groups.members":                (302, 403, 200, 403, 200, 200, 200),
    "groups.new":                    (302, 403, 403, 403, 200, 200, 200),
    "groups.remove_member":          (405, 405, 405, 405, 405, 405, 405),
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
    "meetings.add_agenda_item":      (405, 405, 405, 405, 405, 405, 405),
    "meetings.add_question":         (405, 405, 405, 405, 405, 405, 405),
    "meetings.add_recommendation":   (405, 405, 405, 405, 405, 405, 405),
    "meetings.agenda":               (302, 403, 200, 403, 200, 200, 200),
    "meetings.decisions":            (302, 403, 200, 403, 200, 200, 200),
    "meetings.download":             (302, 403, 403, 403, 200, 200, 200),
    "meetings.edit_agenda_item":     (302, 403, 403, 403, 200, 200, 200),
    "meetings.edit_minutes":         (302, 403, 403, 403, 200, 200, 200),
    "meetings.edit_question":        (302, 403, 403, 403, 200, 200, 200),
    "meetings.edit_recommendation":  (302, 403, 403, 403, 200, 200, 200),
    "meetings.index":                (302, 403, 200, 403, 200, 200, 200),
    "meetings.minutes":              (302, 403, 200, 403, 200, 200, 200),
    "meetings.move_agenda_item":     (405, 405, 405, 405, 405, 405, 405),
    "meetings.new_minutes":          (302, 403, 403, 403, 303, 303, 303),
    "meetings.remove_agenda_item":   (405, 405, 405, 405, 405, 405, 405),
    "meetings.remove_question":      (405, 405, 405, 405, 405, 405, 405),
    "meetings.remove_recommendation": (405, 405, 405, 405, 405, 405, 405),
    "meetings.set_decision_status":  (405, 405, 405, 405, 405, 405, 405),
    "meetings.sign_minutes":         (405, 405, 405, 405, 405, 405, 405),
    "mentoring.edit":                (302, 403, 403, 403, 200, 200, 200),
    "mentoring.end":                 (405, 405, 405, 405, 405, 405, 405),
    "mentoring.index":               (302, 403, 200, 403, 200, 200, 200),
    "mentoring.new":                 (302, 403, 403, 403, 200, 200, 200),
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
    "notifications.settings":        (302, 200, 200, 200, 200, 200, 200),
    "notifications.unsubscribe":     (200, 200, 200, 200, 200, 200, 200),
    "outbox.index":                  (302, 403, 403, 403, 403, 403, 200),
    "outbox.retry":                  (405, 405, 405, 405, 405, 405, 405),
    "outbox.letter":                 (302, 403, 403, 403, 403, 403, 200),
    "outbox.letter_html":            (302, 403, 403, 403, 403, 403, 200),
    "outbox.download":               (302, 403, 403, 403, 403, 403, 200),
    "plans.create":                  (405, 405, 405, 405, 405, 405, 405),
    "plans.draft_next":              (405, 405, 405, 405, 405, 405, 405),
    "plans.edit_item":               (302, 403, 403, 403, 200, 200, 200),
    "plans.index":                   (302, 403, 200, 403, 200, 200, 200),
    "plans.move_item":               (405, 405, 405, 405, 405, 405, 405),
    "plans.new_item":                (302, 403, 403, 403, 303, 303, 303),
    "plans.plan":                    (302, 403, 200, 403, 200, 200, 200),
    "plans.remove_item":             (405, 405, 405, 405, 405, 405, 405),
    "plans.return_to_draft":         (405, 405, 405, 405, 405, 405, 405),
    "plans.send":                    (405, 405, 405, 405, 405, 405, 405),
    "plans.set_status":              (405, 405, 405, 405, 405, 405, 405),
    "plans.vote":                    (405, 405, 405, 405, 405, 405, 405),
    "privacy.delete_account":        (302, 200, 200, 200, 200, 200, 200),
    "privacy.export":                (405, 405, 405, 405, 405, 405, 405),
    "privacy.my_data":               (302, 200, 200, 200, 200, 200, 200),
    "privacy.policy":                (200, 200, 200, 200, 200, 200, 200),
    "reports.export":                (302, 403, 403, 403, 200, 200, 200),
    "reports.index":                 (302, 403, 200, 403, 200, 200, 200),
    "reports.report":                (302, 403, 403, 403, 200, 200, 200),
    "reports.return_to_draft":       (302, 403, 403, 403, 403, 403, 200),
    "reports.start":                 (405, 405, 405, 405, 405, 405, 405),
    "reports.submit":                (405, 405, 405, 405, 405, 405, 405),
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
# Working groups: adding a member (none chosen: the form comes back with its error) and
# taking the council member out are for the group's leader (the member) and the managers;
# closing for the managers (coordinator, chair, administrator).
# Work plans: every action on the plan on approval is the drafters' (refused with a message
# where the frozen content or the empty form says no); voting is the council's (the chair).
# Annual reports: starting this year's report again (refused with a message) is the
# editors'; submitting the draft (with what was saved) is the chair's alone.
# Meetings: every change of an agenda or of draft minutes (empty forms come back with their
# errors; moving the first item up is refused with a message; signing signs) is the
# editors'; a register entry's status (the empty form: refused with a message) is for the
# member responsible for it, the coordinator, the chair and the administrator.
# Elections: voting is the roll's (the chair; the empty ballot is refused with a message);
# publishing the draft (refused with a message: the open election runs) and «Подвести
# итоги» (refused: voting goes on) are the organisers' (coordinator, administrator).
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
    "consultations.assign":          (302, 403, 403, 403, OK,  OK,  OK),
    "consultations.close":           (302, 403, OK,  403, OK,  OK,  OK),
    "consultations.reply":           (302, 403, OK,  403, 403, 403, 403),
    "elections.finalize":            (302, 403, 403, 403, OK,  403, OK),
    "elections.publish":             (302, 403, 404, 403, OK,  404, OK),
    "elections.vote":                (302, 403, 403, 403, 403, OK,  403),
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
    "groups.add_member":             (302, 403, OK,  403, OK,  OK,  OK),
    "groups.close":                  (302, 403, 403, 403, OK,  OK,  OK),
    "groups.remove_member":          (302, 403, OK,  403, OK,  OK,  OK),
    "materials.assign":              (302, 403, 403, 403, OK,  403, OK),
    "materials.best":                (302, 403, 403, 403, OK,  403, OK),
    "materials.publish":             (302, 403, 403, 403, OK,  403, OK),
    "meetings.add_agenda_item":      (302, 403, 403, 403, OK,  OK,  OK),
    "meetings.add_question":         (302, 403, 403, 403, OK,  OK,  OK),
    "meetings.add_recommendation":   (302, 403, 403, 403, OK,  OK,  OK),
    "meetings.move_agenda_item":     (302, 403, 403, 403, OK,  OK,  OK),
    "meetings.remove_agenda_item":   (302, 403, 403, 403, OK,  OK,  OK),
    "meetings.remove_question":      (302, 403, 403, 403, OK,  OK,  OK),
    "meetings.remove_recommendation": (302, 403, 403, 403, OK,  OK,  OK),
    "meetings.set_decision_status":  (302, 403, OK,  403, OK,  OK,  OK),
    "meetings.sign_minutes":         (302, 403, 403, 403, OK,  OK,  OK),
    "mentoring.end":                 (302, 403, 403, 403, OK,  OK,  OK),
    "moderation.act":                (302, 403, 403, 403, OK,  403, OK),
    "moderation.remove_word":        (302, 403, 403, 403, OK,  403, OK),
    "moderation.restore_item":       (302, 403, 403, 403, OK,  403, OK),
    "moderation.retire_ground":      (302, 403, 403, 403, OK,  403, OK),
    "notifications.mark_all_read":   (302, OK,  OK,  OK,  OK,  OK,  OK),
    "notifications.mark_read":       (302, OK,  OK,  OK,  OK,  OK,  OK),
    "outbox.retry":                  (302, 403, 403, 403, 403, 403, OK),
    "plans.create":                  (302, 403, 403, 403, OK,  OK,  OK),
    "plans.draft_next":              (302, 403, 403, 403, OK,  OK,  OK),
    "plans.move_item":               (302, 403, 403, 403, OK,  OK,  OK),
    "plans.remove_item":             (302, 403, 403, 403, OK,  OK,  OK),
    "plans.return_to_draft":         (302, 403, 403, 403, OK,  OK,  OK),
    "plans.send":                    (302, 403, 403, 403, OK,  OK,  OK),
    "plans.set_status":              (302, 403, 403, 403, OK,  OK,  OK),
    "plans.vote":                    (302, 403, 403, 403, 403, OK,  403),
    "privacy.export":                (302, OK,  OK,  OK,  OK,  OK,  OK),
    "reports.start":                 (302, 403, 403, 403, OK,  OK,  OK),
    "reports.submit":                (302, 403, 403, 403, 403, OK,  403),
}
# fmt: on

# Query strings some endpoints need, as their pages send them: chat polling asks for the
# messages after the last one it has (0 on an empty chat); without `after` it answers 400.
QUERY: dict[str, dict[str, object]] = {
    "chat.messages": {"after": 0},
    # A member picker's search box sends its field's name and id and the query.
    "communities.pick_members": {"field": "user_id", "id": "user_id", "user_id-q": "сов"},
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

