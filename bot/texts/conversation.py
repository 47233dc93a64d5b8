"""The conversation around the commands (PRODUCT.md §4a): the greeting, the short /help,
the questions the bot asks (about plain text, a bare photo, the motion of a video) and
/settings."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- /start ------------------------------------------------------------------------
    "start": {
        "en": "👋 Hi {name}! I turn your words into pictures and videos, and bring photos to "
        "life.\n\nTap an example to try it, or just write what you'd like to see. Send me a "
        "photo and I'll ask what to do with it.\n\n/help - what I can do · /settings - your "
        "defaults",
        "zh": "👋 你好，{name}！我能把文字变成图片和视频，也能让照片动起来。\n\n"
        "点一个示例试试，或直接写下你想看到的画面。发一张照片给我，我会问你想怎么处理。\n\n"
        "/help - 我能做什么 · /settings - 你的默认设置",
    },
    # Three examples: the command to run and the words on its button.
    "example_1": {
        "en": "/imagine a red fox in the snow, golden hour",
        "zh": "/imagine 金色夕阳下雪地里的红狐狸",
    },
    "example_2": {
        "en": "/imagine a tiny cottage inside a glass bottle, watercolour --ar 9:16",
        "zh": "/imagine 玻璃瓶里的小木屋，水彩画 --ar 9:16",
    },
    "example_3": {
        "en": "/video a paper boat drifting down a rainy street",
        "zh": "/video 雨中街道上漂流的纸船",
    },
    "example_button": {"en": "✨ {example}", "zh": "✨ {example}"},
    # --- /help ----------------------------------------------------------------------------
    "short_help": {
        "en": "I make pictures and videos from your words and photos.\n\n{commands}\n\n"
        "Send a photo and I'll ask what to do with it; write a sentence and I'll offer to "
        "draw it.\n/settings - your defaults (picture shape, video quality, language)\n"
        "/quota - your credits and all prices · /jobs - your jobs · /cancel - withdraw a "
        "waiting job · /id - your Telegram id\n\n{balance}",
        "zh": "我能根据你的文字和照片生成图片和视频。\n\n{commands}\n\n"
        "发一张照片，我会问你想怎么处理；写一句话，我会提议把它画出来。\n"
        "/settings - 默认设置（画面比例、视频质量、语言）\n"
        "/quota - 额度和全部价格 · /jobs - 你的任务 · /cancel - 取消排队任务 · "
        "/id - 你的 Telegram id\n\n{balance}",
    },
    "short_help_line": {
        "en": "/{command} - {what} · {price}",
        "zh": "/{command} - {what} · {price}",
    },
    "price_picture": {"en": "{credits} a picture", "zh": "每张 {credits}"},
    "price_picture_from": {"en": "from {credits} a picture", "zh": "每张 {credits}起"},
    "price_video_from": {"en": "from {credits} a video", "zh": "每段视频 {credits}起"},
    # --- what no command asked for ----------------------------------------------------------
    "offer_imagine": {
        "en": "Shall I make a picture of that?\n“{prompt}”",
        "zh": "要把它画成图片吗？\n“{prompt}”",
    },
    "btn_imagine_it": {"en": "🎨 Make this picture", "zh": "🎨 画出来"},
    "photo_question": {
        "en": "What should I do with this photo? Reply to this message with a change to make "
        "(“make it night”), or tap a button.",
        "zh": "这张照片要怎么处理？回复本消息写下要做的修改（如“变成夜晚”），或点一个按钮。",
    },
    "photos_question": {
        "en": "What should I do with these {count} photos? Reply to this message with what "
        "to make of them, or tap Edit.",
        "zh": "这 {count} 张照片要怎么处理？回复本消息写下要做的修改，或点“修改”。",
    },
    "caption_question": {
        "en": "What should I do with this photo? Tap Edit to change it as the caption says "
        "(“{prompt}”), Animate to make a video, or reply with something else.",
        "zh": "这张照片要怎么处理？点“修改”按说明（“{prompt}”）修改，点“做成视频”生成视频，"
        "或回复其他要求。",
    },
    "btn_edit": {"en": "✏️ Edit", "zh": "✏️ 修改"},
    "ask_edit": {
        "en": "✏️ What should change in the picture? Reply with a few words.",
        "zh": "✏️ 图片要怎么改？请回复几句话。",
    },
    "ask_edit_placeholder": {"en": "e.g. make it night", "zh": "例如：变成夜晚"},
    "ask_motion": {
        "en": "🎬 What should move in the picture? Reply below with a few words, or tap for "
        "a gentle motion.",
        "zh": "🎬 画面里什么要动？请在下方回复几句话，或点按钮使用轻柔的默认动作。",
    },
    "ask_motion_numbered": {
        "en": "🎬 Picture {index}: what should move? Reply below with a few words, or tap "
        "for a gentle motion.",
        "zh": "🎬 第 {index} 张：什么要动？请在下方回复几句话，或点按钮使用轻柔的默认动作。",
    },
    "ask_motion_reply": {
        "en": "🎬 Describe the motion:",
        "zh": "🎬 描述一下动作：",
    },
    "ask_motion_placeholder": {
        "en": "e.g. the clouds drift, the camera slowly zooms in",
        "zh": "例如：云朵飘动，镜头缓缓推进",
    },
    "btn_default_motion": {"en": "✨ Gentle motion", "zh": "✨ 轻柔动作"},
    "default_motion": {
        "en": "gentle natural motion, slow cinematic camera movement",
        "zh": "自然轻柔的动作，缓慢的电影感镜头运动",
    },
    "unusable_message": {
        "en": "I work with words and photos: write what you'd like to see, or send a photo "
        "(/help lists what I can do).",
        "zh": "我能处理文字和照片：写下你想看到的画面，或发一张照片（/help 查看我能做什么）。",
    },
    "question_not_yours": {
        "en": "That question was for someone else. Reply to the bot's own question to you, or "
        "send your own command.",
        "zh": "这个问题是问别人的。请回复机器人问你的问题，或者发送你自己的命令。",
    },
    "question_gone": {
        "en": "I no longer know what that was about. Please send it again.",
        "zh": "我已找不到这条消息对应的内容，请重新发送。",
    },
    # --- /settings ------------------------------------------------------------------------
    "cmd_settings": {"en": "Your defaults", "zh": "默认设置"},
    "settings": {
        "en": "⚙️ Your defaults (an option typed in a command always wins):\n{lines}\n\n"
        "Tap one to change it.",
        "zh": "⚙️ 你的默认设置（命令里写的选项总是优先）：\n{lines}\n\n点一项即可修改。",
    },
    "settings_pick": {
        "en": "⚙️ {setting}: choose a value.",
        "zh": "⚙️ {setting}：请选择。",
    },
    "settings_line": {"en": "{setting}: {value}", "zh": "{setting}：{value}"},
    "setting_ar": {"en": "Picture shape", "zh": "画面比例"},
    "setting_n": {"en": "Pictures per request", "zh": "每次图片数"},
    "setting_quality": {"en": "Video quality", "zh": "视频质量"},
    "setting_duration": {"en": "Video length", "zh": "视频时长"},
    "setting_raw": {"en": "Prompt exactly as written", "zh": "按原样使用提示词"},
    "setting_lang": {"en": "Reply language", "zh": "回复语言"},
    "value_default": {"en": "standard", "zh": "标准"},
    "value_lang_default": {"en": "as my Telegram", "zh": "跟随 Telegram"},
    "value_on": {"en": "on", "zh": "开"},
    "value_off": {"en": "off", "zh": "关"},
    "value_seconds": {"en": "{value} s", "zh": "{value} 秒"},
    "value_en": {"en": "English", "zh": "English"},
    "value_zh": {"en": "中文", "zh": "中文"},
    "btn_back": {"en": "« Back", "zh": "« 返回"},
    "settings_saved": {"en": "Saved.", "zh": "已保存。"},
}
