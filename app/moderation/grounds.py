"""Grounds for removing content: the platform's list from seed 000 §5.2, plus spam and
«другое». Communities may add their own (the moderation issue)."""

from __future__ import annotations

GROUNDS: dict[str, str] = {
    "political": "политическая пропаганда",
    "religious": "религиозная пропаганда",
    "violence": "пропаганда насилия",
    "racism": "расизм и откровенный национализм",
    "hatred": "разжигание межнациональной и межрелигиозной розни",
    "insult": "оскорбление участников по признаку расы или вероисповедания",
    "obstruction": "действия, препятствующие работе сообщества",
    "spam": "спам",
    "other": "другое",
}


def ground_label(key: str) -> str:
    return GROUNDS.get(key, key or GROUNDS["other"])
