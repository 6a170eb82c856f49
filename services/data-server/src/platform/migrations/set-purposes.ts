import { isSqlite, type Knex } from '@outband/db';

/** Changes the purposes a table's `purpose` enum allows (on SQLite enums are not enforced: see openDatabase). */
export async function setPurposes(knex: Knex, table: string, purposes: string[]): Promise<void> {
  if (isSqlite(knex)) {
    return;
  }
  await knex.raw(`ALTER TABLE ${table} MODIFY purpose ENUM(${purposes.map((p) => `'${p}'`).join(', ')}) NOT NULL`);
}
