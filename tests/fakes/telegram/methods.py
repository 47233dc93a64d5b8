"""The Bot API methods the fake implements, apart from the message ones (messages.py)."""

from __future__ import annotations

import json

from .media import DOWNLOAD_MAX
from .messages import Handler, Listener, MessageMethods, Params, Parts
from .payments import PaymentMethods, check_invoice, invoice_content
from .polling import PollTerminated, UpdateQueue
from .spec import Spec
from .state import JsonDict, World
from .wire import ApiError, bad_request, runtime_error

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_MEMBER_TYPES = {
    "creator": "ChatMemberOwner",
    "administrator": "ChatMemberAdministrator",
    "member": "ChatMemberMember",
    "restricted": "ChatMemberRestricted",
    "left": "ChatMemberLeft",
    "kicked": "ChatMemberBanned",
}


class BotMethods(MessageMethods):
    """Every implemented method, as ``handlers()`` maps of camelCase name -> coroutine."""

    def __init__(
        self,
        world: World,
        updates: UpdateQueue,
        spec: Spec,
        notify: Listener,
        payments: PaymentMethods,
    ) -> None:
        super().__init__(world, notify)
        self.updates = updates
        self.spec = spec
        self.payments = payments

    def handlers(self) -> dict[str, Handler]:
        return {
            **super().handlers(),
            "getMe": self.get_me,
            "logOut": self.always_true,
            "close": self.always_true,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "getFile": self.get_file,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "sendInvoice": self.send_invoice,
            "answerPreCheckoutQuery": self.payments.answer_pre_checkout_query,
            "refundStarPayment": self.payments.refund_star_payment,
        }

    async def send_invoice(self, params: Params, parts: Parts) -> JsonDict:
        check_invoice(params)
        chat = self.chat(params["chat_id"])
        message = self._post(chat, invoice_content(params), params)
        self.payments.state.invoices[(chat["id"], message["message_id"])] = params
        return message

    async def always_true(self, params: Params, parts: Parts) -> bool:
        return True

    async def get_me(self, params: Params, parts: Parts) -> JsonDict:
        return {
            **self.world.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    # -- updates and webhooks ------------------------------------------------------------------

    async def get_updates(self, params: Params, parts: Parts) -> list[JsonDict]:
        if self.world.webhook_url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        try:
            return await self.updates.poll(
                params.get("offset", 0),
                params.get("limit", 100),
                params.get("timeout", 0),
                params.get("allowed_updates"),
            )
        except PollTerminated:
            raise ApiError(409, POLL_CONFLICT) from None

    async def set_webhook(self, params: Params, parts: Parts) -> bool:
        self.world.webhook_url = params["url"]
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def delete_webhook(self, params: Params, parts: Parts) -> bool:
        self.world.webhook_url = ""
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def get_webhook_info(self, params: Params, parts: Parts) -> JsonDict:
        return {
            "url": self.world.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates.pending),
        }

    # -- files and callbacks ---------------------------------------------------------------------

    async def get_file(self, params: Params, parts: Parts) -> JsonDict:
        stored = self.world.files.get(params["file_id"])
        if stored is None:
            raise bad_request(
                "wrong file_id or the file is temporarily unavailable",
                reason=f"unknown file_id {params['file_id']!r:.80}",
            )
        if stored.size > DOWNLOAD_MAX:
            raise bad_request(
                "file is too big", reason=f"getFile of {stored.size} bytes (> 20 MB)"
            )
        return stored.as_file()

    async def answer_callback_query(self, params: Params, parts: Parts) -> bool:
        query_id = params["callback_query_id"]
        if query_id not in self.world.callback_queries or query_id in self.world.callback_answers:
            raise runtime_error(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.world.callback_answers[query_id] = {
            "text": params.get("text"),
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
        }
        return True

    # -- commands ------------------------------------------------------------------------------

    @staticmethod
    def _commands_key(params: Params) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code", "")], sort_keys=True)

    async def set_my_commands(self, params: Params, parts: Parts) -> bool:
        self.world.commands[self._commands_key(params)] = params["commands"]
        return True

    async def get_my_commands(self, params: Params, parts: Parts) -> list[JsonDict]:
        return self.world.commands.get(self._commands_key(params), [])

    async def delete_my_commands(self, params: Params, parts: Parts) -> bool:
        self.world.commands.pop(self._commands_key(params), None)
        return True

    # -- chats -----------------------------------------------------------------------------------

    async def get_chat(self, params: Params, parts: Parts) -> JsonDict:
        chat = self.chat(params["chat_id"])
        return self.spec.minimal_object("ChatFullInfo", **chat, max_reaction_count=11)

    async def get_chat_member(self, params: Params, parts: Parts) -> JsonDict:
        chat = self.chat(params["chat_id"])
        user_id = params["user_id"]
        user = self.world.bot_user if user_id == self.world.bot_user["id"] else None
        user = user or self.world.users.get(user_id)
        if user is None:
            raise runtime_error("user not found")
        default = "member"
        if chat["type"] == "private" and user_id not in (chat["id"], self.world.bot_user["id"]):
            default = "left"
        status = self.world.member_status.get((chat["id"], user_id), default)
        return self.spec.minimal_object(_MEMBER_TYPES[status], status=status, user=user)


def unsupported(method: str) -> ApiError:
    return bad_request(
        "method not supported by the fake", reason=f"{method} is not implemented by the fake"
    )


def flood_weight(method: str, params: Params) -> int:
    """How many messages a call counts for flood control (0: not counted)."""
    if method == "sendMediaGroup":
        return len(params.get("media", ()))
    if method in ("sendChatAction", "sendMessageDraft"):
        return 0
    if method.startswith(("send", "editMessage")) or method in ("copyMessage", "forwardMessage"):
        return 1
    return 0
