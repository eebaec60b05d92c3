"""docs/protocol.md stays true: its examples are JSON the server accepts, and every op is
documented, by an example or by a heading that names it beside its sibling's example."""

from __future__ import annotations

import json
import re
from pathlib import Path

from server.rooms.commands import MODELS
from server.rooms.roles import ALLOWED

PROTOCOL = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"


def _examples() -> list[dict[str, object]]:
    blocks = re.findall(r"```json\n(.*?)```", PROTOCOL.read_text(), flags=re.DOTALL)
    return [json.loads(block) for block in blocks]


def test_every_example_is_a_json_object() -> None:
    examples = _examples()
    assert examples and all(isinstance(e, dict) for e in examples)


def test_every_op_has_an_example_the_server_accepts() -> None:
    shown: dict[str, dict[str, object]] = {}
    for example in _examples():
        if isinstance(example.get("op"), str):
            shown.setdefault(str(example["op"]), example)
    headings = re.findall(r"^#{2,4} .*$", PROTOCOL.read_text(), flags=re.MULTILINE)
    named = {op for line in headings for op in re.findall(r"`([a-z_.]+)`", line)}
    missing = sorted(op for op in ALLOWED if op not in shown and op not in named)
    assert missing == [], f"ops documented nowhere in docs/protocol.md: {missing}"
    for op, example in shown.items():
        MODELS[op].model_validate(example)
