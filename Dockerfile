FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-cache-dir .

# The database lives on a volume so jobs and balances survive a new container.
ENV DATABASE_PATH=/data/bot.sqlite3
VOLUME ["/data"]
RUN useradd --create-home --uid 10001 bot && mkdir -p /data && chown bot /data
USER bot

CMD ["python", "-m", "bot"]
