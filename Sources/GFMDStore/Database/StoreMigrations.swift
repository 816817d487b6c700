import Foundation
import GFMDCore
import GRDB

/// The replica database's schema, as a sequence of migrations.
///
/// The tables are documented in `Protocol/storage.md` so that an auditor can
/// query them with the `sqlite3` shell; the `audit_*` views present them with
/// readable ids and times.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE site (
                    id BLOB PRIMARY KEY NOT NULL,
                    public_key BLOB NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE bundle (
                    id INTEGER PRIMARY KEY,
                    checksum BLOB NOT NULL UNIQUE,
                    sender_site BLOB NOT NULL,
                    sender_participant TEXT NOT NULL,
                    created_hlc INTEGER NOT NULL,
                    applied_at TEXT NOT NULL,
                    file_name TEXT,
                    change_count INTEGER NOT NULL,
                    new_changes INTEGER NOT NULL DEFAULT 0,
                    pending_changes INTEGER NOT NULL DEFAULT 0
                );

                CREATE TABLE commit_group (
                    id INTEGER PRIMARY KEY,
                    root BLOB NOT NULL UNIQUE,
                    site BLOB NOT NULL REFERENCES site(id),
                    leaf_count INTEGER NOT NULL,
                    signature BLOB NOT NULL,
                    proof_nodes BLOB NOT NULL
                );

                CREATE TABLE change (
                    seq INTEGER PRIMARY KEY,
                    hash BLOB NOT NULL UNIQUE,
                    record BLOB NOT NULL,
                    site BLOB NOT NULL,
                    participant TEXT NOT NULL,
                    author TEXT NOT NULL,
                    hlc INTEGER NOT NULL,
                    deps BLOB NOT NULL,
                    edits INTEGER NOT NULL,
                    commit_id INTEGER NOT NULL REFERENCES commit_group(id),
                    leaf_index INTEGER NOT NULL,
                    bundle_id INTEGER REFERENCES bundle(id),
                    trust_frontier BLOB NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX change_by_record ON change(record, seq);
                CREATE INDEX change_by_commit ON change(commit_id, leaf_index);

                CREATE TABLE record (
                    id BLOB NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    workflow TEXT NOT NULL,
                    title TEXT NOT NULL,
                    deleted INTEGER NOT NULL,
                    conflicted INTEGER NOT NULL,
                    created_hlc INTEGER NOT NULL,
                    updated_hlc INTEGER NOT NULL,
                    heads BLOB NOT NULL,
                    fields TEXT NOT NULL,
                    conflicts TEXT NOT NULL,
                    state BLOB NOT NULL,
                    state_seq INTEGER NOT NULL,
                    tail_bytes INTEGER NOT NULL,
                    tail_changes INTEGER NOT NULL
                );
                CREATE INDEX record_conflicted ON record(conflicted) WHERE conflicted = 1;

                CREATE TABLE pending (
                    hash BLOB PRIMARY KEY NOT NULL,
                    record BLOB NOT NULL,
                    commit_id INTEGER NOT NULL REFERENCES commit_group(id),
                    leaf_index INTEGER NOT NULL,
                    bundle_id INTEGER REFERENCES bundle(id),
                    body BLOB NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE pending_dep (
                    dep BLOB NOT NULL,
                    hash BLOB NOT NULL,
                    PRIMARY KEY (dep, hash)
                ) WITHOUT ROWID;

                CREATE TABLE rejected (
                    hash BLOB PRIMARY KEY NOT NULL,
                    record BLOB NOT NULL,
                    commit_id INTEGER NOT NULL REFERENCES commit_group(id),
                    leaf_index INTEGER NOT NULL,
                    bundle_id INTEGER REFERENCES bundle(id),
                    code TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    rejected_seq INTEGER NOT NULL,
                    body BLOB NOT NULL
                ) WITHOUT ROWID;

                CREATE VIEW audit_change AS
                    SELECT seq, hex(hash) AS change, hex(record) AS record, hex(site) AS site,
                           participant, author,
                           strftime('%Y-%m-%dT%H:%M:%fZ', (hlc >> 16) / 1000.0, 'unixepoch') AS time,
                           bundle_id
                    FROM change;

                CREATE VIEW audit_record AS
                    SELECT hex(id) AS record, type, owner, workflow, title, deleted, conflicted,
                           strftime('%Y-%m-%dT%H:%M:%fZ', (created_hlc >> 16) / 1000.0, 'unixepoch') AS created,
                           strftime('%Y-%m-%dT%H:%M:%fZ', (updated_hlc >> 16) / 1000.0, 'unixepoch') AS updated
                    FROM record;

                CREATE VIEW audit_field AS
                    SELECT hex(r.id) AS record, f.key AS name, f.value AS value,
                           EXISTS (SELECT 1 FROM json_each(r.conflicts) c WHERE c.value = f.key) AS conflicted
                    FROM record r, json_each(r.fields) f;

                CREATE VIEW audit_rejected AS
                    SELECT rejected_seq AS seq, hex(hash) AS change, hex(record) AS record, code, reason, bundle_id
                    FROM rejected;

                CREATE VIEW audit_bundle AS
                    SELECT id, hex(checksum) AS checksum, hex(sender_site) AS sender_site, sender_participant,
                           strftime('%Y-%m-%dT%H:%M:%fZ', (created_hlc >> 16) / 1000.0, 'unixepoch') AS created,
                           applied_at, file_name, change_count, new_changes, pending_changes
                    FROM bundle;
                """)
        }
        migrator.registerMigration("v2-sync") { db in
            try addSync(db)
        }
        migrator.registerMigration("v3-audit") { db in
            try relabelAuditViews(db)
            try db.execute(sql: """
                CREATE TABLE web_account (
                    name TEXT PRIMARY KEY NOT NULL,
                    participant TEXT NOT NULL,
                    created TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE web_link (
                    hash BLOB PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    expires INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-hub-restarts") { db in
            // What a hub must remember across a restart: the nonces of the
            // signed requests it admitted within the replay window, and its
            // web sessions (the SHA-256 of each token, never the token).
            try db.execute(sql: """
                CREATE TABLE request_nonce (
                    site BLOB NOT NULL,
                    nonce BLOB NOT NULL,
                    signed INTEGER NOT NULL,
                    PRIMARY KEY (site, nonce)
                ) WITHOUT ROWID;
                CREATE INDEX request_nonce_by_time ON request_nonce(signed);
                CREATE TABLE web_session (
                    hash BLOB PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    expires INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5-compact") { db in
            try compact(db)
        }
        migrator.registerMigration("v6-body-blocks") { db in
            try gatherBodies(db)
        }
        migrator.registerMigration("v7-derived-fields") { db in
            // Each record's displayed fields were written at every apply
            // (half a record row), for the `audit_field` view alone: an audit
            // database now derives them (``AuditFields``). What visibility
            // reads of them, the co-authors, keeps a column.
            try db.execute(sql: """
                ALTER TABLE record ADD COLUMN co_authors TEXT NOT NULL DEFAULT '[]';
                UPDATE record SET co_authors = json_extract(fields, '$."co_authors"')
                    WHERE json_type(fields, '$."co_authors"') = 'array';
                DROP VIEW audit_field;
                ALTER TABLE record DROP COLUMN fields;
                """)
        }
        migrator.registerMigration("v8-site-fingerprints") { db in
            // Each site's fingerprint up to the time last asked (sync.md,
            // "Fingerprints"), kept current as its changes are stored: a new
            // process (each `gfmd sync`) then moves it to the time it is asked
            // for, instead of reading the site's whole history.
            try db.execute(sql: """
                CREATE TABLE site_fingerprint (
                    site BLOB PRIMARY KEY NOT NULL,
                    time INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    xor INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    /// A time column (an HLC) as `YYYY-MM-DDTHH:MM:SS.sssZ`.
    static func time(_ column: String) -> String {
        "strftime('%Y-%m-%dT%H:%M:%fZ', (\(column) >> 16) / 1000.0, 'unixepoch')"
    }

    /// What the replica keeps, made compact (issue 21): change bodies and
    /// record checkpoints packed (``PackedBlob``) beside their unpacked
    /// `size`, and no `change.ops`: the field history is derived when an
    /// auditor asks for it (`gfmd audit-db`), never written at every apply.
    private static func compact(_ db: Database) throws {
        try db.execute(sql: "DROP VIEW IF EXISTS audit_field_history")
        if try db.columns(in: "change").contains(where: { $0.name == "ops" }) {
            try db.execute(sql: "ALTER TABLE change DROP COLUMN ops")
        }
        try db.execute(sql: """
            ALTER TABLE change ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE pending ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE rejected ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE record ADD COLUMN state_size INTEGER NOT NULL DEFAULT 0;
            """)
        for (table, key, blob, size) in [("change", "seq", "body", "size"), ("pending", "hash", "body", "size"),
                                         ("rejected", "hash", "body", "size"), ("record", "id", "state", "state_size")] {
            let keys = try DatabaseValue.fetchAll(db, sql: "SELECT \(key) FROM \(table)")
            let read = try db.makeStatement(sql: "SELECT \(blob) FROM \(table) WHERE \(key) = ?")
            let write = try db.makeStatement(sql: "UPDATE \(table) SET \(blob) = ?, \(size) = ? WHERE \(key) = ?")
            for key in keys {
                guard let bytes = try Data.fetchOne(read, arguments: [key]) else { continue }
                try write.execute(arguments: [PackedBlob.pack([UInt8](bytes)), bytes.count, key])
            }
        }
    }

    /// The log's bodies gathered into blocks (``BodyBlocks``), in log order,
    /// in place of one packed blob per change. A body that does not unpack
    /// to its size is kept as found, in a block of its own, for `verify` to
    /// report it (`damaged_change`): damage is never a reason to refuse the
    /// upgrade, nor to lose what else the replica holds.
    private static func gatherBodies(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE body_block (
                id INTEGER PRIMARY KEY,
                packed BLOB NOT NULL,
                size INTEGER NOT NULL
            );
            ALTER TABLE change ADD COLUMN block INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE change ADD COLUMN block_offset INTEGER NOT NULL DEFAULT 0;
            """)
        let blocks = try BodyBlockWriter(db: db)
        // Read a thousand rows at a time, none while the table is updated.
        let read = try db.makeStatement(sql: "SELECT seq, body, size FROM change WHERE seq > ? ORDER BY seq LIMIT 1000")
        let locate = try db.makeStatement(sql: "UPDATE change SET block = ?, block_offset = ? WHERE seq = ?")
        var after: Int64 = 0
        while case let rows = try Row.fetchAll(read, arguments: [after]), let last = rows.last {
            for row in rows {
                let packed: Data = row[1], size: Int = row[2]
                let (block, offset) = if let body = try? PackedBlob.unpack(packed, size: size) {
                    try blocks.add(body)
                } else {
                    try blocks.keepAsFound(packed, size: size)
                }
                try locate.execute(arguments: [block, offset, row[0] as Int64])
            }
            after = last[0]
        }
        try blocks.finish()
        try db.execute(sql: "ALTER TABLE change DROP COLUMN body")
    }

    /// Knowledge for deltas (`Protocol/sync.md`): what this replica and its
    /// peers hold, an index of each site's changes by time (the log's and the
    /// rejected ledger's), and which changes accept their record, so that a
    /// published version is found without decoding the record's history.
    private static func addSync(_ db: Database) throws {
        /// A body as stored before "v5-compact" packed them.
        func unpacked(_ body: Data) throws -> EncodedChange { try StoreReader.decodeStored(body, size: body.count) }
        try db.execute(sql: """
            ALTER TABLE change ADD COLUMN accepts INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE rejected ADD COLUMN site BLOB NOT NULL DEFAULT x'';
            ALTER TABLE rejected ADD COLUMN hlc INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE pending ADD COLUMN site BLOB NOT NULL DEFAULT x'';
            ALTER TABLE pending ADD COLUMN hlc INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE bundle ADD COLUMN knowledge_taken INTEGER NOT NULL DEFAULT 0;

            CREATE TABLE peer (
                site BLOB PRIMARY KEY NOT NULL,
                participant TEXT NOT NULL,
                knowledge BLOB NOT NULL
            ) WITHOUT ROWID;
            """)
        let changes = try Row.fetchCursor(db, sql: "SELECT seq, body FROM change")
        let accepts = try db.makeStatement(sql: "UPDATE change SET accepts = 1 WHERE seq = ?")
        while let row = try changes.next() {
            if try unpacked(row[1]).change.accepts { try accepts.execute(arguments: [row[0] as Int64]) }
        }
        for table in ["rejected", "pending"] {
            let rows = try Row.fetchCursor(db, sql: "SELECT hash, body FROM \(table)")
            let when = try db.makeStatement(sql: "UPDATE \(table) SET site = ?, hlc = ? WHERE hash = ?")
            while let row = try rows.next() {
                let change = try unpacked(row[1]).change
                try when.execute(arguments: [change.site.data, Int64(bitPattern: change.timestamp.rawValue), row[0] as Data])
            }
        }
        try db.execute(sql: """
            CREATE INDEX change_by_site ON change(site, hlc);
            CREATE INDEX rejected_by_site ON rejected(site, hlc);
            CREATE INDEX pending_by_site ON pending(site, hlc);
            CREATE INDEX bundle_by_sender ON bundle(sender_site, created_hlc);
            CREATE INDEX change_accepting ON change(record) WHERE accepts = 1;
            """)
    }

    /// The audit views again, with ids in the lower-case hex the CLI prints.
    /// (gfmd before "v5-compact" also kept the field history here, as
    /// `change.ops`: an audit database now derives it when asked.)
    private static func relabelAuditViews(_ db: Database) throws {
        try db.execute(sql: """
            DROP VIEW audit_change;
            DROP VIEW audit_record;
            DROP VIEW audit_field;
            DROP VIEW audit_rejected;
            DROP VIEW audit_bundle;

            CREATE VIEW audit_change AS
                SELECT c.seq, lower(hex(c.hash)) AS change, lower(hex(c.record)) AS record, lower(hex(c.site)) AS site,
                       c.participant, c.author, \(time("c.hlc")) AS time, c.bundle_id,
                       coalesce(b.applied_at, \(time("c.hlc"))) AS held_since
                FROM change c LEFT JOIN bundle b ON b.id = c.bundle_id;

            CREATE VIEW audit_record AS
                SELECT lower(hex(id)) AS record, type, owner, workflow, title, deleted, conflicted,
                       \(time("created_hlc")) AS created, \(time("updated_hlc")) AS updated
                FROM record;

            CREATE VIEW audit_field AS
                SELECT lower(hex(r.id)) AS record, f.key AS name, f.value AS value,
                       EXISTS (SELECT 1 FROM json_each(r.conflicts) c WHERE c.value = f.key) AS conflicted
                FROM record r, json_each(r.fields) f;

            CREATE VIEW audit_rejected AS
                SELECT rejected_seq AS seq, lower(hex(hash)) AS change, lower(hex(record)) AS record, code, reason, bundle_id
                FROM rejected;

            CREATE VIEW audit_bundle AS
                SELECT id, lower(hex(checksum)) AS checksum, lower(hex(sender_site)) AS sender_site, sender_participant,
                       \(time("created_hlc")) AS created, applied_at, file_name, change_count, new_changes, pending_changes
                FROM bundle;
            """)
    }
}
