"""Admin commands, /stats and its charts, and the alerts admins get."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- admin ---------------------------------------------------------------------------
    "admin_only": {
        "en": "That command is for admins only.",
        "zh": "该命令仅限管理员使用。",
    },
    # How admin replies name a group: by title when Telegram tells it, always with the id.
    "group_titled": {"en": "“{title}” ({id})", "zh": "“{title}”（{id}）"},
    "group_untitled": {"en": "{id}", "zh": "{id}"},
    "admin_user_unknown": {
        "en": "I don't know the user {who}. Use a numeric id, an @username I have seen, or "
        "reply to one of their messages.",
        "zh": "不认识用户 {who}。请使用数字 ID、我见过的 @用户名，或回复对方的消息。",
    },
    "admin_usage": {"en": "Usage: {usage}", "zh": "用法：{usage}"},
    "admin_bad_amount": {
        "en": "{value} is not a number of credits.",
        "zh": "{value} 不是有效的额度数值。",
    },
    "admin_granted": {
        "en": "Granted {amount} to {who}. Their bonus balance is now {bonus}.",
        "zh": "已给 {who} 发放 {amount}。其奖励额度现为 {bonus}。",
    },
    "admin_limit_set": {
        "en": "{who} now gets {limit} a day ({left} left today).",
        "zh": "{who} 的每日额度现为 {limit}（今天剩余 {left}）。",
    },
    "admin_group_limit_set": {
        "en": "The group {chat} may now spend {limit} a day in total; each member's own "
        "credits still apply.",
        "zh": "群 {chat} 现在每天总共可用 {limit}；每位成员自己的额度仍然适用。",
    },
    "admin_group_limit_cleared": {
        "en": "The group {chat} no longer has a group-wide daily cap.",
        "zh": "群 {chat} 已取消全群每日上限。",
    },
    "admin_banned": {
        "en": "{who} is banned{reason_part}. Waiting jobs withdrawn and refunded: {count}. {told}",
        "zh": "已封禁 {who}{reason_part}。撤回并退还的排队任务：{count}。{told}",
    },
    "admin_ban_reason_part": {"en": " (reason: {reason})", "zh": "（原因：{reason}）"},
    "admin_ban_told": {"en": "They were told.", "zh": "已通知对方。"},
    "admin_ban_not_told": {
        "en": "I couldn't tell them: they have no private chat with me.",
        "zh": "无法通知对方：对方没有与我私聊过。",
    },
    "admin_not_bannable": {
        "en": "{who} is an admin (ADMIN_IDS) and can't be banned.",
        "zh": "{who} 是管理员（ADMIN_IDS），不能被封禁。",
    },
    "admin_unbanned": {"en": "{who} is no longer banned.", "zh": "已解除 {who} 的封禁。"},
    "admin_paused": {
        "en": "Paused: new jobs wait in the queue; running ones finish. /resume to continue.",
        "zh": "已暂停：新任务在队列中等待，运行中的任务会完成。使用 /resume 继续。",
    },
    "admin_resumed": {"en": "Resumed: submitting again.", "zh": "已恢复提交。"},
    "admin_balance": {
        "en": "Evolink credits: {remaining} remaining on the account{key_part}.",
        "zh": "Evolink 额度：账户剩余 {remaining}{key_part}。",
    },
    "admin_balance_key": {
        "en": "; this key: {remaining} left",
        "zh": "；此密钥剩余 {remaining}",
    },
    "admin_balance_failed": {
        "en": "Couldn't read the Evolink balance: {reason}",
        "zh": "无法读取 Evolink 余额：{reason}",
    },
    "stats": {
        "en": "Last {days}. Jobs: {total}. Credits used: {credits}. Failure rate: "
        "{failure}. Median time to result: {median}.\n\nBy model and outcome:\n{models}\n\n"
        "Top users:\n{users}",
        "zh": "最近 {days}：{total} 个任务，使用 {credits} 额度，失败率 {failure}，"
        "出结果中位时间 {median}。\n\n按模型和结果：\n{models}\n\n用户排行：\n{users}",
    },
    "stats_usage": {
        "en": "Usage: /stats [days], a whole number of days from 1 to {max} (default 7).",
        "zh": "用法：/stats [天数]，天数为 1 到 {max} 的整数（默认 7）。",
    },
    "stats_sent_privately": {
        "en": "I sent you the stats in our private chat.",
        "zh": "统计已私聊发给你。",
    },
    "stats_start_private": {
        "en": "The stats name users, so I only send them privately, and I can't message you "
        "yet: open a private chat with @{bot}, press Start, then ask again.",
        "zh": "统计包含用户信息，只能私聊发送，但我还无法给你发消息："
        "请先打开与 @{bot} 的私聊并点击开始，然后再试。",
    },
    "stats_none": {"en": "none", "zh": "无"},
    "stats_user_line": {
        "en": "{name}: jobs {count}, credits {credits}",
        "zh": "{name}：任务 {count} 个，额度 {credits}",
    },
    "stats_outcome_done": {"en": "done", "zh": "完成"},
    "stats_outcome_failed": {"en": "failed", "zh": "失败"},
    "stats_outcome_cancelled": {"en": "cancelled", "zh": "已取消"},
    "stats_outcome_queued": {"en": "waiting", "zh": "排队中"},
    "stats_outcome_submitting": {"en": "starting", "zh": "开始中"},
    "stats_outcome_running": {"en": "running", "zh": "生成中"},
    "stats_outcome_delivering": {"en": "sending", "zh": "发送中"},
    "stats_seconds": {"en": "{seconds} s", "zh": "{seconds} 秒"},
    "chart_title_day": {
        "en": "Jobs per day, last {days}",
        "zh": "每日任务数（最近 {days}）",
    },
    "chart_title_week": {
        "en": "Jobs per week, last {days}",
        "zh": "每周任务数（最近 {days}）",
    },
    "chart_title_month": {
        "en": "Jobs per month, last {days}",
        "zh": "每月任务数（最近 {days}）",
    },
    "chart_axis_jobs": {"en": "jobs", "zh": "任务"},
    "chart_other": {"en": "in progress", "zh": "进行中"},
    "user_label": {"en": "user {id}", "zh": "用户 {id}"},
    "user_named": {"en": "@{username} ({id})", "zh": "@{username}（{id}）"},
    "usage_grant": {
        "en": "/grant <user> <credits> (or as a reply: /grant <credits>)",
        "zh": "/grant <用户> <额度>（或回复某人：/grant <额度>）",
    },
    "usage_setlimit": {
        "en": "/setlimit <user | group chat id | here> <credits | default>",
        "zh": "/setlimit <用户 | 群聊 ID | here> <额度 | default>",
    },
    "usage_ban": {"en": "/ban <user> [reason]", "zh": "/ban <用户> [原因]"},
    "usage_unban": {"en": "/unban <user>", "zh": "/unban <用户>"},
    # --- what admins see in /help and in their command menu ------------------------------
    "help_admin": {
        "en": "Admin commands (a user is an id, a known @username, or a reply):\n"
        "/grant <user> <credits> - add bonus credits (negative takes away)\n"
        "/setlimit <user> <credits | default> - set a user's daily credits\n"
        "/ban <user> [reason] - block a user; /unban <user> - unblock\n"
        "/stats [days] - jobs, credits and top users, sent to you privately\n"
        "/balance - the Evolink account's credits\n"
        "/pause - stop submitting jobs; /resume - start again\n"
        "/refund <charge id> - refund a Telegram Stars purchase",
        "zh": "管理员命令（用户可用 id、见过的 @用户名，或回复其消息）：\n"
        "/grant <用户> <额度> - 发放奖励额度（负数为扣除）\n"
        "/setlimit <用户> <额度 | default> - 设置用户的每日额度\n"
        "/ban <用户> [原因] - 封禁用户；/unban <用户> - 解除封禁\n"
        "/stats [天数] - 任务、额度和用户排行，私聊发给你\n"
        "/balance - Evolink 账户余额\n"
        "/pause - 暂停提交任务；/resume - 恢复\n"
        "/refund <支付编号> - 退款一笔 Telegram 星星购买",
    },
    "cmd_grant": {"en": "Admin: add bonus credits", "zh": "管理员：发放奖励额度"},
    "cmd_setlimit": {"en": "Admin: set a daily limit", "zh": "管理员：设置每日额度"},
    "cmd_ban": {"en": "Admin: block a user", "zh": "管理员：封禁用户"},
    "cmd_unban": {"en": "Admin: unblock a user", "zh": "管理员：解除封禁"},
    "cmd_stats": {"en": "Admin: usage statistics", "zh": "管理员：使用统计"},
    "cmd_balance": {"en": "Admin: Evolink account credits", "zh": "管理员：Evolink 账户余额"},
    "cmd_pause": {"en": "Admin: stop submitting jobs", "zh": "管理员：暂停提交任务"},
    "cmd_resume": {"en": "Admin: submit jobs again", "zh": "管理员：恢复提交任务"},
    # --- admin alerts -----------------------------------------------------------------
    "alert_401": {
        "en": "⚠️ Evolink rejected the API key (401). Generation is failing for everyone "
        "until EVOLINK_API_KEY is fixed.",
        "zh": "⚠️ Evolink 拒绝了 API 密钥（401）。在修正 EVOLINK_API_KEY 之前所有生成都会失败。",
    },
    "alert_402": {
        "en": "⚠️ The Evolink account is out of credits (402). Top it up; users are "
        "being told the service is unavailable and are not charged.",
        "zh": "⚠️ Evolink 账户余额不足（402）。请充值；用户会被告知服务不可用且不扣额度。",
    },
    "alert_403": {
        "en": "⚠️ Evolink refused access to a model (403). Check the key's model "
        "permissions in the Evolink dashboard.",
        "zh": "⚠️ Evolink 拒绝访问某个模型（403）。请在 Evolink 控制台检查密钥的模型权限。",
    },
}
