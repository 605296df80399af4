"""Scoring: the answers of one conversation → points, a tier and the reasons.

:func:`score` is pure: it reads the conversation's answers
(:class:`bot.qualification.answers.Answers`) and the policy, nothing else. Every point comes with a reason
an AE can read, and the reasons' points always add up to the total.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Pattern, Sequence, Tuple

from answers.normalise import Seniority
from bot.qualification.answers import Answers
from bot.scoring.policy import Condition, KeywordGroup, Resource, ScoringPolicy, Tier

SENIORITY_LABELS = {
    Seniority.C_LEVEL: "C-level",
    Seniority.VP: "VP",
    Seniority.HEAD: "Head",
    Seniority.DIRECTOR: "Director",
    Seniority.FOUNDER: "Founder",
    Seniority.MANAGER: "Manager",
    Seniority.INDIVIDUAL_CONTRIBUTOR: "individual contributor",
    Seniority.STUDENT: "student",
    Seniority.OTHER: "not recognised",
}


@dataclass(frozen=True)
class Reason:
    """One line of the explanation: what was seen and what it was worth."""

    code: str
    text: str
    points: int

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Score:
    points: int
    tier: Tier
    reasons: Tuple[Reason, ...]
    knockout: str | None = None
    policy_version: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return {
            "points": self.points,
            "tier": self.tier.value,
            "knockout": self.knockout,
            "policy_version": self.policy_version,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


def _signed(points: int) -> str:
    return f"+{points}" if points >= 0 else f"\u2212{-points}"


# --- reading answers --------------------------------------------------------


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"\u201c{text[: limit - 1]}\u2026\u201d" if len(text) > limit else f"\u201c{text}\u201d"


@lru_cache(maxsize=512)
def _word_pattern(words: Tuple[str, ...]) -> Pattern[str]:
    alternatives = sorted({r"\s+".join(re.escape(part) for part in word.lower().split()) for word in words}, key=len)
    return re.compile(r"(?<!\w)(" + "|".join(reversed(alternatives)) + r")(?!\w)")


def mentions(text: str, words: Sequence[str]) -> str | None:
    """The first of ``words`` that ``text`` contains as whole words, any case."""
    if not text or not words:
        return None
    match = _word_pattern(tuple(words)).search(text.lower().replace("\u2019", "'"))
    return " ".join(match.group(1).split()) if match else None


_COMPANY_SUFFIX = re.compile(
    r"\b(inc|incorporated|llc|ltd|limited|gmbh|ag|sa|sas|bv|plc|corp|corporation|co|company|pty|srl|oy|ab)\b"
)


def company_key(name: str) -> str:
    """A company name compared without case, punctuation or legal suffix."""
    low = re.sub(r"[^\w\s]", " ", name.lower())
    return " ".join(_COMPANY_SUFFIX.sub(" ", low).split())


def _domain_matches(address: str, domains: Iterable[str]) -> str | None:
    domain = address.rsplit("@", 1)[-1].lower().strip(". ")
    for candidate in domains:
        candidate = candidate.lower().strip(". ")
        if domain == candidate or domain.endswith("." + candidate):
            return candidate
    return None


# --- knock-outs -------------------------------------------------------------


def _condition_matches(condition: Condition, answers: Answers, policy: ScoringPolicy) -> str | None:
    """What in the answers meets ``condition``, as a short phrase, or None."""
    if condition.seniority_in is not None:
        role = answers[policy.seniority.question]
        if role.seniority is not None and role.seniority in condition.seniority_in:
            return f"role {_quote(role.text)}"
    if condition.words_in is not None:
        for question in condition.words_in.questions:
            word = mentions(answers[question].text, condition.words_in.words)
            if word:
                return f"{question} mentions \u201c{word}\u201d"
    if condition.email_domain_in is not None:
        address = answers[condition.email_domain_in.question].text
        domain = _domain_matches(address, condition.email_domain_in.domains) if "@" in address else None
        if domain:
            return f"email domain {domain}"
    if condition.company_in is not None:
        key = company_key(answers[condition.company_in.question].text)
        for name in condition.company_in.names:
            if key and key == company_key(name):
                return f"company {name}"
    return None


def _knockout(answers: Answers, policy: ScoringPolicy, said: str | None = None) -> Tuple[Reason, Tier] | None:
    for knockout in policy.knockouts:
        for condition in knockout.when:
            seen = _condition_matches(condition, answers, policy)
            if seen:
                return Reason(f"knockout:{knockout.id}", f"Knock-out: {knockout.reason} ({seen})", 0), knockout.tier
    for knockout in policy.knockouts:
        if knockout.id == said:
            return Reason(
                f"knockout:{knockout.id}", f"Knock-out: {knockout.reason} (said so in the chat)", 0
            ), knockout.tier
    return None


def knockout_of(answers: Answers, policy: ScoringPolicy) -> str | None:
    """The id of the knock-out the answers so far meet, if any (the form closes at once)."""
    found = _knockout(answers, policy)
    return found[0].code.split(":", 1)[1] if found else None


# --- points -----------------------------------------------------------------


def _size_reason(answers: Answers, policy: ScoringPolicy) -> Reason:
    estimate = answers[policy.company_size.question].company_size
    if estimate is None:
        return Reason("company_size", "Company size unknown, +0", 0)
    band = next(b for b in reversed(policy.company_size.bands) if estimate >= b.min)
    span = f"{band.min:,}+" if band.max is None else f"{band.min:,}\u2013{band.max:,}"
    label = answers[policy.company_size.question].label or f"{estimate:,}"
    return Reason("company_size", f"Company size {label} \u2192 band {span}, {_signed(band.points)}", band.points)


def _seniority_reason(answers: Answers, policy: ScoringPolicy) -> Reason:
    role = answers[policy.seniority.question]
    level = role.seniority
    if level is None:
        return Reason("seniority", "Role unknown, +0", 0)
    points = policy.seniority.points[level]
    title = role.role_title or level.value
    return Reason("seniority", f"{title} \u2192 seniority {SENIORITY_LABELS[level]}, {_signed(points)}", points)


def _timeline_reason(answers: Answers, policy: ScoringPolicy) -> Reason:
    timeline = answers[policy.timeline.question]
    months = timeline.timeline_months
    said = _quote(timeline.text) if timeline.understood is not None else "unknown"
    if months is not None:
        for band in policy.timeline.bands:
            if months <= band.within_months:
                return Reason(
                    "timeline",
                    f"Timeline {said} \u2192 within {band.within_months} months, {_signed(band.points)}",
                    band.points,
                )
    points = policy.timeline.otherwise
    return Reason("timeline", f"Timeline {said} \u2192 later or not set, {_signed(points)}", points)


def _budget_reason(answers: Answers, policy: ScoringPolicy) -> Reason:
    status = answers[policy.budget.question].budget
    for known, points in policy.budget.points.items():
        if known.value == status:
            return Reason("budget", f"Budget {known.value}, {_signed(points)}", points)
    return Reason("budget", "Budget unknown, +0", 0)


def _keyword_reasons(code: str, subject: str, text: str, groups: List[KeywordGroup]) -> List[Reason]:
    reasons = []
    for group in groups:
        word = mentions(text, group.words)
        if word:
            reasons.append(
                Reason(
                    code,
                    f"{subject} mentions \u201c{word}\u201d ({group.label}), {_signed(group.points)}",
                    group.points,
                )
            )
    return reasons


def _use_case_reasons(answers: Answers, policy: ScoringPolicy) -> List[Reason]:
    text = answers[policy.use_case.question].text
    return _keyword_reasons("use_case", "Use case", text, policy.use_case.keywords)


def _answer_keyword_reasons(answers: Answers, policy: ScoringPolicy) -> List[Reason]:
    reasons = []
    for rule in policy.answer_keywords:
        subject = rule.question.replace("_", " ").capitalize()
        reasons += _keyword_reasons(f"keywords:{rule.question}", subject, answers[rule.question].text, rule.keywords)
    return reasons


def _free_mail_reasons(answers: Answers, policy: ScoringPolicy) -> List[Reason]:
    if answers[policy.free_mail.question].email_kind not in ("free", "disposable"):
        return []
    return [Reason("free_mail", f"Free-mail address, {_signed(policy.free_mail.points)}", policy.free_mail.points)]


# --- the tier ---------------------------------------------------------------


def score(answers: Answers, policy: ScoringPolicy, knockout: str | None = None) -> Score:
    """Scores one conversation's answers. ``knockout``: a
    knock-out the visitor stated in a message of their own (its id), if the answers show none."""
    reasons = [
        _size_reason(answers, policy),
        _seniority_reason(answers, policy),
        _timeline_reason(answers, policy),
        _budget_reason(answers, policy),
        *_use_case_reasons(answers, policy),
        *_answer_keyword_reasons(answers, policy),
        *_free_mail_reasons(answers, policy),
    ]
    points = sum(reason.points for reason in reasons)
    knocked_out = _knockout(answers, policy, knockout)
    if knocked_out is not None:
        reason, tier = knocked_out
        return Score(points, tier, (reason, *reasons), reason.code.split(":", 1)[1], policy.policy_version)
    cql, nurture = policy.tiers.cql, policy.tiers.nurture
    size = answers[policy.company_size.question].company_size
    if points >= cql.min_points:
        if size is not None and size >= cql.min_company_size:
            tier = Tier.CQL
            verdict = f"{points} points \u2265 {cql.min_points} and company size \u2265 {cql.min_company_size}: CQL"
        else:
            tier = Tier.NURTURE
            verdict = (
                f"{points} points \u2265 {cql.min_points}, but company size is "
                f"{'unknown' if size is None else f'below {cql.min_company_size}'}: nurture"
            )
    elif points >= nurture.min_points:
        tier, verdict = Tier.NURTURE, f"{points} points, between {nurture.min_points} and {cql.min_points - 1}: nurture"
    else:
        tier, verdict = Tier.DISQUALIFIED, f"{points} points, below {nurture.min_points}: disqualified"
    return Score(points, tier, (*reasons, Reason("tier", verdict, 0)), None, policy.policy_version)


def nurture_resource(answers: Answers, policy: ScoringPolicy) -> Resource:
    """The resource offered to a nurture lead: the first whose words the
    visitor's use case mentions, else the default."""
    text = answers[policy.use_case.question].text
    for item in policy.nurture_resources.items:
        if mentions(text, item.words):
            return item
    return next(item for item in policy.nurture_resources.items if item.id == policy.nurture_resources.default)
