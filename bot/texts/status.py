"""The job's status message, step by step, and why a job failed (PRODUCT.md §7)."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- status message ------------------------------------------------------------------
    "status_queued": {
        "en": "⏳ Job #{job} is {position} in line{reserved}. It starts when a slot is free.",
        "zh": "⏳ 任务 #{job} 排第 {position} 位{reserved}，有空位时开始。",
    },
    "status_paused": {
        "en": "⏸ Job #{job} is {position} in line{reserved}. Generation is paused by the "
        "operator; your job will start when it resumes.",
        "zh": "⏸ 任务 #{job} 排第 {position} 位{reserved}。管理员已暂停生成，恢复后开始。",
    },
    "status_preparing": {
        "en": "📤 Job #{job}: preparing your photos…{reserved}",
        "zh": "📤 任务 #{job}：正在准备照片…{reserved}",
    },
    "status_submitting": {
        "en": "🚀 Job #{job}: starting…{reserved}",
        "zh": "🚀 任务 #{job}：正在开始…{reserved}",
    },
    "status_running": {
        "en": "🎨 Job #{job}: {progress}%{eta}{reserved}",
        "zh": "🎨 任务 #{job}：{progress}%{eta}{reserved}",
    },
    # What a job holds while it runs; an admin's jobs hold nothing and show nothing.
    "status_reserved": {"en": " · {cost} reserved", "zh": "（已预留 {cost}）"},
    "status_eta": {"en": " (about {seconds} s left)", "zh": "（约剩 {seconds} 秒）"},
    # Owed once a job is done; shown as the result's footer (handover.py), or as the status
    # message itself when Telegram won't let that be deleted.
    "status_done": {
        "en": "✅ Job #{job} done in {seconds} s.",
        "zh": "✅ 任务 #{job} 完成，用时 {seconds} 秒。",
    },
    "status_failed": {"en": "❌ Job #{job}: {reason}", "zh": "❌ 任务 #{job}：{reason}"},
    "status_cancelled": {
        "en": "🚫 Job #{job} cancelled. Nothing was charged.",
        "zh": "🚫 任务 #{job} 已取消，未扣除额度。",
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
    # The same failures for a job without photos: no "this photo" (failures.worded_for).
    "err_bad_input_text": {
        "en": "Evolink could not use this prompt with these options. Please try other "
        "options or reword the prompt. Nothing was charged.",
        "zh": "Evolink 无法按这些选项使用该提示词。请换其他选项或改写提示词。未扣除额度。",
    },
    "err_content_policy_text": {
        "en": "Evolink's safety filter refused this request. Please change the prompt and "
        "try again. Nothing was charged.",
        "zh": "请求被 Evolink 的安全过滤器拒绝。请修改提示词后重试。未扣除额度。",
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
}
