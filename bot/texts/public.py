"""Texts of running in public (issue 10): hostile pictures and anonymous group admins."""

from __future__ import annotations

from bot.texts import Catalogue

TEXTS: Catalogue = {
    "photo_too_many_pixels": {
        "en": "Photo {index} is {width}x{height} pixels, more than I can work with. "
        "Please send a picture of at most {max_mp} megapixels.",
        "zh": "第 {index} 张照片为 {width}x{height} 像素，超出了我能处理的范围。"
        "请发送不超过 {max_mp} 百万像素的图片。",
    },
    "anonymous_admin": {
        "en": "You are posting anonymously as the group, so I can't tell whose credits to use. "
        "Please send the command as yourself (turn off “Remain anonymous” in your admin "
        "rights, or post from your own account).",
        "zh": "你正以群组身份匿名发言，我无法确定使用谁的额度。"
        "请以你自己的身份发送命令（在管理员权限中关闭“保持匿名”，或用你自己的账号发言）。",
    },
}
