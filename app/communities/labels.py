"""Russian labels for the community enums (forms and templates use these)."""

from flask_babel import lazy_gettext as _l

from app.communities.models import CommunityKind, CommunityLevel, JoinPolicy, RequestStatus, Role

KIND_LABELS = {
    CommunityKind.REGIONAL_LEADERS: _l("Региональное сообщество руководителей"),
    CommunityKind.INTERSCHOOL: _l("Межшкольное объединение руководителей (ШНОР)"),
    CommunityKind.TOCHKA_ROSTA: _l("Сообщество центров «Точка роста»"),
    CommunityKind.MUNICIPAL: _l("Муниципальное педагогическое сообщество"),
    CommunityKind.OTHER: _l("Другое профессиональное сообщество"),
}
LEVEL_LABELS = {
    CommunityLevel.REGIONAL: _l("Региональный"),
    CommunityLevel.MUNICIPAL: _l("Муниципальный"),
    CommunityLevel.SCHOOL: _l("Школьный"),
}
JOIN_POLICY_LABELS = {
    JoinPolicy.OPEN: _l("Открытое: участник принимается сразу"),
    JoinPolicy.MODERATED: _l("По заявке: координатор принимает участников"),
}
ROLE_LABELS = {
    Role.MEMBER: _l("Участник"),
    Role.COORDINATOR: _l("Координатор"),
    Role.CHAIR: _l("Председатель"),
    Role.COUNCIL: _l("Член Совета"),
    Role.EXPERT: _l("Эксперт"),
}
STATUS_LABELS = {
    RequestStatus.PENDING: _l("На рассмотрении"),
    RequestStatus.ADMITTED: _l("Принята"),
    RequestStatus.DECLINED: _l("Отклонена"),
    RequestStatus.CANCELLED: _l("Отозвана"),
}

MONTH_LABELS = {
    1: _l("января"), 2: _l("февраля"), 3: _l("марта"), 4: _l("апреля"), 5: _l("мая"),
    6: _l("июня"), 7: _l("июля"), 8: _l("августа"), 9: _l("сентября"), 10: _l("октября"),
    11: _l("ноября"), 12: _l("декабря"),
}


def role_titles(roles) -> list[str]:
    """Display titles of a membership's roles, the most senior first, «Участник» last."""
    order = [Role.CHAIR, Role.COORDINATOR, Role.COUNCIL, Role.EXPERT]
    titles = [str(ROLE_LABELS[r]) for r in order if r.value in roles]
    return titles or [str(ROLE_LABELS[Role.MEMBER])]
