"""How a job ends in the chat (issue 11): the cost footer, Retry and Original, the Animate
choice on an album, precise job numbers for /cancel, and notes on what a request ignored."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- the footer of a delivered result: what it cost and what is left ----------------
    "result_summary": {
        "en": "✅ Job #{job}: {charged} charged. Left: {left} of {limit} daily{bonus_part}.",
        "zh": "✅ 任务 #{job}：扣除 {charged}。剩余每日额度 {left}/{limit}{bonus_part}。",
    },
    "result_summary_group": {  # in a group: what it cost, not what the requester has left
        "en": "✅ Job #{job}: {charged} charged. /quota in a private chat shows what is left.",
        "zh": "✅ 任务 #{job}：扣除 {charged}。在私聊中发送 /quota 查看剩余额度。",
    },
    "result_summary_free": {
        "en": "✅ Job #{job}: nothing charged (admin).",
        "zh": "✅ 任务 #{job}：管理员不扣额度。",
    },
    # --- buttons ------------------------------------------------------------------------
    "btn_retry": {"en": "🔁 Retry", "zh": "🔁 重试"},
    "btn_original": {"en": "📄 Original", "zh": "📄 原图"},
    "btn_pick": {"en": "🎬 {index}", "zh": "🎬 {index}"},
    "animate_which": {
        "en": "Which picture should I animate? Tap its number.",
        "zh": "要把哪一张做成视频？请点编号。",
    },
    "original_sending": {"en": "Sending the original file…", "zh": "正在发送原图文件…"},
    "original_gone": {
        "en": "The original file is no longer available (results are kept for 24 hours).",
        "zh": "原图文件已不可用（结果只保留 24 小时）。",
    },
    # --- /cancel with a number ----------------------------------------------------------
    "cancel_no_such_job": {
        "en": "You have no job #{job}. /jobs lists your jobs and their numbers.",
        "zh": "你没有编号为 #{job} 的任务。/jobs 可查看你的任务及编号。",
    },
    # --- what a request ignored ---------------------------------------------------------
    "imagine_photo_ignored": {
        "en": "/{command} works from your words alone, so I'm not using the photo. To change "
        "a photo, send it with /edit; to bring it to life, with /animate.",
        "zh": "/{command} 只根据文字生成，所以不会使用这张照片。"
        "如需修改照片，请随照片发送 /edit；如需让它动起来，请发送 /animate。",
    },
    # --- a ban, as the banned user hears it ----------------------------------------------
    "banned_reason": {
        "en": "An admin has blocked you from using this bot. Reason: {reason}",
        "zh": "管理员已禁止你使用此机器人。原因：{reason}",
    },
}
