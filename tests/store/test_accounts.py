from __future__ import annotations

import pytest

from server.store import Store, accounts


async def test_sign_up_then_check_password(store: Store) -> None:
    person = await store.write(
        accounts.create_person,
        email=" Ada@Example.org ",
        password="a long password",
        display_name="Ada",
    )
    assert person.email == "ada@example.org"
    assert person.password_hash.startswith("$argon2id$")
    found = await store.read(accounts.check_password, "ADA@example.org", "a long password")
    assert found is not None and found.id == person.id
    assert await store.read(accounts.check_password, "ada@example.org", "wrong one!") is None
    assert await store.read(accounts.check_password, "nobody@example.org", "x") is None


async def test_email_is_unique(store: Store) -> None:
    await store.write(
        accounts.create_person, email="bo@example.org", password="p" * 10, display_name="Bo"
    )
    with pytest.raises(accounts.EmailTaken):
        await store.write(
            accounts.create_person, email="BO@example.org", password="p" * 10, display_name="B"
        )


async def test_sessions_start_and_end(store: Store) -> None:
    person = await store.write(
        accounts.create_person, email="cy@example.org", password="p" * 10, display_name="Cy"
    )
    token = await store.write(accounts.start_session, person.id)
    found = await store.read(accounts.person_for_token, token)
    assert found is not None and found.id == person.id
    await store.write(accounts.end_session, token)
    assert await store.read(accounts.person_for_token, token) is None


async def test_profile_interests_replace(store: Store) -> None:
    person = await store.write(
        accounts.create_person, email="di@example.org", password="p" * 10, display_name="Di"
    )
    await store.write(
        accounts.update_profile,
        person.id,
        display_name="Di Z",
        bio="learning Rust",
        timezone="Europe/Paris",
        interests=[
            accounts.InterestInput("rust", "beginner"),
            accounts.InterestInput("python", "experienced", True),
        ],
    )
    interests = await store.read(accounts.interests_of, person.id)
    assert [(i.tag, i.level, i.open_to_mentoring) for i in interests] == [
        ("python", "experienced", True),
        ("rust", "beginner", False),
    ]
