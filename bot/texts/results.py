"""Results and their buttons, and /cancel."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- results -------------------------------------------------------------------------
    "result_link": {
        "en": "The result is {size_mb} MB, too large for Telegram. Download it here within "
        "24 hours:\n{url}",
        "zh": "结果有 {size_mb} MB，超过 Telegram 的限制。请在 24 小时内从这里下载：\n{url}",
    },
    "result_for": {"en": "For {mention}", "zh": "给 {mention}"},
    "btn_again": {"en": "🔁 Again", "zh": "🔁 再来一次"},
    "btn_animate": {"en": "🎬 Animate", "zh": "🎬 做成视频"},
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
}
