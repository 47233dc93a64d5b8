"""Refusals of a request the bot can't take: a malformed command, an unusable photo, no
credits, a full queue."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- command and option errors -------------------------------------------------------
    "album_one_command": {
        "en": "An album takes one command, and this one already has one: I'm using that. "
        "To do something else with these photos, reply to one of them with the command.",
        "zh": "一个相册只接受一条命令，这个相册已经有了：我会使用那一条。"
        "如需对这些照片做别的操作，请回复其中一张照片并附上命令。",
    },
    "slow_down": {
        "en": "You're sending messages faster than I can answer, so I skipped some. "
        "Please wait for my answers before sending more (about {seconds} s).",
        "zh": "你发送消息的速度超过了我的回复速度，我跳过了其中一些。"
        "请等我回复后再发送（大约 {seconds} 秒）。",
    },
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
        "en": "{count} is too many for {model}: it takes at most {max}.{hint}",
        "zh": "{model} 最多接受 {max} 张照片，你给了 {count}。{hint}",
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
        "每日额度将于 {refill}恢复。",
    },
    "bonus_part": {"en": " and {bonus} bonus", "zh": "，奖励额度 {bonus}"},
    "refill_at": {
        "en": "{time} {zone} (in {hours} h {minutes} min)",
        "zh": "{time} {zone}（{hours} 小时 {minutes} 分钟后）",
    },
    "queue_full": {
        "en": "You already have {count} running or waiting, the most allowed. "
        "Please wait for one to finish.",
        "zh": "你已有 {count}在运行或等待，已达上限。请等待完成后再试。",
    },
    "banned": {
        "en": "An admin has blocked you from using this bot.",
        "zh": "管理员已禁止你使用此机器人。",
    },
    "group_cap": {
        "en": "This group has used its {limit} for today. They refill at {refill}; "
        "your own credits were not touched.",
        "zh": "本群今天的 {limit}额度已用完，将于 {refill}恢复；你自己的额度未被扣除。",
    },
}
