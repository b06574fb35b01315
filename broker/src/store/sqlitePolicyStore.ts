import type Database from 'better-sqlite3';
import type { AccessPolicy } from '../auth/accessPolicy';
import { readLabelsColumn, readStringListColumn } from './jsonColumns';

interface PolicyRow {
  id: string;
  name: string;
  subjects: string;
  selector: string;
  login_users: string;
  created_at: number;
}

/** Access policies: the policy half of SqliteStore. */
export class SqlitePolicyStore {
  constructor(private readonly db: Database.Database) {}

  list(): AccessPolicy[] {
    const rows = this.db.prepare('SELECT * FROM policies ORDER BY name').all() as PolicyRow[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      subjects: readStringListColumn(row.subjects),
      selector: readLabelsColumn(row.selector),
      loginUsers: readStringListColumn(row.login_users),
      createdAt: row.created_at,
    }));
  }

  /** False when a policy has that name already. */
  add(policy: AccessPolicy): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO policies (id, name, subjects, selector, login_users, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO NOTHING`,
      )
      .run(
        policy.id,
        policy.name,
        JSON.stringify(policy.subjects),
        JSON.stringify(policy.selector),
        JSON.stringify(policy.loginUsers),
        policy.createdAt,
      );
    return result.changes > 0;
  }

  /** False when no policy has that name. */
  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM policies WHERE name = ?').run(name).changes > 0;
  }
}
