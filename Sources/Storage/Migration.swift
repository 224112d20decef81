/// One forward-only schema change. Versions are applied in order, each in its own transaction, once.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

extension Migration {
    /// The schema, in order. Append; never edit a migration that has shipped.
    public static let all: [Migration] = [
        Migration(
            version: 1,
            name: "users and images",
            statements: [
                """
                CREATE TABLE users (
                    id uuid PRIMARY KEY,
                    username text NOT NULL,
                    password_hash text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                // Usernames are kept as typed and compared case-insensitively.
                "CREATE UNIQUE INDEX users_username_lower ON users (lower(username))",
                """
                CREATE TABLE images (
                    id uuid PRIMARY KEY,
                    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    source_id uuid REFERENCES images (id) ON DELETE CASCADE,
                    spec_hash text,
                    transformations jsonb,
                    filename text NOT NULL,
                    format text NOT NULL,
                    content_type text NOT NULL,
                    width integer,
                    height integer,
                    size_bytes bigint,
                    object_key text,
                    content_hash text,
                    status text NOT NULL CHECK (status IN ('queued', 'processing', 'ready', 'failed')),
                    error_code text,
                    error_message text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    CHECK ((source_id IS NULL) = (spec_hash IS NULL))
                )
                """,
                // One variant per source and normalized spec: the same work is never done twice.
                "CREATE UNIQUE INDEX images_source_spec ON images (source_id, spec_hash) WHERE source_id IS NOT NULL",
                // Listing a user's originals, newest first, with a stable tie-break.
                "CREATE INDEX images_owner_originals ON images (owner_id, created_at DESC, id DESC) WHERE source_id IS NULL",
            ]
        ),
        filenameSearch,
        rateLimits,
        transformOutbox,
        objectKeyIndex,
        presignedUploads,
        settledNotifications,
        imageProperties,
        webhooks,
        missingBytes,
        fastMasters,
        apiKeys,
        usageCounters,
        displayRenditions,
    ]
}

extension Migration {
    /// Substring search on filenames that stays fast with many images: a trigram index serves
    /// `lower(filename) LIKE '%…%'`. pg_trgm is a trusted extension, so the database owner may create it.
    static let filenameSearch = Migration(
        version: 2,
        name: "filename search index",
        statements: [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX images_filename_trgm ON images USING gin (lower(filename) gin_trgm_ops)",
        ]
    )
}

extension Migration {
    /// Rate-limit state: one GCRA "theoretical arrival time" per key (action, user or username and address).
    /// A row whose time has passed means a full allowance; the sweeper deletes such rows.
    static let rateLimits = Migration(
        version: 3,
        name: "rate limits",
        statements: [
            "CREATE TABLE rate_limits (key text PRIMARY KEY, tat timestamptz NOT NULL)",
            "CREATE INDEX rate_limits_tat ON rate_limits (tat)",
        ]
    )

    /// The transactional outbox of transform jobs: a queued variant and its job row are written in one
    /// statement; the row goes once the broker has confirmed the job. A row that stays (a crash between commit
    /// and publish) is published by the sweeper. Deleting the variant deletes its row.
    static let transformOutbox = Migration(
        version: 4,
        name: "transform outbox",
        statements: [
            """
            CREATE TABLE transform_outbox (
                variant_id uuid PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
                owner_id uuid NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                attempts integer NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX transform_outbox_created ON transform_outbox (created_at)",
        ]
    )
}

extension Migration {
    /// The orphan sweep asks, for each stored object, whether a row references its key.
    static let objectKeyIndex = Migration(
        version: 5,
        name: "object key index",
        statements: ["CREATE INDEX images_object_key ON images (object_key) WHERE object_key IS NOT NULL"]
    )
}

extension Migration {
    /// Presigned uploads: the client PUTs the bytes straight to the object store under `object_key`, then
    /// asks for completion, which validates them and creates the image. `claimed_at` keeps two completions
    /// of one upload from both storing it; `completed_at` and `image_id` answer a repeated completion.
    static let presignedUploads = Migration(
        version: 6,
        name: "presigned uploads",
        statements: [
            """
            CREATE TABLE uploads (
                id uuid PRIMARY KEY,
                owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                object_key text NOT NULL UNIQUE,
                filename text,
                size_bytes bigint NOT NULL,
                expires_at timestamptz NOT NULL,
                claimed_at timestamptz,
                completed_at timestamptz,
                image_id uuid REFERENCES images (id) ON DELETE SET NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX uploads_expires ON uploads (expires_at)",
        ]
    )
}

extension Migration {
    /// A notification on the channel `image_settled`, payload the image's id, whenever an image becomes
    /// ready or failed or is deleted, whoever wrote it (the worker, a URL transformation, the dead-letter
    /// function). Requests that wait for a variant (`Prefer: wait`, URL transformations made elsewhere)
    /// LISTEN for it instead of polling. NOTIFY is sent at commit, so a listener never sees a state it
    /// cannot read yet.
    static let settledNotifications = Migration(
        version: 7,
        name: "notifications of settled images",
        statements: [
            """
            CREATE FUNCTION notify_image_settled() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('image_settled', OLD.id::text);
                ELSIF NEW.status IN ('ready', 'failed') AND OLD.status IS DISTINCT FROM NEW.status THEN
                    PERFORM pg_notify('image_settled', NEW.id::text);
                END IF;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER images_settled AFTER UPDATE OF status OR DELETE ON images
            FOR EACH ROW EXECUTE FUNCTION notify_image_settled()
            """,
        ]
    )
}

extension Migration {
    /// What the metadata read-out says of an image beyond its row (alpha, colour space, frames, orientation
    /// applied, dominant colour, BlurHash), as JSON: computed at upload, or on first read for images from
    /// before, and for variants. Deleting the image deletes it.
    static let imageProperties = Migration(
        version: 8,
        name: "image properties",
        statements: [
            """
            CREATE TABLE image_properties (
                image_id uuid PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
                properties jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """
        ]
    )
}

extension Migration {
    /// Webhooks: a user's callback URLs and their deliveries. A trigger inserts one delivery per matching
    /// webhook when a variant becomes ready or failed, in the transaction of that change, whoever made it (the
    /// worker, a URL transformation, the dead-letter function): no event is lost between the mark and a
    /// publish. The delivery keeps a snapshot of the variant's row, so every attempt sends the same body even
    /// if the variant is deleted meanwhile; timestamps are epoch seconds and the spec its JSON text, as the
    /// repository reads them. `queued_at` says when the delivery was last handed to the queue (the sweeper
    /// queues those left unqueued or overdue); `attempt_started_at` lets one consumer at a time attempt it.
    static let webhooks = Migration(
        version: 9,
        name: "webhooks",
        statements: [
            """
            CREATE TABLE webhooks (
                id uuid PRIMARY KEY,
                owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                url text NOT NULL,
                secret text NOT NULL,
                events text[] NOT NULL,
                description text,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX webhooks_owner ON webhooks (owner_id, created_at DESC, id DESC)",
            """
            CREATE TABLE webhook_deliveries (
                id uuid PRIMARY KEY,
                webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
                event_type text NOT NULL,
                image_id uuid NOT NULL,
                snapshot jsonb NOT NULL,
                state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
                attempts jsonb NOT NULL DEFAULT '[]',
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                attempt_started_at timestamptz,
                queued_at timestamptz,
                finished_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at DESC, id DESC)",
            "CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'",
            "CREATE INDEX webhook_deliveries_unqueued ON webhook_deliveries (image_id) WHERE queued_at IS NULL",
            """
            CREATE FUNCTION record_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.source_id IS NOT NULL AND NEW.status IN ('ready', 'failed') AND OLD.status IS DISTINCT FROM NEW.status THEN
                    INSERT INTO webhook_deliveries (id, webhook_id, event_type, image_id, snapshot)
                    SELECT gen_random_uuid(), w.id, 'variant.' || NEW.status, NEW.id,
                        to_jsonb(NEW) || jsonb_build_object(
                            'transformations', NEW.transformations::text,
                            'created_at', extract(epoch FROM NEW.created_at),
                            'updated_at', extract(epoch FROM NEW.updated_at))
                    FROM webhooks w
                    WHERE w.owner_id = NEW.owner_id AND ('variant.' || NEW.status) = ANY (w.events);
                END IF;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER images_webhook_deliveries AFTER UPDATE OF status ON images
            FOR EACH ROW EXECUTE FUNCTION record_webhook_deliveries()
            """,
        ]
    )
}

extension Migration {
    /// Rows whose bytes the object store no longer has (deleted behind the service's back, a bucket restored
    /// from an older backup): when that was first noticed, so listings and metadata can say so. Cleared when
    /// the bytes are back.
    static let missingBytes = Migration(
        version: 10,
        name: "missing bytes",
        statements: ["ALTER TABLE images ADD COLUMN bytes_missing_since timestamptz"]
    )
}

extension Migration {
    /// Originals stored before fast masters (lossless baseline JPEGs, issue 19): JPEG originals are checked once
    /// by the sweeper, which rewrites a progressive one losslessly. New rows are masters already (the default).
    static let fastMasters = Migration(
        version: 11,
        name: "fast masters",
        statements: [
            "ALTER TABLE images ADD COLUMN master_pending boolean NOT NULL DEFAULT false",
            "UPDATE images SET master_pending = true WHERE source_id IS NULL AND format = 'jpeg' AND status = 'ready'",
            "CREATE INDEX images_master_pending ON images (id) WHERE master_pending",
        ]
    )
}

extension Migration {
    /// API keys for servers: a user's long-lived credentials with scopes. Only a SHA-256 digest of the secret is
    /// kept (the secret is 256 random bits, so a fast hash is enough; a slow one would cost every request), found
    /// by its public prefix. Revoking deletes the row; a user's keys go with the user.
    static let apiKeys = Migration(
        version: 12,
        name: "api keys",
        statements: [
            """
            CREATE TABLE api_keys (
                id uuid PRIMARY KEY,
                owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                name text NOT NULL,
                prefix text NOT NULL UNIQUE,
                secret_digest bytea NOT NULL,
                scopes text[] NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz,
                last_used_at timestamptz
            )
            """,
            "CREATE INDEX api_keys_owner ON api_keys (owner_id, created_at DESC, id DESC)",
        ]
    )
}

extension Migration {
    /// What each user made per calendar month (UTC): a new variant row counts one transform, whoever made it
    /// (the queued worker's job row, a URL transformation), counted by a trigger in the insert's transaction.
    /// A variant found existing inserts nothing and counts nothing; deleting a variant does not give it back.
    static let usageCounters = Migration(
        version: 13,
        name: "usage counters",
        statements: [
            """
            CREATE TABLE usage_counters (
                owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                period date NOT NULL,
                transforms bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (owner_id, period)
            )
            """,
            """
            CREATE FUNCTION count_transform() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO usage_counters (owner_id, period, transforms)
                VALUES (NEW.owner_id, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 1)
                ON CONFLICT (owner_id, period) DO UPDATE SET transforms = usage_counters.transforms + 1;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER images_count_transforms AFTER INSERT ON images
            FOR EACH ROW WHEN (NEW.source_id IS NOT NULL) EXECUTE FUNCTION count_transform()
            """,
            // A user's usage sums all their rows, variants included, which no index reached by owner.
            "CREATE INDEX images_owner_usage ON images (owner_id) INCLUDE (source_id, size_bytes)",
        ]
    )
}

extension Migration {
    /// Display renditions: the sizes the service shows an image at (the gallery's tiles and image page), made
    /// on first view through signed URLs. They are the service's own: not the user's variants (not listed, not
    /// counted as transforms nor against the quota, no webhook events). Their spec hash has a `display-` prefix,
    /// so the same options asked for by the user make the user's own variant.
    static let displayRenditions = Migration(
        version: 14,
        name: "display renditions",
        statements: [
            "ALTER TABLE images ADD COLUMN display boolean NOT NULL DEFAULT false",
            "DROP TRIGGER images_count_transforms ON images",
            """
            CREATE TRIGGER images_count_transforms AFTER INSERT ON images
            FOR EACH ROW WHEN (NEW.source_id IS NOT NULL AND NOT NEW.display) EXECUTE FUNCTION count_transform()
            """,
            """
            CREATE OR REPLACE FUNCTION record_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.source_id IS NOT NULL AND NOT NEW.display AND NEW.status IN ('ready', 'failed') AND OLD.status IS DISTINCT FROM NEW.status THEN
                    INSERT INTO webhook_deliveries (id, webhook_id, event_type, image_id, snapshot)
                    SELECT gen_random_uuid(), w.id, 'variant.' || NEW.status, NEW.id,
                        to_jsonb(NEW) || jsonb_build_object(
                            'transformations', NEW.transformations::text,
                            'created_at', extract(epoch FROM NEW.created_at),
                            'updated_at', extract(epoch FROM NEW.updated_at))
                    FROM webhooks w
                    WHERE w.owner_id = NEW.owner_id AND ('variant.' || NEW.status) = ANY (w.events);
                END IF;
                RETURN NULL;
            END
            $$
            """,
        ]
    )
}
