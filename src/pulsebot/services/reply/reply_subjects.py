"""What an anonymous reply is about: a comment quoted in a digest, or an idea, as both sides see it.

A digest's reply button carries `comment_ref`, an HMAC of the answer key, rather than the respondent
token: that token is the same for all of a person's comments in a run, so it must never leave the
server, or two comments could be tied to one author.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from pulsebot.services.errors import NotFound
from pulsebot.services.privacy.anonymity import token
from pulsebot.services.pulse.answer_keys import unlinked_on
from pulsebot.store.models import Answer, Conversation, ConversationSubject, Idea, PulseRun, Survey

_REF_PURPOSE = "comment-reply"
GONE = "That comment is no longer there (it may have been taken back), so there is no one to reply to."


@dataclass(frozen=True)
class Subject:
    """What a conversation is about, as both sides see it quoted."""

    kind: ConversationSubject
    text: str | None  # the comment or the idea; None once a comment has been taken back
    where: str  # the survey's title, or "#12" for an idea
    run_id: int | None = None
    question_id: int | None = None
    respondent: str | None = None
    idea_id: int | None = None
    named_author: bool = False  # an idea posted under its author's name: the manager knows who it is

    @property
    def what(self) -> str:
        return "comment" if self.kind is ConversationSubject.comment else "idea"


def comment_ref(key: bytes, *, run_id: int, question_id: int, respondent: str) -> str:
    """The reference a digest's reply button carries for one comment: unlinkable to its author's others."""
    digest = token(key, _REF_PURPOSE, respondent, f"{run_id}/{question_id}")[:32]
    return f"{run_id}.{question_id}.{digest}"


def comment_subject(session: Session, *, key: bytes, ref: str) -> Subject:
    run_part, _, rest = ref.partition(".")
    question_part, _, _ = rest.partition(".")
    if not (
        run_part.isdigit() and question_part.isdigit() and len(run_part) < 10 and len(question_part) < 10
    ):
        raise NotFound(GONE)
    run_id, question_id = int(run_part), int(question_part)
    if (ended := unlinked_on(session, run_id=run_id)) is not None:
        raise NotFound(
            f"Anonymous replies to this comment ended on {ended:%-d %B %Y}: pulsebot has since destroyed "
            "what tied the pulse's answers to anyone, so no one, pulsebot included, can tell who wrote it."
        )
    answers = session.exec(
        select(Answer.respondent, Answer.comment).where(
            Answer.run_id == run_id, Answer.question_id == question_id, Answer.comment.is_not(None)
        )
    ).all()
    for respondent, comment in answers:
        if comment_ref(key, run_id=run_id, question_id=question_id, respondent=respondent) == ref:
            return Subject(
                kind=ConversationSubject.comment,
                text=comment,
                where=_survey_title(session, run_id),
                run_id=run_id,
                question_id=question_id,
                respondent=respondent,
            )
    raise NotFound(GONE)


def idea_id_of(value: object) -> int:
    """The idea a reply button or form names, from the text it carries."""
    text = str(value)
    if not text.isdigit() or len(text) > 9:
        raise NotFound("That idea is not one pulsebot knows.")
    return int(text)


def idea_subject(session: Session, *, idea_id: int) -> Subject:
    idea = session.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea #{idea_id}.")
    return Subject(
        kind=ConversationSubject.idea,
        text=idea.text,
        where=f"#{idea.id}",
        idea_id=idea.id,
        named_author=idea.author_id is not None,
    )


def subject_of(session: Session, conversation: Conversation) -> Subject:
    if conversation.subject is ConversationSubject.idea:
        return idea_subject(session, idea_id=conversation.idea_id)
    answer = session.get(Answer, (conversation.run_id, conversation.question_id, conversation.respondent))
    return Subject(
        kind=ConversationSubject.comment,
        text=answer.comment if answer is not None else None,
        where=_survey_title(session, conversation.run_id),
        run_id=conversation.run_id,
        question_id=conversation.question_id,
        respondent=conversation.respondent,
    )


def _survey_title(session: Session, run_id: int) -> str:
    query = select(Survey.title).join(PulseRun, PulseRun.survey_id == Survey.id).where(PulseRun.id == run_id)
    return session.exec(query).first() or "a pulse"
