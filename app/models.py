"""Imports every model module, so the metadata is complete for Alembic and `flask shell`."""

from app.auth.models import User  # noqa: F401
from app.chat.models import ChatMessage  # noqa: F401
from app.communities.models import (  # noqa: F401
    Community,
    Consent,
    ConsentDocument,
    JoinRequest,
    Membership,
)
from app.events.models import (  # noqa: F401
    CalendarFeed,
    Certificate,
    ContestCriterion,
    ContestEntry,
    ContestEntryFile,
    ContestJuror,
    ContestScore,
    Event,
    EventOrganiser,
    Registration,
)
from app.forum.models import (  # noqa: F401
    Post,
    PostAttachment,
    PostRevision,
    Section,
    Topic,
    TopicRead,
    TopicWatch,
)
from app.governance import models as governance  # noqa: F401,E402
from app.materials.models import (  # noqa: F401
    ExpertReview,
    Material,
    MaterialAuthor,
    MaterialFile,
    MaterialFileVersion,
    MaterialTopic,
    ReviewCriterion,
    ReviewScore,
)
from app.moderation.models import (  # noqa: F401
    CommunityGround,
    ModerationCase,
    ModerationLog,
    Report,
    WatchedWordEntry,
)
from app.notifications.models import (  # noqa: F401
    MailDigest,
    Notification,
    NotificationPreference,
    OutgoingMail,
    ReminderSent,
)
from app.privacy.models import DataRequest  # noqa: F401
from app.search import SearchDocument  # noqa: F401
from app.uploads import StoredFile  # noqa: F401
