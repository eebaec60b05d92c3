"""`studyhall serve | migrate | create-admin | demo`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from server.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as err:
        print(f"studyhall: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def migrate(_: argparse.Namespace) -> None:
    from server.store.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    print("studyhall: the database is up to date")


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    os.environ["HOST"], os.environ["PORT"] = args.host, str(args.port)
    settings = _settings()
    if not args.no_migrate:
        from server.store.migrate import upgrade

        upgrade(settings.database_url)
    from server.app import create_app

    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        ws="websockets",
        ws_max_size=settings.limits.ws_max_frame,
        ws_per_message_deflate=False,
        proxy_headers=True,
        log_level="info",
    )


def create_admin(args: argparse.Namespace) -> None:
    from server.store import Store, accounts

    settings = _settings()
    password = os.environ.get("STUDYHALL_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 10:
        raise SystemExit("studyhall: the password needs at least 10 characters")

    async def run() -> None:
        store = Store(settings.database_url)
        try:
            await store.write(
                accounts.create_person,
                email=args.email,
                password=password,
                display_name=args.name,
                is_admin=True,
            )
        except accounts.EmailTaken:
            raise SystemExit(f"studyhall: {args.email} has an account already") from None
        finally:
            await store.close()

    asyncio.run(run())
    print(f"studyhall: admin {args.email} created")


def demo(_: argparse.Namespace) -> None:
    from server.demo import seed

    settings = _settings()
    from server.store.migrate import upgrade

    upgrade(settings.database_url)
    print(asyncio.run(seed(settings)))


def media_node(_: argparse.Namespace) -> None:
    import logging

    from server.live.media_node import run

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(run(_settings()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="studyhall", description="Live learning events.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="migrate, then serve on HOST:PORT")
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    p.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
    p.set_defaults(run=serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=migrate)
    p = sub.add_parser("create-admin", help="create an administrator account")
    p.add_argument("email")
    p.add_argument("--name", default="Admin")
    p.set_defaults(run=create_admin)
    sub.add_parser("demo", help="seed a sample community with events").set_defaults(run=demo)
    p = sub.add_parser("media-node", help="run the stage's media for the web workers (Redis)")
    p.set_defaults(run=media_node)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
