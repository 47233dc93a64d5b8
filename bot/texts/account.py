"""The account commands (/help, /quota, /jobs, /id) and the command menu Telegram shows."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- account commands ---------------------------------------------------------------
    "help": {
        "en": "I make pictures and videos with Evolink's models.\n\n{commands}\n"
        "/quota - your credits   /jobs - your jobs   /cancel - withdraw a waiting job\n"
        "/id - your numeric Telegram id\n\n"
        "Prices (credits):\n{prices}\n\n{balance}",
        "zh": "我用 Evolink 的模型生成图片和视频。\n\n{commands}\n"
        "/quota - 额度   /jobs - 任务   /cancel - 取消排队任务\n"
        "/id - 你的 Telegram 数字 id\n\n"
        "价格（额度）：\n{prices}\n\n{balance}",
    },
    # One command's prices ("/edit 1.2 per picture (wan), 1 (qwen)"), joined by price_join.
    "price_command": {"en": "/{command} {prices}", "zh": "/{command} {prices}"},
    "price_models_join": {"en": ", ", "zh": "，"},
    "price_join": {"en": " · ", "zh": " · "},
    "balance_line": {
        "en": "You have {left} of {limit} daily credits left{bonus_part}.",
        "zh": "你今天还剩 {left}/{limit} 每日额度{bonus_part}。",
    },
    "admin_unlimited": {
        "en": "You are an admin: no credit limits apply to you.",
        "zh": "你是管理员，不受额度限制。",
    },
    "quota": {
        "en": "Daily credits: {left} of {limit} left, refill at {refill}.\nBonus credits: {bonus}."
        "\nJobs: {running} running, {queued} waiting.\n\nPrices:\n{prices}",
        "zh": "每日额度：剩余 {left}/{limit}，将于 {refill}恢复。\n奖励额度：{bonus}。\n"
        "任务：{running} 个运行中，{queued} 个排队。\n\n价格：\n{prices}",
    },
    "your_id": {
        "en": "Your Telegram id: {user_id}\n(An operator puts this number in ADMIN_IDS to make "
        "you an admin.)",
        "zh": "你的 Telegram id：{user_id}\n"
        "（运营者把这个数字写进 ADMIN_IDS 即可让你成为管理员。）",
    },
    "your_id_admin": {
        "en": "Your Telegram id: {user_id}\n(You are an admin of this bot.)",
        "zh": "你的 Telegram id：{user_id}\n（你是本机器人的管理员。）",
    },
    "chat_id_line": {
        "en": "This chat's id: {chat_id}",
        "zh": "本群的 id：{chat_id}",
    },
    "jobs_empty": {"en": "You have no jobs yet.", "zh": "你还没有任务。"},
    "jobs_header": {
        "en": "Your jobs (/cancel <number> withdraws a waiting one):",
        "zh": "你的任务（/cancel <编号> 可取消排队中的任务）：",
    },
    "jobs_line": {
        "en": "#{id} /{command} · {state} · {cost} · {prompt}",
        "zh": "#{id} /{command} · {state} · {cost} · {prompt}",
    },
    "job_cost_reserved": {"en": "{amount} reserved", "zh": "预留 {amount}"},
    "job_cost_charged": {"en": "{amount} charged", "zh": "扣除 {amount}"},
    "state_queued": {"en": "waiting", "zh": "排队中"},
    "state_submitting": {"en": "starting", "zh": "开始中"},
    "state_running": {"en": "running {progress}%", "zh": "生成中 {progress}%"},
    "state_delivering": {"en": "sending", "zh": "发送中"},
    "state_done": {"en": "done", "zh": "完成"},
    "state_failed": {"en": "failed", "zh": "失败"},
    "state_cancelled": {"en": "cancelled", "zh": "已取消"},
    # --- what no command took -------------------------------------------------------------
    "unknown_command": {
        "en": "I don't know {command}. Send /help to see what I can do.",
        "zh": "我不认识 {command}。发送 /help 查看我能做什么。",
    },
    # --- the command menu Telegram shows (setMyCommands; 3-256 characters each) ----------
    "cmd_quota": {"en": "Your credits and prices", "zh": "你的额度和价格"},
    "cmd_jobs": {"en": "Your running and recent jobs", "zh": "你正在运行和最近的任务"},
    "cmd_cancel": {"en": "Withdraw a waiting job", "zh": "取消排队中的任务"},
    "cmd_id": {"en": "Your numeric Telegram id", "zh": "你的 Telegram 数字 id"},
    "cmd_help": {"en": "What I can do, with examples", "zh": "功能说明和示例"},
}
