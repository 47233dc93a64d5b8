"""Telegram handlers, one module per feature, each with `register(application)`."""

from __future__ import annotations

from telegram.ext import Application

from handlers import account, admin, buttons, errors, generation


def register_all(application: Application) -> None:
    generation.register(application)
    buttons.register(application)
    account.register(application)
    admin.register(application)
    application.add_error_handler(errors.on_error)
