"""What no command handler took (PRODUCT.md §4a): an unknown command gets a one-line hint
and /help; plain text in a private chat gets the command that would draw it.

Registered after every other message handler, so it only sees what they left. In groups it
stays quiet unless a command names this bot: other bots live there and their commands (and
people's chatter) are none of ours.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import Application, MessageHandler, filters

from bot.messages import t
from bot.services import Context, services_of
from bot.texts import shortened
from handlers.common import admit, reply

MAX_ECHO = 300  # characters of the user's own text repeated back in a hint
MAX_COMMAND_ECHO = 64  # Telegram commands are at most 32 characters, plus @bot


def addressee(command: str) -> str | None:
    """The bot `/cmd@name` names (lower case), or None for a bare `/cmd`."""
    _, at, name = command.partition("@")
    return name.lower() if at else None


def replies_to_bot(message: Message, bot_id: int) -> bool:
    """A reply to one of the bot's messages: a question the bot asked may be waiting for it."""
    target = message.reply_to_message
    return target is not None and target.from_user is not None and target.from_user.id == bot_id


async def on_unknown_command(update: Update, context: Context) -> None:
    message = update.message
    if message is None or message.from_user is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0]
    named = addressee(command)
    ours = named == context.bot.username.lower()
    if not ours and (named is not None or message.chat.type != "private"):
        return  # another bot's command, or a bare one in a group where other bots may live
    services = services_of(context)
    if await admit(services, context.bot, message, message.from_user):
        echo = shortened(command, MAX_COMMAND_ECHO)
        hint = t("unknown_command", message.from_user.language_code, command=echo)
        await reply(context.bot, message, hint)


async def on_plain_text(update: Update, context: Context) -> None:
    message = update.message
    if message is None or message.from_user is None or not message.text:
        return
    if replies_to_bot(message, context.bot.id):
        return
    services = services_of(context)
    if await admit(services, context.bot, message, message.from_user):
        prompt = shortened(" ".join(message.text.split()), MAX_ECHO)
        await reply(
            context.bot, message, t("plain_text", message.from_user.language_code, prompt=prompt)
        )


def register(application: Application) -> None:
    """Call after every other message handler is registered (they take precedence)."""
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(only_new & filters.COMMAND, on_unknown_command))
    private_text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(only_new & private_text, on_plain_text))
