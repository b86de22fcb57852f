"""Russian names of an election's states."""

from __future__ import annotations

from app.governance.elections.models import ElectionState

STATE_LABELS = {
    ElectionState.DRAFT: "Черновик",
    ElectionState.SCHEDULED: "Голосование ещё не началось",
    ElectionState.OPEN: "Идёт голосование",
    ElectionState.CLOSED: "Голосование завершено, итоги не подведены",
    ElectionState.FINALIZED: "Итоги подведены",
}
