"""Schema migrations: append a new tuple of statements, never edit a released one.

`PRAGMA user_version` records how many have run, so an existing database file is upgraded
in place at start-up. Credits are integers in hundredths everywhere (no floats).
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, ...]] = [
    (
        """
        CREATE TABLE users (
            user_id INTEGER PRIMARY KEY,
            username TEXT,
            first_name TEXT,
            language TEXT,
            daily_limit INTEGER,
            banned INTEGER NOT NULL DEFAULT 0,
            ban_reason TEXT,
            bonus INTEGER NOT NULL DEFAULT 0 CHECK (bonus >= 0),
            daily_left INTEGER NOT NULL DEFAULT 0 CHECK (daily_left >= 0),
            daily_day TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )
        """,
        "CREATE INDEX users_username ON users(username COLLATE NOCASE)",
        """
        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            user_id INTEGER NOT NULL,
            job_id INTEGER,
            kind TEXT NOT NULL
                CHECK (kind IN ('reserve', 'charge', 'release', 'grant', 'daily_reset', 'limit')),
            amount INTEGER NOT NULL,
            daily_delta INTEGER NOT NULL DEFAULT 0,
            bonus_delta INTEGER NOT NULL DEFAULT 0,
            note TEXT
        )
        """,
        "CREATE INDEX ledger_user ON ledger(user_id, id)",
        """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            chat_type TEXT NOT NULL,
            request_message_id INTEGER NOT NULL,
            status_message_id INTEGER,
            language TEXT NOT NULL DEFAULT 'en',
            command TEXT NOT NULL,
            model TEXT NOT NULL,
            prompt TEXT NOT NULL,
            options TEXT NOT NULL,
            inputs TEXT NOT NULL,
            input_urls TEXT,
            state TEXT NOT NULL CHECK (state IN ('queued', 'submitting', 'running',
                'delivering', 'done', 'failed', 'cancelled')),
            create_sent INTEGER NOT NULL DEFAULT 0,
            task_id TEXT,
            progress INTEGER NOT NULL DEFAULT 0,
            estimated_time REAL,
            result_urls TEXT,
            delivered TEXT NOT NULL DEFAULT '[]',
            error_code TEXT,
            cost INTEGER NOT NULL,
            reserved_daily INTEGER NOT NULL DEFAULT 0,
            reserved_bonus INTEGER NOT NULL DEFAULT 0,
            reserved_day TEXT,
            charged INTEGER NOT NULL DEFAULT 0,
            settled INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            submitted_at REAL,
            finished_at REAL,
            updated_at REAL NOT NULL
        )
        """,
        "CREATE INDEX jobs_state ON jobs(state, id)",
        "CREATE INDEX jobs_user ON jobs(user_id, id)",
        "CREATE INDEX jobs_task ON jobs(task_id)",
        """
        CREATE TABLE media_seen (
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            media_group_id TEXT,
            file_id TEXT NOT NULL,
            file_unique_id TEXT,
            kind TEXT NOT NULL,
            width INTEGER,
            height INTEGER,
            file_size INTEGER,
            mime_type TEXT,
            seen_at REAL NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        )
        """,
        "CREATE INDEX media_group ON media_seen(chat_id, media_group_id)",
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """,
    ),
    (
        # What the user has used of today's allowance (reserved or charged), so the amount
        # left is always max(0, limit - used) and a limit change can't forget the spending.
        "ALTER TABLE users ADD COLUMN daily_used INTEGER NOT NULL DEFAULT 0",
        # Existing databases: today's use is exactly what reserve/release rows took from the
        # daily allowance since the user's last daily reset.
        """
        UPDATE users SET daily_used = MAX(0, -COALESCE((
            SELECT SUM(l.daily_delta) FROM ledger l
            WHERE l.user_id = users.user_id AND l.kind IN ('reserve', 'release')
              AND l.id > COALESCE((
                  SELECT MAX(r.id) FROM ledger r
                  WHERE r.user_id = users.user_id AND r.kind = 'daily_reset'), 0)
        ), 0))
        """,
        # An optional daily cap on what all members together may spend in a group chat.
        """
        CREATE TABLE chat_limits (
            chat_id INTEGER PRIMARY KEY,
            daily_limit INTEGER NOT NULL CHECK (daily_limit >= 0),
            updated_at REAL NOT NULL
        )
        """,
    ),
    (
        # A job becomes visible to the scheduler only once its status message exists (or
        # posting it has failed), so a job can never run, or fail, before the user has been
        # told it was accepted. Jobs of older databases were all announced already.
        "ALTER TABLE jobs ADD COLUMN visible INTEGER NOT NULL DEFAULT 1",
    ),
    (
        # The final status text a finished job still owes its status message; NULL once it
        # is shown. Set in the same transaction as the job's end, so a restart between the
        # end and the edit redoes the edit (the message never keeps "Sending…").
        "ALTER TABLE jobs ADD COLUMN status_owed TEXT",
        # A command captioning an album, waiting for the album to go quiet. Written as the
        # update arrives (Telegram already counts it delivered), so a restart finishes it.
        """
        CREATE TABLE pending_albums (
            chat_id INTEGER NOT NULL,
            media_group_id TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            request_message_id INTEGER NOT NULL,
            language TEXT,
            command TEXT NOT NULL,
            args TEXT NOT NULL,
            message TEXT NOT NULL,
            deadline REAL NOT NULL,
            claimed INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            PRIMARY KEY (chat_id, media_group_id)
        )
        """,
    ),
    (
        # Telegram Stars purchases (PRODUCT.md §5a). The ledger gains two kinds, and SQLite
        # can only change a CHECK by rebuilding the table: rows are copied unchanged, ids
        # (and so their order) kept, so every balance is still explained by the ledger.
        """
        CREATE TABLE ledger_rebuilt (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            user_id INTEGER NOT NULL,
            job_id INTEGER,
            kind TEXT NOT NULL
                CHECK (kind IN ('reserve', 'charge', 'release', 'grant', 'daily_reset', 'limit',
                                'purchase', 'refund')),
            amount INTEGER NOT NULL,
            daily_delta INTEGER NOT NULL DEFAULT 0,
            bonus_delta INTEGER NOT NULL DEFAULT 0,
            note TEXT
        )
        """,
        "INSERT INTO ledger_rebuilt (id, at, user_id, job_id, kind, amount, daily_delta,"
        " bonus_delta, note) SELECT id, at, user_id, job_id, kind, amount, daily_delta,"
        " bonus_delta, note FROM ledger ORDER BY id",
        "DROP TABLE ledger",
        "ALTER TABLE ledger_rebuilt RENAME TO ledger",
        "CREATE INDEX ledger_user ON ledger(user_id, id)",
        # One row per Telegram charge: the primary key is what makes a payment count once,
        # however often its update arrives.
        """
        CREATE TABLE purchases (
            charge_id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            credits INTEGER NOT NULL CHECK (credits >= 0),
            stars INTEGER NOT NULL CHECK (stars >= 0),
            payload TEXT NOT NULL,
            at REAL NOT NULL,
            refunded_at REAL,
            taken_back INTEGER
        )
        """,
        "CREATE INDEX purchases_at ON purchases(at)",
        "CREATE INDEX purchases_user ON purchases(user_id)",
    ),
    (
        # A question the bot asked in a chat ("what should I do with this photo?", "what
        # should move?"), keyed by the bot's message, so a button under it or a reply to it
        # finds what it is about after a restart too. `media_group_id` (album questions) is
        # unique per chat: an album is asked about once, whichever item comes first.
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            message_id INTEGER,
            user_id INTEGER NOT NULL,
            request_message_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            prompt TEXT NOT NULL DEFAULT '',
            media_group_id TEXT,
            inputs TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX questions_message ON questions(chat_id, message_id)",
        "CREATE UNIQUE INDEX questions_album ON questions(chat_id, media_group_id)",
        # A user's saved defaults (/settings): one row per setting they changed.
        """
        CREATE TABLE user_preferences (
            user_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (user_id, key)
        )
        """,
    ),
    # v9: the scheduler counts unfinished jobs per user (storage/jobs.py `_startable_ids`)
    # for every accepted job and every pass; with (state, user_id) that is read from the
    # index alone instead of one table lookup per running job.
    ("CREATE INDEX jobs_state_user ON jobs(state, user_id)",),
]
