//! The database's schema: its identity and the migrations that bring any older file forward.

/// `PRAGMA application_id` of a dealsim database: "dsim".
pub(super) const APPLICATION_ID: i32 = 0x6473_696d;

/// Each migration takes the schema from its position to the next version. Never edit one that has
/// shipped: add a new one, so that an older file is brought forward step by step.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: reps, scenario revisions (with their text, for exact replay), sessions and their turns.
    "CREATE TABLE reps (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE scenario_revisions (
        id INTEGER PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        revision TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        first_seen INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        registration TEXT NOT NULL UNIQUE,
        rep_id INTEGER NOT NULL REFERENCES reps(id),
        revision_id INTEGER NOT NULL REFERENCES scenario_revisions(id),
        scenario_id TEXT NOT NULL,
        seed INTEGER NOT NULL,
        origin TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        last_activity INTEGER NOT NULL,
        ended_at INTEGER,
        status TEXT NOT NULL CHECK (status IN ('playing', 'finished', 'abandoned')),
        turns INTEGER NOT NULL DEFAULT 0,
        opening TEXT NOT NULL,
        outcome TEXT,
        end_reason TEXT,
        end_node TEXT,
        right_call INTEGER,
        qualification INTEGER,
        discovery INTEGER,
        rapport INTEGER,
        velocity INTEGER,
        overall INTEGER,
        passed INTEGER,
        minutes_used INTEGER,
        final_trust INTEGER,
        facts_uncovered TEXT
    );
    CREATE INDEX sessions_by_start ON sessions (started_at);
    CREATE INDEX sessions_by_rep ON sessions (rep_id, started_at);
    CREATE INDEX sessions_by_scenario ON sessions (scenario_id, started_at);
    CREATE TABLE turns (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        turn INTEGER NOT NULL,
        node_id TEXT NOT NULL,
        choice INTEGER NOT NULL,
        move TEXT NOT NULL,
        say TEXT NOT NULL,
        think_ms INTEGER NOT NULL,
        trust_after INTEGER NOT NULL,
        minutes_left_after INTEGER NOT NULL,
        at INTEGER NOT NULL,
        reply TEXT NOT NULL,
        PRIMARY KEY (session_id, turn)
    ) WITHOUT ROWID;",
    // 2: the xAPI outbox. Statement ids are fixed when a session ends; the statements themselves
    // are built from the session when sent, the same way `export xapi` builds them.
    "CREATE TABLE xapi_outbox (
        statement_id TEXT PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'rejected')),
        reason TEXT,
        tries INTEGER NOT NULL DEFAULT 0,
        last_try INTEGER,
        sent_at INTEGER
    );
    CREATE INDEX xapi_outbox_by_state ON xapi_outbox (state, session_id, seq);",
    // 3: the team heatmap and reports read only finished sessions' scores: a covering index.
    // Every sortable column of the trainer's table gets an index ending in the start time, so
    // that the first page of any sort is read in order instead of sorting every session.
    "CREATE INDEX sessions_scores ON sessions (status, rep_id, started_at, qualification,
        discovery, rapport, velocity, overall);
    CREATE INDEX sessions_by_overall ON sessions (overall, started_at);
    CREATE INDEX sessions_by_qualification ON sessions (qualification, started_at);
    CREATE INDEX sessions_by_discovery ON sessions (discovery, started_at);
    CREATE INDEX sessions_by_rapport ON sessions (rapport, started_at);
    CREATE INDEX sessions_by_velocity ON sessions (velocity, started_at);
    CREATE INDEX sessions_by_outcome ON sessions (outcome, started_at);
    CREATE INDEX turns_choices ON turns (session_id, node_id, choice, move);",
    // 4: each rep's focus skills, set by a trainer, in the shared database so that every copy
    // of the app (the trainer's, the rep's) sees the same.
    "CREATE TABLE focus (
        rep_id INTEGER PRIMARY KEY REFERENCES reps(id),
        dimensions TEXT NOT NULL,
        set_at INTEGER NOT NULL
    );",
    // 5: what the database knows about itself, such as when it was last checked for damage.
    "CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    // 6: choices are offered in an order drawn from the seed: each turn keeps the place the
    // choice was shown at (1 = first) and its stable id; each session keeps the scoring rules'
    // version it was scored under (sessions before this were scored under version 1).
    "ALTER TABLE turns ADD COLUMN shown INTEGER;
    ALTER TABLE turns ADD COLUMN choice_id TEXT;
    ALTER TABLE sessions ADD COLUMN scoring_version INTEGER NOT NULL DEFAULT 1;",
    // A rep is one person whatever the case or spacing of the name (`store::reps`); names a
    // trainer merged stay aliases of the rep they were merged into.
    "ALTER TABLE reps ADD COLUMN key TEXT;
    UPDATE reps SET key = lower(trim(name));
    CREATE INDEX reps_by_key ON reps (key);
    CREATE TABLE rep_aliases (
        key TEXT PRIMARY KEY,
        rep_id INTEGER NOT NULL REFERENCES reps(id)
    );",
    // 9: what each revision allows per skill (random and best play's means), measured once and
    // kept, for the skill measures (`engine::norms`); `norms` is NULL for a call too large to
    // measure. `version` names the norms' and the scoring rules' versions they were measured under.
    // The index covers "improved most", which averages each rep's scores per revision.
    "CREATE TABLE revision_norms (
        revision_id INTEGER PRIMARY KEY REFERENCES scenario_revisions(id),
        version INTEGER NOT NULL,
        norms TEXT
    );
    CREATE INDEX sessions_by_rep_revision ON sessions (status, started_at, rep_id, revision_id,
        overall);",
    // 10: what a trainer asks of reps travels through the LRS: assignments (scenarios for reps,
    // a due date, a required score) and focus skills wait here until sent (`sent_at`), each
    // under a statement id fixed when it was set; reps belong to teams.
    "CREATE TABLE assignments (
        id TEXT PRIMARY KEY,
        scenarios TEXT NOT NULL,
        reps TEXT NOT NULL,
        team TEXT,
        due_at INTEGER NOT NULL,
        required_score INTEGER,
        set_by TEXT NOT NULL,
        set_at INTEGER NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0,
        statement_id TEXT NOT NULL,
        sent_at INTEGER
    );
    CREATE TABLE teams (
        rep_id INTEGER PRIMARY KEY REFERENCES reps(id),
        team TEXT NOT NULL
    );
    ALTER TABLE focus ADD COLUMN statement_id TEXT;
    ALTER TABLE focus ADD COLUMN sent_at INTEGER;",
    // 11: a rep's login or e-mail, when their machine is set up with one: their account on the
    // LRS (the key of the login is also an alias of the rep, so sessions pulled under it land
    // with them whatever name another machine showed).
    "ALTER TABLE reps ADD COLUMN login TEXT;",
    // 12: each rep's running totals of finished sessions, kept by triggers however a session
    // ends (played, pulled, written directly) or moves (a merge), so the team heatmap reads
    // one row per rep instead of every session (197 ms at a million sessions).
    "CREATE TABLE rep_totals (
        rep_id INTEGER PRIMARY KEY,
        n INTEGER NOT NULL, q INTEGER NOT NULL, d INTEGER NOT NULL, ra INTEGER NOT NULL,
        v INTEGER NOT NULL, o INTEGER NOT NULL
    );
    INSERT INTO rep_totals
        SELECT rep_id, count(*), sum(qualification), sum(discovery), sum(rapport),
            sum(velocity), sum(overall)
        FROM sessions WHERE status = 'finished' GROUP BY rep_id;
    CREATE TRIGGER rep_totals_on_insert AFTER INSERT ON sessions
        WHEN NEW.status = 'finished'
    BEGIN
        INSERT INTO rep_totals VALUES (NEW.rep_id, 1, NEW.qualification, NEW.discovery,
            NEW.rapport, NEW.velocity, NEW.overall)
        ON CONFLICT (rep_id) DO UPDATE SET n = n + 1, q = q + excluded.q, d = d + excluded.d,
            ra = ra + excluded.ra, v = v + excluded.v, o = o + excluded.o;
    END;
    CREATE TRIGGER rep_totals_on_finish AFTER UPDATE OF status ON sessions
        WHEN NEW.status = 'finished' AND OLD.status != 'finished'
    BEGIN
        INSERT INTO rep_totals VALUES (NEW.rep_id, 1, NEW.qualification, NEW.discovery,
            NEW.rapport, NEW.velocity, NEW.overall)
        ON CONFLICT (rep_id) DO UPDATE SET n = n + 1, q = q + excluded.q, d = d + excluded.d,
            ra = ra + excluded.ra, v = v + excluded.v, o = o + excluded.o;
    END;
    CREATE TRIGGER rep_totals_on_move AFTER UPDATE OF rep_id ON sessions
        WHEN NEW.status = 'finished' AND OLD.rep_id != NEW.rep_id
    BEGIN
        UPDATE rep_totals SET n = n - 1, q = q - OLD.qualification, d = d - OLD.discovery,
            ra = ra - OLD.rapport, v = v - OLD.velocity, o = o - OLD.overall
        WHERE rep_id = OLD.rep_id;
        INSERT INTO rep_totals VALUES (NEW.rep_id, 1, NEW.qualification, NEW.discovery,
            NEW.rapport, NEW.velocity, NEW.overall)
        ON CONFLICT (rep_id) DO UPDATE SET n = n + 1, q = q + excluded.q, d = d + excluded.d,
            ra = ra + excluded.ra, v = v + excluded.v, o = o + excluded.o;
    END;",
    // 13: what each finished session's debrief leaves for the team's views (`records::digest`),
    // worked out once instead of replaying every session for each insight and brief:
    // `session_digests` per session (`sessions.digested` names the digest's version, and a
    // partial index finds the sessions still to digest); per scenario, node, choice and overall
    // score, how often the choice was taken and the points it gave up (`regret_tallies`), and
    // how many sessions scored each overall score (`digest_scores`), so that a scenario's
    // insight reads a few thousand rows at any number of sessions; the same per day the call
    // started (UTC), for an insight over a period; the text and kind of each
    // revision's facts, for the facts a brief says were missed. The scenario analysis's counts
    // the same way: where wrong calls ended and which facts were found, per digested session;
    // each choice taken (played or not), by a trigger on every turn stored.
    "ALTER TABLE sessions ADD COLUMN digested INTEGER;
    CREATE INDEX sessions_to_digest ON sessions (scenario_id, rep_id)
        WHERE status = 'finished' AND digested IS NULL;
    CREATE TABLE session_digests (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
        digest TEXT NOT NULL
    );
    CREATE TABLE regret_tallies (
        scenario_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        say TEXT NOT NULL,
        overall INTEGER NOT NULL,
        taken INTEGER NOT NULL,
        lost REAL NOT NULL,
        better TEXT,
        PRIMARY KEY (scenario_id, node_id, say, overall)
    ) WITHOUT ROWID;
    CREATE TABLE digest_scores (
        scenario_id TEXT NOT NULL,
        overall INTEGER NOT NULL,
        sessions INTEGER NOT NULL,
        not_replayed INTEGER NOT NULL,
        right_calls INTEGER NOT NULL,
        PRIMARY KEY (scenario_id, overall)
    ) WITHOUT ROWID;
    CREATE TABLE regret_daily (
        scenario_id TEXT NOT NULL,
        day INTEGER NOT NULL,
        node_id TEXT NOT NULL,
        say TEXT NOT NULL,
        overall INTEGER NOT NULL,
        taken INTEGER NOT NULL,
        lost REAL NOT NULL,
        better TEXT,
        PRIMARY KEY (scenario_id, day, node_id, say, overall)
    ) WITHOUT ROWID;
    CREATE TABLE scores_daily (
        scenario_id TEXT NOT NULL,
        day INTEGER NOT NULL,
        overall INTEGER NOT NULL,
        sessions INTEGER NOT NULL,
        not_replayed INTEGER NOT NULL,
        PRIMARY KEY (scenario_id, day, overall)
    ) WITHOUT ROWID;
    CREATE TABLE lost_at_tallies (
        scenario_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        sessions INTEGER NOT NULL,
        PRIMARY KEY (scenario_id, node_id)
    ) WITHOUT ROWID;
    CREATE TABLE fact_tallies (
        scenario_id TEXT NOT NULL,
        fact_id TEXT NOT NULL,
        found INTEGER NOT NULL,
        PRIMARY KEY (scenario_id, fact_id)
    ) WITHOUT ROWID;
    CREATE TABLE choice_tallies (
        scenario_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        choice INTEGER NOT NULL,
        move TEXT NOT NULL,
        taken INTEGER NOT NULL,
        latest_session INTEGER NOT NULL,
        PRIMARY KEY (scenario_id, node_id, choice, move)
    ) WITHOUT ROWID;
    INSERT INTO choice_tallies
        SELECT s.scenario_id, t.node_id, t.choice, t.move, count(*), max(t.session_id)
        FROM sessions s JOIN turns t ON t.session_id = s.id
        GROUP BY s.scenario_id, t.node_id, t.choice, t.move;
    CREATE TRIGGER choice_tallies_on_turn AFTER INSERT ON turns
    BEGIN
        INSERT INTO choice_tallies
            SELECT s.scenario_id, NEW.node_id, NEW.choice, NEW.move, 1, NEW.session_id
            FROM sessions s WHERE s.id = NEW.session_id
        ON CONFLICT (scenario_id, node_id, choice, move) DO UPDATE SET taken = taken + 1,
            latest_session = max(latest_session, excluded.latest_session);
    END;
    CREATE TABLE revision_facts (
        revision_id INTEGER NOT NULL REFERENCES scenario_revisions(id),
        fact_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (revision_id, fact_id)
    ) WITHOUT ROWID;
    -- Each rep's report (`dealsim report`, per dimension) is kept, with the count of changes
    -- to the rep's finished sessions it was worked out at: the running totals' triggers now
    -- count every change, so a kept report is used only while nothing it summed has changed.
    ALTER TABLE rep_totals ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;
    DROP TRIGGER rep_totals_on_insert;
    DROP TRIGGER rep_totals_on_finish;
    DROP TRIGGER rep_totals_on_move;
    CREATE TRIGGER rep_totals_on_insert AFTER INSERT ON sessions
        WHEN NEW.status = 'finished'
    BEGIN
        INSERT INTO rep_totals VALUES (NEW.rep_id, 1, NEW.qualification, NEW.discovery,
            NEW.rapport, NEW.velocity, NEW.overall, 1)
        ON CONFLICT (rep_id) DO UPDATE SET n = n + 1, q = q + excluded.q, d = d + excluded.d,
            ra = ra + excluded.ra, v = v + excluded.v, o = o + excluded.o,
            changes = changes + 1;
    END;
    CREATE TRIGGER rep_totals_on_finish AFTER UPDATE OF status ON sessions
        WHEN NEW.status = 'finished' AND OLD.status != 'finished'
    BEGIN
        INSERT INTO rep_totals VALUES (NEW.rep_id, 1, NEW.qualification, NEW.discovery,
            NEW.rapport, NEW.velocity, NEW.overall, 1)
        ON CONFLICT (rep_id) DO UPDATE SET n = n + 1, q = q + excluded.q, d = d + excluded.d,
            ra = ra + excluded.ra, v = v + excluded.v, o = o + excluded.o,
            changes = changes + 1;
    END;
    CREATE TRIGGER rep_totals_on_move AFTER UPDATE OF rep_id ON sessions
        WHEN NEW.status = 'finished' AND OLD.rep_id != NEW.rep_id
    BEGIN
        UPDATE rep_totals SET n = n - 1, q = q - OLD.qualification, d = d - OLD.discovery,
            ra = ra - OLD.rapport, v = v - OLD.velocity, o = o - OLD.overall,
            changes = changes + 1
        WHERE rep_id = OLD.rep_id;
        INSERT INTO rep_totals VALUES (NEW.rep_id, 1, NEW.qualification, NEW.discovery,
            NEW.rapport, NEW.velocity, NEW.overall, 1)
        ON CONFLICT (rep_id) DO UPDATE SET n = n + 1, q = q + excluded.q, d = d + excluded.d,
            ra = ra + excluded.ra, v = v + excluded.v, o = o + excluded.o,
            changes = changes + 1;
    END;
    CREATE TABLE rep_reports (
        rep_id INTEGER PRIMARY KEY,
        version INTEGER NOT NULL,
        changes INTEGER NOT NULL,
        report TEXT NOT NULL
    );",
    // 14: campaigns. A call played in a campaign run keeps the campaign, the run (its id and
    // the seed its calls are drawn from), its place, and the state the run carried into it
    // (trust, facts, what happened between the calls), so it replays exactly on its own.
    "ALTER TABLE sessions ADD COLUMN campaign_id TEXT;
    ALTER TABLE sessions ADD COLUMN campaign_title TEXT;
    ALTER TABLE sessions ADD COLUMN campaign_run TEXT;
    ALTER TABLE sessions ADD COLUMN campaign_seed INTEGER;
    ALTER TABLE sessions ADD COLUMN campaign_call INTEGER;
    ALTER TABLE sessions ADD COLUMN campaign_calls INTEGER;
    ALTER TABLE sessions ADD COLUMN start_trust INTEGER;
    ALTER TABLE sessions ADD COLUMN start_knows TEXT;
    ALTER TABLE sessions ADD COLUMN between_calls TEXT;
    CREATE INDEX sessions_by_campaign_run ON sessions (campaign_run) WHERE campaign_run IS NOT NULL;",
];

/// The first schema version with the `meta` table.
pub const META_SINCE: i64 = 5;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
