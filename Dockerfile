# The bot as a container; `docker compose up -d --build` runs it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /app

# A font with Chinese glyphs, so the /stats chart speaks a Chinese-speaking admin's language.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# The same two steps as `make run`: pinned, hash-checked dependencies from the lock file (a
# layer rebuilt only when the lock changes), then the project itself without dependencies.
COPY requirements.lock ./
RUN python -m pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN python -m pip install --no-deps .

# The database (and the heartbeat beside it) lives on a volume, so jobs and balances survive
# a new container. /data is made and handed to the bot user before VOLUME: changes to a path
# after it is declared a volume are discarded.
ENV DATABASE_PATH=/data/bot.sqlite3
RUN useradd --create-home --uid 10001 bot && mkdir -p /data && chown bot /data
VOLUME ["/data"]
USER bot

# Healthy while the running bot keeps touching /data/heartbeat (every 30 s; stale after 120 s).
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.health"]

# Listens only when WEBHOOK_URL or EVOLINK_CALLBACK_URL is set (WEB_PORT, behind HTTPS).
EXPOSE 8080
CMD ["python", "-m", "bot"]
