import type { Migration } from '@outband/db';

/** Chains the audit trail can grow on side by side. */
export const auditChainCount = 8;

/** The audit trail on several chains, so concurrent writers do not queue on one head row. */
export const auditChains: Migration = {
  name: '021_audit_chains',
  async up(knex) {
    // Rows written before belong to the first chain, whose head is the row that was the only one.
    await knex.schema.alterTable('audit_events', (t) => {
      t.integer('chain').unsigned().notNullable().defaultTo(1);
    });
    const genesis = '0'.repeat(64);
    await knex('audit_head').insert(Array.from({ length: auditChainCount - 1 }, (_, i) => ({ id: i + 2, hash: genesis })));
  },
  async down(knex) {
    await knex('audit_head').where('id', '>', 1).delete();
    await knex.schema.alterTable('audit_events', (t) => {
      t.dropColumn('chain');
    });
  },
};
