import type { Migration } from '@outband/db';

/** Which claim holds a webhook delivery's lease. */
export const webhookClaims: Migration = {
  name: '020_webhook_claims',
  async up(knex) {
    // Replicas claim deliveries in batches: the claim's token tells each which rows it got, and
    // a settle whose lease was taken over by another claim (it ran out) no longer matches.
    await knex.schema.alterTable('webhook_deliveries', (t) => {
      t.string('claim_token', 32).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('webhook_deliveries', (t) => {
      t.dropColumn('claim_token');
    });
  },
};
