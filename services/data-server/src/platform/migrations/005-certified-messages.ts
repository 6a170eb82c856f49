import type { Migration } from '@outband/db';
import { setPurposes } from './set-purposes';

/** Certified messages: the `message` purpose and the digest of what was approved. */
export const certifiedMessages: Migration = {
  name: '005_certified_messages',
  async up(knex) {
    await setPurposes(knex, 'verifications', ['login', 'transaction', 'message']);
    await setPurposes(knex, 'certificates', ['login', 'transaction', 'message']);
    // The SHA-256 of a certified order or declaration: the record keeps what was approved, not the text.
    await knex.schema.alterTable('verifications', (t) => {
      t.string('content_digest', 64).nullable();
      t.string('content_reference', 64).nullable();
    });
    await knex.schema.alterTable('certificates', (t) => {
      t.string('content_digest', 64).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('certificates', (t) => t.dropColumn('content_digest'));
    await knex.schema.alterTable('verifications', (t) => {
      t.dropColumn('content_digest');
      t.dropColumn('content_reference');
    });
    await setPurposes(knex, 'certificates', ['login', 'transaction']);
    await setPurposes(knex, 'verifications', ['login', 'transaction']);
  },
};
