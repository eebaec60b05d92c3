"""The room's forms on the event page: the stage answers questions in writing (during the
session or after it) and prepares draft polls (before it, or any time).

Both go through the same store changes and pure rules as the room's socket, and publish
their events to the open rooms. A refused form comes back filled in, its error beside it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.http.context import require_person, studyhall
from server.http.errors import UserError, forbidden, not_found
from server.http.forms import Input, parse_or_errors, read_input, unix_newlines
from server.rooms import polls as poll_rules
from server.rooms import qa
from server.rooms.commands import CommandError
from server.store import polls, questions, rooms
from server.store.rooms import Logged, Speaker

from . import access, room_record
from .pages import render_event

# A refusal the person cannot fix on the form is an error page; the others go beside a field.
_PAGE_ERRORS = {"forbidden": 403, "not_found": 404}
_FORM_STATUS = {"conflict": 409, "limit_reached": 409}


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _written(text: str) -> str:
    if not text:
        raise ValueError("write the answer first")
    if len(text) > qa.MAX_ANSWER:
        raise ValueError(f"at most {qa.MAX_ANSWER:,} characters (this one has {len(text):,})")
    return text


class AnswerIn(Input):
    text: Annotated[str, BeforeValidator(unix_newlines), AfterValidator(_written)]


class PollDraftIn(Input):
    """The draft form: the rules of `rooms/polls.py` check kinds, lengths and options; this
    only turns the form's shape (options one per line, the correct one by its number) into
    theirs."""

    kind: Annotated[str, StringConstraints(max_length=20)]
    question: Annotated[str, StringConstraints(max_length=poll_rules.MAX_QUESTION * 4)]
    options: Annotated[str, StringConstraints(max_length=5000), BeforeValidator(unix_newlines)] = ""
    correct: Annotated[
        Annotated[int, Field(ge=1, le=poll_rules.MAX_OPTIONS)] | None,
        BeforeValidator(_blank_is_none),
    ] = None
    anonymous: bool = False
    changeable: bool = False

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.split("\n") if line.strip()]


def _refused(err: CommandError) -> tuple[int, str]:
    """The status and message of a refusal shown on the form; page errors are raised."""
    if err.code in _PAGE_ERRORS:
        raise UserError(err.message, status=_PAGE_ERRORS[err.code])
    return _FORM_STATUS.get(err.code, 422), err.message[:1].upper() + err.message[1:]


async def _stage(request: Request, event_id: int, doing: str) -> room_record.Viewer:
    require_person(request)
    who = await room_record.viewer(request, event_id)
    if not who.stage:
        raise forbidden(f"Only the event's hosts, co-hosts and speakers {doing}.")
    return who


async def answer_page(request: Request) -> Response:
    details = await access.details(request)
    event_id = details.event.id
    question_id: int = request.path_params["question_id"]
    if not 0 < question_id <= qa.MAX_QUESTIONS:
        raise not_found("That question")
    who = await _stage(request, event_id, "answer questions")
    values = await read_input(request)
    data, errors = parse_or_errors(AnswerIn, values)
    status = 422
    if data is not None:
        text = data.text

        def rule(board: qa.QaBoard) -> qa.Change:
            return qa.mark_answered(board, who.member, who.role, question_id, text)

        try:
            _, logged = await studyhall(request).store.write(
                questions.change, event_id, who.speaker(), [question_id], rule
            )
        except CommandError as err:
            status, message = _refused(err)
            errors = {"text": message}
        else:
            await room_record.publish(request, logged)
            return RedirectResponse(
                f"/events/{event_id}?done=answered#q-{question_id}", status_code=303
            )
    error = errors.get("text") or next(iter(errors.values()), None)
    form = {"id": question_id, "text": str(values.get("text", "")), "error": error}
    return await render_event(request, details, status, answer_form=form)


async def _draft(
    session: AsyncSession, room_id: int, who: Speaker, make: polls.Create
) -> tuple[poll_rules.Poll, list[Logged]]:
    # Drafts are made before the session, often before anyone has opened the room.
    await rooms.ensure_room(session, room_id)
    return await polls.create(session, room_id, who, make)


def _correct_index(draft: PollDraftIn, options: list[str]) -> int | None:
    """The form counts options from 1, the rules from 0; only a quiz has a correct one."""
    if draft.kind != "quiz" or draft.correct is None:
        return None
    if draft.correct > len(options):
        raise CommandError(
            "invalid",
            f"correct: the number of one of the options, 1 to {len(options)}",
            field="correct",
        )
    return draft.correct - 1


def _maker(who: room_record.Viewer, draft: PollDraftIn) -> polls.Create:
    """The rule that makes this draft, once the store gives it its number."""
    options = draft.option_list()
    correct = _correct_index(draft, options)

    def make(poll_id: int) -> poll_rules.Change:
        return poll_rules.create(
            poll_id, who.member, who.role, draft.kind, draft.question, options,
            correct=correct, anonymous=draft.anonymous, changeable=draft.changeable,
        )  # fmt: skip

    return make


async def poll_draft_page(request: Request) -> Response:
    details = await access.details(request)
    event_id = details.event.id
    who = await _stage(request, event_id, "prepare polls")
    values = await read_input(request)
    data, errors = parse_or_errors(PollDraftIn, values)
    status = 422
    if data is not None:
        try:
            poll, logged = await studyhall(request).store.write(
                _draft, event_id, who.speaker(), _maker(who, data)
            )
        except CommandError as err:
            status, message = _refused(err)
            errors = {err.field or "body": message}
        else:
            await room_record.publish(request, logged)
            return RedirectResponse(
                f"/events/{event_id}?done=poll_saved#poll-{poll.id}", status_code=303
            )
    return await render_event(request, details, status, poll_values=values, poll_errors=errors)


routes = [
    Route(
        "/events/{event_id:int}/questions/{question_id:int}/answer",
        answer_page,
        methods=["POST"],
    ),
    Route("/events/{event_id:int}/polls", poll_draft_page, methods=["POST"]),
]
