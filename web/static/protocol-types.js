// The live room protocol's frames, as JSDoc types (docs/protocol.md is the contract).
//
// Types only: the client (protocol.js) and the room page's modules refer to them as
// `import("./protocol-types.js").Name`. Features with ops of their own keep theirs beside
// their code (moderation-ops.js, breakout-ops.js, stage-ops.js).

/** @typedef {"host" | "co-host" | "speaker" | "moderator" | "attendee"} Role */

/**
 * A person in the room, as the server stamps them.
 * @typedef {object} Person
 * @property {string} id Member id: stable within the room, neither an account id nor an email.
 * @property {string} name
 * @property {Role} role
 */

/**
 * @typedef {object} ChatMessage
 * @property {number} id
 * @property {Person} author
 * @property {string} body
 * @property {number | null} reply_to
 * @property {boolean} to_hosts
 * @property {string} at ISO 8601 UTC.
 * @property {string | null} edited_at
 * @property {number} [seq]
 */

/**
 * @typedef {object} RoomState
 * @property {number} [slow_mode] Seconds between messages for attendees and speakers; 0 is off.
 * @property {boolean} [locked] No one new joins.
 * @property {boolean} [waiting_room] Newcomers wait until the staff admits them.
 * @property {string} [title]
 * @property {string} [starts_at]
 * @property {string} [ends_at]
 */

/** @typedef {"clap" | "heart" | "laugh" | "wow" | "thumbs_up" | "question"} Reaction */

/** @typedef {"pending" | "open" | "answering" | "answered" | "dismissed"} QuestionState */

/**
 * A question as the server sends it in events. `author` and `author_name` are null for an
 * anonymous question, except to its author and (mostly) to hosts, co-hosts and moderators.
 * @typedef {object} Question
 * @property {number} id Numbered from 1 in its room.
 * @property {string} body
 * @property {string | null} author Member id.
 * @property {string | null} [author_name]
 * @property {boolean} anonymous
 * @property {QuestionState} state
 * @property {"dismissed" | "hidden" | "withdrawn" | "merged" | null} reason When dismissed.
 * @property {number} votes
 * @property {string | null} answer A typed answer from the stage.
 * @property {number | null} merged_into
 * @property {boolean} edited
 */

/** @typedef {Question & {mine: boolean, voted: boolean}} QuestionView In the snapshot. */

/**
 * @typedef {object} QaSnapshot
 * @property {boolean} premoderation Screening: attendees' and speakers' questions start pending.
 * @property {boolean} hide_authors_from_staff
 * @property {number | null} answering The id of the question the stage is answering.
 * @property {QuestionView[]} questions Those the person may see, in queue order.
 */

/** @typedef {"single" | "multiple" | "rating" | "word_cloud" | "quiz"} PollKind */
/** @typedef {number | number[] | string} PollAnswer An option, options, a rating or a word. */

/**
 * @typedef {object} PollResults
 * @property {number} voters
 * @property {number[]} counts Per option, or per rating 1-5; distinct people.
 * @property {number | null} average Ratings only.
 * @property {{word: string, count: number}[]} words Word clouds, most frequent first.
 */

/**
 * A poll as one person sees it.
 * @typedef {object} Poll
 * @property {number} id
 * @property {PollKind} kind
 * @property {string} question
 * @property {string[]} options None for rating and word_cloud.
 * @property {"draft" | "live" | "closed"} state
 * @property {boolean} revealed
 * @property {boolean} anonymous
 * @property {boolean} changeable
 * @property {number | null} correct A quiz's option: for the stage, else once closed and revealed.
 * @property {PollResults | null} results Null while this person may not see them.
 * @property {PollAnswer | null} mine
 * @property {Record<string, PollAnswer> | null} answers Who answered what: stage, named polls.
 */

// ---- Frames from the server ------------------------------------------------------------

/**
 * @typedef {object} AckFrame
 * @property {"ack"} type
 * @property {string | number} ref
 * @property {number} [room] On the answer to `join`.
 * @property {number} [seq] The room's seq (join) or the seq of the event the command produced.
 * @property {number} [id] The id of a created message, question or poll.
 * @property {PollAnswer} [mine] `poll.answer`: the answer as the server kept it.
 * @property {ChatMessage[]} [messages] `chat.history`: oldest first; `mod.deleted`: newest
 *   first, each with `deleted_at`.
 * @property {boolean} [more] `chat.history`: whether even older messages exist.
 * @property {boolean} [waiting] On the answer to `join`: held in the waiting room.
 * @property {import("./moderation-ops.js").Report[]} [reports] `mod.reports`: oldest first.
 * @property {string[]} [blocked] `block`, `unblock`: the member ids you block here.
 * @property {number} [round] `breakout.plan`: the round's id.
 * @property {import("./breakout-ops.js").StudyGroup} [study_group] `breakout.keep`.
 * @property {number} [version] `group.notes`: the notes' version now.
 * @property {boolean} [merged] `group.notes`: someone else's edit was merged in.
 * @property {string} [text] `group.notes`: the notes as they now stand.
 * @property {number} [group] `group.history`.
 * @property {import("./breakout-ops.js").GroupMessage[]} [chat] `group.history`: oldest first.
 * @property {import("./breakout-ops.js").GroupNotes} [notes] `group.history`.
 */

/**
 * Server codes, then the client's own: "disconnected" (the socket dropped before an answer
 * and the command is not safe to repeat, or it is ephemeral), "closed" (close() was
 * called, or the room refused us for good), "queue_full" (too many commands waiting).
 * @typedef {"invalid" | "forbidden" | "not_found" | "rate_limited" | "slow_mode" |
 *   "not_in_room" | "edit_window_passed" | "unavailable" | "conflict" | "poll_closed" |
 *   "limit_reached" | "muted" | "banned" | "guidelines" | "room_locked" | "disconnected" |
 *   "closed" | "queue_full"} ErrorCode
 */

/**
 * @typedef {object} ErrorFrame
 * @property {"error"} type
 * @property {string | number | null} ref
 * @property {ErrorCode} code
 * @property {string} message
 * @property {string | null} [field]
 * @property {number | null} [retry_after] Seconds, for `rate_limited`, `slow_mode` and `muted`.
 * @property {import("./breakout-ops.js").GroupNotes} [current] `group.notes` refused: the notes now.
 */

/**
 * @typedef {object} Snapshot
 * @property {"snapshot"} type
 * @property {number} room
 * @property {number} seq
 * @property {boolean} stale True when it replaces state the client had (resume too old).
 * @property {Person & {muted_until?: string | null}} you
 * @property {Person[]} people
 * @property {ChatMessage[]} chat Oldest first.
 * @property {string[]} hands Member ids, in the order the hands went up.
 * @property {RoomState} state
 * @property {boolean} more_chat Whether older messages can be loaded with chat.history.
 * @property {QaSnapshot} [qa]
 * @property {Poll[]} [polls] Oldest first; drafts for the stage only.
 * @property {string[]} [blocked] Member ids of the people you block.
 * @property {import("./moderation-ops.js").Waiting[]} [waiting] Who waits at the door (staff).
 * @property {import("./breakout-ops.js").BreakoutRound | null} [breakout] The round planned or running.
 * @property {import("./breakout-ops.js").HelpRequest[]} [help] Calls for help one may see.
 * @property {import("./breakout-ops.js").GroupWork | null} [group] One's own running group's work.
 */

/**
 * Fields every room event has.
 * @typedef {object} EventBase
 * @property {number} room
 * @property {number} seq
 * @property {string} at
 */

/** @typedef {EventBase & {type: "chat.message", message: ChatMessage}} ChatMessageEvent */
/** @typedef {EventBase & {type: "chat.edited", id: number, body: string, edited_at: string}} ChatEditedEvent */
/** @typedef {EventBase & {type: "chat.deleted", id: number, by: string}} ChatDeletedEvent */
/** @typedef {EventBase & {type: "room.updated", state: RoomState}} RoomUpdatedEvent */
/** @typedef {EventBase & {type: "presence", joined: Person[], left: string[]}} PresenceEvent */
/** @typedef {EventBase & {type: "hand.raised", member: string, hands: string[]}} HandRaisedEvent */
/** @typedef {EventBase & {type: "hand.lowered", member: string, by: string, hands: string[]}} HandLoweredEvent */
/** @typedef {EventBase & {type: "hand.called", member: string, by: string, hands: string[]}} HandCalledEvent */

/**
 * Events that carry the whole question.
 * @typedef {EventBase & {type: "question.asked" | "question.edited" | "question.withdrawn" |
 *   "question.approved" | "question.hidden" | "question.restored" | "question.merged" |
 *   "question.answering" | "question.answered" | "question.reopened" | "question.dismissed",
 *   question: Question}} QuestionEvent
 */
/** @typedef {EventBase & {type: "question.author", id: number, author: string, author_name?: string | null}} QuestionAuthorEvent */
/** @typedef {EventBase & {type: "question.voted", id: number, votes: number}} QuestionVotedEvent */
/** @typedef {EventBase & {type: "question.removed", id: number}} QuestionRemovedEvent */
/** @typedef {EventBase & {type: "qa.configured", premoderation: boolean, hide_authors_from_staff: boolean}} QaConfiguredEvent */
/** @typedef {EventBase & {type: "poll.created" | "poll.launched", poll: Poll}} PollEvent */
/** @typedef {EventBase & {type: "poll.closed", id: number, correct: number | null}} PollClosedEvent */
/**
 * A draft revealed ahead reaches the stage without results or correct.
 * @typedef {EventBase & {type: "poll.revealed", id: number, results?: PollResults | null,
 *   correct?: number | null}} PollRevealedEvent
 */
/** @typedef {EventBase & {type: "poll.results", id: number, results: PollResults}} PollResultsEvent */

/**
 * @typedef {ChatMessageEvent | ChatEditedEvent | ChatDeletedEvent | RoomUpdatedEvent |
 *   PresenceEvent | HandRaisedEvent | HandLoweredEvent | HandCalledEvent | QuestionEvent |
 *   QuestionAuthorEvent | QuestionVotedEvent | QuestionRemovedEvent | QaConfiguredEvent |
 *   PollEvent | PollClosedEvent | PollRevealedEvent | PollResultsEvent |
 *   import("./moderation-ops.js").ModerationEvent | import("./breakout-ops.js").BreakoutEvent} RoomEvent
 */

/**
 * @typedef {object} EventsFrame
 * @property {"events"} type
 * @property {number} room
 * @property {RoomEvent[]} events In seq order.
 */

/**
 * @typedef {object} ReactionsFrame
 * @property {"reactions"} type
 * @property {number} room
 * @property {Partial<Record<Reaction, number>>} counts Since the previous frame (about 1 s).
 */

/**
 * @typedef {object} PongFrame
 * @property {"pong"} type
 * @property {string | number} ref
 */

/** @typedef {{type: "admitted", room: number}} AdmittedFrame The waiting room let you in. */

/**
 * What is on the stage now, sent whenever it changes (stage-ops.js has the fields).
 * @typedef {{type: "stage.state", room: number} & import("./stage-ops.js").StageState} StageFrame
 */

/**
 * @typedef {AckFrame | ErrorFrame | Snapshot | EventsFrame | ReactionsFrame | PongFrame |
 *   AdmittedFrame | GroupCallFrame | StageFrame} ServerFrame
 */

/**
 * A breakout group's call: a signal between two members (peer to peer), or the tracks of
 * the call through the server (larger groups).
 * @typedef {import("./room/group-call.js").GroupSignalFrame
 *   | import("./room/group-sfu-call.js").GroupMediaFrame} GroupCallFrame
 */

// ---- Frames from the client ------------------------------------------------------------

/** @typedef {{op: "join", ref: number, room: number, since?: number}} JoinCommand */
/** @typedef {{op: "leave", ref: number}} LeaveCommand */
/** @typedef {{op: "ping", ref: number}} PingCommand */
/**
 * @typedef {{op: "chat.send", ref: number, client_id: string, body: string,
 *   reply_to?: number, to_hosts?: boolean}} ChatSendCommand
 */
/** @typedef {{op: "chat.edit", ref: number, id: number, body: string}} ChatEditCommand */
/** @typedef {{op: "chat.delete", ref: number, id: number}} ChatDeleteCommand */
/** @typedef {{op: "chat.history", ref: number, before: number, limit?: number}} ChatHistoryCommand */
/** @typedef {{op: "hand.raise", ref: number}} HandRaiseCommand */
/** @typedef {{op: "hand.lower", ref: number, member?: string}} HandLowerCommand */
/** @typedef {{op: "hand.next", ref: number}} HandNextCommand */
/** @typedef {{op: "react", ref: number, reaction: Reaction}} ReactCommand */
/** @typedef {{op: "room.slow_mode", ref: number, seconds: number}} SlowModeCommand */
/** @typedef {{op: "qa.ask", ref: number, body: string, anonymous?: boolean}} QaAskCommand */
/** @typedef {{op: "qa.edit", ref: number, id: number, body: string}} QaEditCommand */
/**
 * The ops that name one question and nothing else.
 * @typedef {{op: "qa.withdraw" | "qa.vote" | "qa.unvote" | "qa.approve" | "qa.hide" |
 *   "qa.restore" | "qa.answering" | "qa.reopen" | "qa.dismiss", ref: number, id: number}} QaQuestionCommand
 */
/** @typedef {{op: "qa.merge", ref: number, id: number, into: number}} QaMergeCommand */
/** @typedef {{op: "qa.answered", ref: number, id: number, text?: string}} QaAnsweredCommand */
/**
 * @typedef {{op: "qa.configure", ref: number, premoderation: boolean,
 *   hide_authors_from_staff: boolean}} QaConfigureCommand
 */
/**
 * @typedef {{op: "poll.create", ref: number, kind: PollKind, question: string,
 *   options?: string[], correct?: number, anonymous?: boolean, changeable?: boolean}} PollCreateCommand
 */
/** @typedef {{op: "poll.launch" | "poll.close" | "poll.reveal", ref: number, id: number}} PollStepCommand */
/** @typedef {{op: "poll.answer", ref: number, id: number, answer: PollAnswer}} PollAnswerCommand */

/**
 * @typedef {JoinCommand | LeaveCommand | PingCommand | ChatSendCommand | ChatEditCommand |
 *   ChatDeleteCommand | ChatHistoryCommand | HandRaiseCommand | HandLowerCommand |
 *   HandNextCommand | ReactCommand | SlowModeCommand | QaAskCommand | QaEditCommand |
 *   QaQuestionCommand | QaMergeCommand | QaAnsweredCommand | QaConfigureCommand |
 *   PollCreateCommand | PollStepCommand | PollAnswerCommand |
 *   import("./moderation-ops.js").ModerationCommand |
 *   import("./breakout-ops.js").BreakoutCommand |
 *   import("./room/group-call.js").GroupCallCommand} Command
 */

/**
 * A command before RoomClient gives it a ref.
 * @typedef {{[K in Command["op"]]: Omit<Extract<Command, {op: K}>, "ref">}[Command["op"]]} CommandBody
 */

export {};
