//! Who a rep is: one person whatever the case or spacing of their name ("eve moreau" and
//! "Eve Moreau" are one rep, kept under the name first seen), and names a trainer merged into
//! another (a typo, a nickname) stay with that rep, also for sessions pulled later.

use super::error::failed;
use super::{Result, Store, StoreError};
use rusqlite::{Connection, OptionalExtension, params};

/// The key a rep is known by: trimmed, inner spaces collapsed, lowercase.
pub fn rep_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// SQL for the rep id of the key in parameter 1: a merged name's rep, else the rep with that key.
pub(super) const REP_OF_KEY_1: &str = "COALESCE((SELECT rep_id FROM rep_aliases WHERE key = ?1),
    (SELECT min(id) FROM reps WHERE key = ?1))";

/// The same, for a positional parameter given twice.
pub(super) const REP_OF_KEY: &str = "COALESCE((SELECT rep_id FROM rep_aliases WHERE key = ?),
    (SELECT min(id) FROM reps WHERE key = ?))";

fn find(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    let found: Option<i64> = conn
        .prepare_cached(&format!("SELECT {REP_OF_KEY_1}"))?
        .query_row([rep_key(name)], |r| r.get(0))
        .optional()?
        .flatten();
    if found.is_some() {
        return Ok(found);
    }
    // A name stored before keys were kept, whose key SQL could not lowercase (`É`).
    let exact: Option<i64> = conn
        .query_row("SELECT id FROM reps WHERE name = ?", [name.trim()], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(id) = exact {
        conn.execute(
            "UPDATE reps SET key = ? WHERE id = ?",
            params![rep_key(name), id],
        )?;
    }
    Ok(exact)
}

impl Store {
    /// The rep of a name, added when new.
    pub(super) fn rep_id(tx: &Connection, name: &str) -> rusqlite::Result<i64> {
        if let Some(id) = find(tx, name)? {
            return Ok(id);
        }
        let shown = name.split_whitespace().collect::<Vec<_>>().join(" ");
        tx.execute(
            "INSERT INTO reps (name, key) VALUES (?, ?)",
            params![shown, rep_key(name)],
        )?;
        Ok(tx.last_insert_rowid())
    }

    /// Records `login` (an e-mail or company login) as the account of the rep `name`, who is
    /// added when new: their statements go to the LRS under it, and sessions pulled under it
    /// land with them.
    pub fn set_login(&self, name: &str, login: &str) -> Result<()> {
        let login = login.trim();
        if login.is_empty() {
            return Ok(());
        }
        self.write("save the rep's login", |tx| {
            let id = Self::rep_id(tx, name)?;
            tx.execute(
                "UPDATE reps SET login = ?2 WHERE id = ?1",
                params![id, login],
            )?;
            if rep_key(login) != rep_key(name) {
                tx.execute(
                    "INSERT INTO rep_aliases (key, rep_id) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET rep_id = ?2",
                    params![rep_key(login), id],
                )?;
            }
            Ok(())
        })
    }

    /// The name to record a pulled session under, for an account `login` shown as `name`: the
    /// rep who has that login here, or `name`, which gets the login.
    pub fn rep_of_account(&self, name: &str, login: &str) -> Result<String> {
        let known =
            find(&self.conn, login).map_err(|e| failed(&self.path, "look the rep up", e))?;
        if let Some(id) = known {
            let shown: Option<String> = self
                .conn
                .query_row("SELECT name FROM reps WHERE id = ?", [id], |r| r.get(0))
                .optional()
                .map_err(|e| failed(&self.path, "look the rep up", e))?;
            if let Some(shown) = shown {
                return Ok(shown);
            }
        }
        self.set_login(name, login)?;
        Ok(name.to_string())
    }

    /// Whether anyone by this name (or a name merged into one) has a record here.
    pub fn knows_rep(&self, name: &str) -> Result<bool> {
        find(&self.conn, name)
            .map(|id| id.is_some())
            .map_err(|e| failed(&self.path, "look the rep up", e))
    }

    /// The name a rep is shown under.
    pub fn rep_name(&self, name: &str) -> Result<Option<String>> {
        let run = || -> rusqlite::Result<Option<String>> {
            let Some(id) = find(&self.conn, name)? else {
                return Ok(None);
            };
            self.conn
                .query_row("SELECT name FROM reps WHERE id = ?", [id], |r| r.get(0))
                .optional()
        };
        run().map_err(|e| failed(&self.path, "look the rep up", e))
    }

    /// Merges the rep `from` into `into` (the same person under two names): every session and
    /// the focus skills move to `into`, and `from`'s name stays an alias of `into`, so sessions
    /// pulled later under it land there too. Returns how many sessions moved.
    pub fn merge_reps(&self, from: &str, into: &str) -> Result<u64> {
        let unknown = |name: &str| StoreError::Other {
            path: self.path.clone(),
            what: "merge the reps".into(),
            detail: format!("there is no rep named \"{name}\"; `dealsim reps` lists them"),
        };
        self.write("merge the reps", |tx| {
            let (Some(from_id), Some(into_id)) = (find(tx, from)?, find(tx, into)?) else {
                return Ok(None);
            };
            if from_id == into_id {
                return Ok(Some(0));
            }
            let moved = tx.execute(
                "UPDATE sessions SET rep_id = ? WHERE rep_id = ?",
                params![into_id, from_id],
            )?;
            // One row per rep: `into` keeps its own when it has one.
            for table in ["focus", "teams"] {
                tx.execute(
                    &format!(
                        "UPDATE {table} SET rep_id = ?1 WHERE rep_id = ?2
                            AND NOT EXISTS (SELECT 1 FROM {table} WHERE rep_id = ?1)"
                    ),
                    params![into_id, from_id],
                )?;
                tx.execute(&format!("DELETE FROM {table} WHERE rep_id = ?"), [from_id])?;
            }
            tx.execute(
                "UPDATE rep_aliases SET rep_id = ? WHERE rep_id = ?",
                params![into_id, from_id],
            )?;
            let from_key: String =
                tx.query_row("SELECT key FROM reps WHERE id = ?", [from_id], |r| r.get(0))?;
            for key in [from_key, rep_key(from)] {
                tx.execute(
                    "INSERT INTO rep_aliases (key, rep_id) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET rep_id = ?2",
                    params![key, into_id],
                )?;
            }
            tx.execute("DELETE FROM reps WHERE id = ?", [from_id])?;
            Ok(Some(moved as u64))
        })?
        .ok_or_else(|| {
            if self.knows_rep(from).unwrap_or(false) {
                unknown(into)
            } else {
                unknown(from)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_spacing_do_not_make_another_rep() {
        assert_eq!(rep_key("  Eve   Moreau "), "eve moreau");
        assert_eq!(rep_key("ÉMILE Durand"), "émile durand");
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let (a, b) = store
            .write("test", |tx| {
                Ok((
                    Store::rep_id(tx, "Eve Moreau")?,
                    Store::rep_id(tx, "eve  moreau")?,
                ))
            })
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(
            store.rep_name("EVE MOREAU").unwrap().as_deref(),
            Some("Eve Moreau")
        );
    }

    #[test]
    fn a_merged_name_stays_with_its_rep() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        store
            .write("test", |tx| {
                Store::rep_id(tx, "Eve Moreau")?;
                Store::rep_id(tx, "Eve Moreu")?;
                Ok(())
            })
            .unwrap();
        store.merge_reps("Eve Moreu", "Eve Moreau").unwrap();
        let (typo, right) = store
            .write("test", |tx| {
                Ok((
                    Store::rep_id(tx, "eve moreu")?,
                    Store::rep_id(tx, "Eve Moreau")?,
                ))
            })
            .unwrap();
        assert_eq!(typo, right, "the typo's sessions land with the rep");
        assert!(!store.reps().unwrap().contains(&"Eve Moreu".to_string()));
        assert!(store.merge_reps("Nobody", "Eve Moreau").is_err());
    }
}
