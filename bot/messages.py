"""Every text a user can see, in one place (English always; Chinese where written).

`t(key, lang, **params)` picks the user's language, falls back to English, and fills the
`{named}` parameters. Keep texts plain (no parse mode) so user prompts never need escaping.
"""

from __future__ import annotations

from typing import Any, Final

from bot.models import registry

DEFAULT_LANGUAGE: Final = "en"

MESSAGES: Final[dict[str, dict[str, str]]] = {
    # --- usage -------------------------------------------------------------------------
    # --- command and option errors -------------------------------------------------------
    "prompt_too_long": {
        "en": "Your prompt is {length} characters long; the limit is {max} "
        "(options are not counted). Please shorten it.",
        "zh": "提示词有 {length} 个字符，上限为 {max}（选项不计入）。请缩短。",
    },
    "unknown_flag": {
        "en": "I don't know the option {flag}. For /{command} you can use: {allowed}.",
        "zh": "不认识选项 {flag}。/{command} 可用的选项：{allowed}。",
    },
    "flag_needs_value": {
        "en": "The option {flag} needs a value, for example {example}.",
        "zh": "选项 {flag} 需要一个值，例如 {example}。",
    },
    "duplicate_flag": {
        "en": "The option {flag} appears twice. Please give it once.",
        "zh": "选项 {flag} 出现了两次，请只写一次。",
    },
    # --- photos --------------------------------------------------------------------------
    "too_many_photos": {
        "en": "{count} photos is too many for {model}: it takes at most {max}.{hint}",
        "zh": "{model} 最多接受 {max} 张照片，你给了 {count} 张。{hint}",
    },
    "photo_too_small": {
        "en": "Photo {index} is {width}x{height} pixels; {model} needs at least "
        "{min}x{min}. Please send a larger photo.",
        "zh": "第 {index} 张照片为 {width}x{height} 像素；{model} 至少需要 {min}x{min}。"
        "请发送更大的照片。",
    },
    "photo_unreadable": {
        "en": "I couldn't read photo {index} as an image. Please send a JPEG, PNG, BMP or "
        "WebP picture.",
        "zh": "无法读取第 {index} 张照片。请发送 JPEG、PNG、BMP 或 WebP 图片。",
    },
    "photo_too_big": {
        "en": "Photo {index} is {size_mb} MB; Telegram lets bots download at most {max_mb} MB. "
        "Please send a smaller file.",
        "zh": "第 {index} 张照片有 {size_mb} MB；Telegram 只允许机器人下载最多 {max_mb} MB。",
    },
    "photo_shape": {
        "en": "Photo {index} is {width}x{height}: too long and thin to use. Please crop it "
        "closer to a normal shape.",
        "zh": "第 {index} 张照片为 {width}x{height}，过于细长，请裁剪后再试。",
    },
    "photo_gone": {
        "en": "I couldn't download the photo from Telegram any more. Please send it again.",
        "zh": "无法再从 Telegram 下载该照片，请重新发送。",
    },
    # --- quota and queue -----------------------------------------------------------------
    "no_credits": {
        "en": "Not enough credits: this costs {cost}, you have {left} left today"
        "{bonus_part}. Your daily credits refill at {refill}.",
        "zh": "额度不足：本次需要 {cost}，你今天还剩 {left}{bonus_part}。"
        "每日额度将于 {refill} 恢复。",
    },
    "bonus_part": {"en": " and {bonus} bonus", "zh": "，奖励额度 {bonus}"},
    "refill_at": {
        "en": "{time} {zone} (in {hours} h {minutes} min)",
        "zh": "{time} {zone}（{hours} 小时 {minutes} 分钟后）",
    },
    "queue_full": {
        "en": "You already have {count} jobs running or waiting, the most allowed. "
        "Please wait for one to finish.",
        "zh": "你已有 {count} 个任务在运行或等待，已达上限。请等待完成后再试。",
    },
    "banned": {"en": "You can't use this bot.", "zh": "你无法使用此机器人。"},
    "group_cap": {
        "en": "This group has used its {limit} credits for today. They refill at {refill}; "
        "your own credits were not touched.",
        "zh": "本群今天的 {limit} 额度已用完，将于 {refill} 恢复；你自己的额度未被扣除。",
    },
    # --- status message ------------------------------------------------------------------
    "status_queued": {
        "en": "⏳ Queued (#{position}). Your job starts when a slot is free.",
        "zh": "⏳ 排队中（第 {position} 位），有空位时开始。",
    },
    "status_paused": {
        "en": "⏸ Queued (#{position}). Generation is paused by the operator; your job "
        "will start when it resumes.",
        "zh": "⏸ 排队中（第 {position} 位）。管理员已暂停生成，恢复后开始。",
    },
    "status_preparing": {
        "en": "📤 Preparing your photos…",
        "zh": "📤 正在准备照片…",
    },
    "status_submitting": {"en": "🚀 Starting…", "zh": "🚀 正在开始…"},
    "status_running": {
        "en": "🎨 Working: {progress}%{eta}",
        "zh": "🎨 生成中：{progress}%{eta}",
    },
    "status_eta": {"en": " (about {seconds} s left)", "zh": "（约剩 {seconds} 秒）"},
    "status_delivering": {"en": "📬 Sending the result…", "zh": "📬 正在发送结果…"},
    "status_done": {"en": "✅ Done in {seconds} s.", "zh": "✅ 完成，用时 {seconds} 秒。"},
    "status_failed": {"en": "❌ {reason}", "zh": "❌ {reason}"},
    "status_cancelled": {
        "en": "🚫 Cancelled. Nothing was charged.",
        "zh": "🚫 已取消，未扣除额度。",
    },
    # --- failures (PRODUCT.md §7) -------------------------------------------------------
    "err_content_policy": {
        "en": "Evolink's safety filter refused this request. Please change the prompt or "
        "the photo and try again. Nothing was charged.",
        "zh": "请求被 Evolink 的安全过滤器拒绝。请修改提示词或照片后重试。未扣除额度。",
    },
    "err_bad_input": {
        "en": "Evolink could not use this photo or these options. Please try a different "
        "photo or other options. Nothing was charged.",
        "zh": "Evolink 无法使用这张照片或这些选项。请换一张照片或其他选项。未扣除额度。",
    },
    "err_retry_later": {
        "en": "The generation service had a problem and could not finish this job. Please "
        "try again in a few minutes. Nothing was charged.",
        "zh": "生成服务出现问题，未能完成任务。请几分钟后重试。未扣除额度。",
    },
    "err_no_content": {
        "en": "The model produced nothing for this prompt. Please make it more specific "
        "and try again. Nothing was charged.",
        "zh": "模型没有为该提示词生成内容。请写得更具体后重试。未扣除额度。",
    },
    "err_timeout": {
        "en": "This job took too long and was stopped. Please try again later. "
        "Nothing was charged.",
        "zh": "任务耗时过长已停止。请稍后重试。未扣除额度。",
    },
    "err_unavailable": {
        "en": "Generation is unavailable right now; the operator has been told. Please try "
        "again later. Nothing was charged.",
        "zh": "生成服务暂时不可用，已通知管理员。请稍后重试。未扣除额度。",
    },
    "err_busy": {
        "en": "The generation service is busy right now. Please try again in a minute. "
        "Nothing was charged.",
        "zh": "生成服务繁忙，请一分钟后重试。未扣除额度。",
    },
    "err_submission_unknown": {
        "en": "The connection to the generation service broke while sending your job, so I "
        "can't tell whether it started. Please send the command again. Nothing was charged.",
        "zh": "发送任务时与生成服务的连接中断，无法确认是否已开始。请重新发送命令。未扣除额度。",
    },
    "err_result_missing": {
        "en": "The finished result could not be downloaded. Please try again. "
        "Nothing was charged.",
        "zh": "无法下载生成结果，请重试。未扣除额度。",
    },
    "err_delivery": {
        "en": "The result was ready, but Telegram would not take it from me in time. "
        "Please try again. Nothing was charged.",
        "zh": "结果已生成，但 Telegram 未能及时接收。请重试。未扣除额度。",
    },
    "err_internal": {
        "en": "Something went wrong on my side. Please try again. Nothing was charged.",
        "zh": "我这边出了问题，请重试。未扣除额度。",
    },
    # --- results -------------------------------------------------------------------------
    "result_link": {
        "en": "The result is {size_mb} MB, too large for Telegram. Download it here within "
        "24 hours:\n{url}",
        "zh": "结果有 {size_mb} MB，超过 Telegram 的限制。请在 24 小时内从这里下载：\n{url}",
    },
    "result_buttons": {"en": "What next?", "zh": "接下来？"},
    "result_for": {"en": "For {mention}", "zh": "给 {mention}"},
    "btn_again": {"en": "🔁 Again", "zh": "🔁 再来一次"},
    "btn_animate": {"en": "🎬 Animate", "zh": "🎬 做成视频"},
    "btn_animate_n": {"en": "🎬 Animate {index}", "zh": "🎬 第 {index} 张做成视频"},
    "btn_cancel": {"en": "✖ Cancel", "zh": "✖ 取消"},
    "not_your_button": {
        "en": "Only the person who asked for this can use its buttons.",
        "zh": "只有发起请求的人可以使用这些按钮。",
    },
    "button_unknown": {
        "en": "This button no longer works.",
        "zh": "此按钮已失效。",
    },
    "job_not_found": {"en": "I can't find that job any more.", "zh": "找不到该任务。"},
    "cancel_done": {
        "en": "Job #{job} cancelled; nothing was charged.",
        "zh": "任务 #{job} 已取消，未扣除额度。",
    },
    "cancel_too_late": {
        "en": "Job #{job} is already being generated and can't be stopped. You'll only be "
        "charged for what it produces.",
        "zh": "任务 #{job} 已在生成中，无法停止。只会按实际生成的内容收费。",
    },
    "cancel_finished": {
        "en": "Job #{job} has already finished.",
        "zh": "任务 #{job} 已经结束。",
    },
    "cancel_nothing": {
        "en": "You have no job waiting to be cancelled.",
        "zh": "你没有可以取消的排队任务。",
    },
    "cancel_usage": {
        "en": "Use /cancel to withdraw your oldest waiting job, or /cancel <job number>.",
        "zh": "使用 /cancel 取消最早排队的任务，或 /cancel <任务编号>。",
    },
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
        "zh": "每日额度：剩余 {left}/{limit}，将于 {refill} 恢复。\n奖励额度：{bonus}。\n"
        "任务：{running} 个运行中，{queued} 个排队。\n\n价格：\n{prices}",
    },
    "your_id": {
        "en": "Your Telegram id: {user_id}\n(An operator puts this number in ADMIN_IDS to make "
        "you an admin.)",
        "zh": "你的 Telegram id：{user_id}\n"
        "（运营者把这个数字写进 ADMIN_IDS 即可让你成为管理员。）",
    },
    "chat_id_line": {
        "en": "This chat's id: {chat_id}",
        "zh": "本群的 id：{chat_id}",
    },
    "jobs_empty": {"en": "You have no jobs yet.", "zh": "你还没有任务。"},
    "jobs_header": {"en": "Your jobs:", "zh": "你的任务："},
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
    # --- the command menu Telegram shows (setMyCommands; 3-256 characters each) ----------
    "cmd_quota": {"en": "Your credits and prices", "zh": "你的额度和价格"},
    "cmd_jobs": {"en": "Your running and recent jobs", "zh": "你正在运行和最近的任务"},
    "cmd_cancel": {"en": "Withdraw a waiting job", "zh": "取消排队中的任务"},
    "cmd_id": {"en": "Your numeric Telegram id", "zh": "你的 Telegram 数字 id"},
    "cmd_help": {"en": "What I can do, with examples", "zh": "功能说明和示例"},
    # --- admin ---------------------------------------------------------------------------
    "admin_only": {
        "en": "That command is for admins only.",
        "zh": "该命令仅限管理员使用。",
    },
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
        "en": "{who} now gets {limit} credits a day ({left} left today).",
        "zh": "{who} 的每日额度现为 {limit}（今天剩余 {left}）。",
    },
    "admin_group_limit_set": {
        "en": "Group {chat} may now spend {limit} credits a day in total; each member's own "
        "credits still apply.",
        "zh": "群 {chat} 现在每天总共可用 {limit} 额度；每位成员自己的额度仍然适用。",
    },
    "admin_group_limit_cleared": {
        "en": "Group {chat} no longer has a group-wide daily cap.",
        "zh": "群 {chat} 已取消全群每日上限。",
    },
    "admin_banned": {
        "en": "{who} is banned. {count} waiting job(s) withdrawn and refunded.",
        "zh": "已封禁 {who}。撤回并退还 {count} 个排队任务。",
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
        "en": "Last {days} day(s): {total} jobs, {credits} credits used, failure rate {failure}, "
        "median time to result {median}.\n\nBy model and outcome:\n{models}\n\nTop users:\n"
        "{users}",
        "zh": "最近 {days} 天：{total} 个任务，使用 {credits} 额度，失败率 {failure}，"
        "出结果中位时间 {median}。\n\n按模型和结果：\n{models}\n\n用户排行：\n{users}",
    },
    "stats_none": {"en": "none", "zh": "无"},
    "stats_user_line": {
        "en": "{name} ({id}): {count} jobs, {credits} credits",
        "zh": "{name}（{id}）：{count} 个任务，{credits} 额度",
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
        "en": "Jobs per day, last {days} day(s)",
        "zh": "每日任务数（最近 {days} 天）",
    },
    "chart_title_week": {
        "en": "Jobs per week, last {days} days",
        "zh": "每周任务数（最近 {days} 天）",
    },
    "chart_title_month": {
        "en": "Jobs per month, last {days} days",
        "zh": "每月任务数（最近 {days} 天）",
    },
    "chart_axis_jobs": {"en": "jobs", "zh": "任务"},
    "chart_other": {"en": "in progress", "zh": "进行中"},
    "user_label": {"en": "user {id}", "zh": "用户 {id}"},
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


# Each model's texts (usage, help line, menu entry, price) live in its spec module.
MESSAGES.update(registry.texts())


def t(key: str, lang: str | None = None, **params: Any) -> str:
    """The text for `key` in `lang` (falling back to English) with `params` filled in."""
    entry = MESSAGES[key]
    text = entry.get(language_of(lang)) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def language_of(code: str | None) -> str:
    """Telegram's `language_code` ('zh-hans', 'en-US', ...) -> a catalogue language."""
    if code and code.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE
